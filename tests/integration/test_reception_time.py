"""The monthly reception-time statistic (seed 004: "每月统计客户接待时间,与标准接待时间
进行对比"), on the real event store, contract, envelope and projection: each unannounced
visitor's wait from arrival at the desk to being checked in or turned away, per local
month, against the site's standard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from contracts import visitor_api as api
from runtime.clock import clock
from services.visitor.api import build_api
from services.visitor.application import VisitorApplication, VisitorSettings
from services.visitor.contract import contract_for
from services.visitor.projections import VisitorQueries, VisitorReadModel
from tests.integration.pipeline import Pipeline, business_day

# 23:55 in Shanghai on 31 January: a visitor who arrives then is January's, served or not
# after midnight.
LATE_JANUARY = datetime(2026, 1, 31, 15, 55, tzinfo=UTC)


@pytest.fixture(scope="module")
async def visitor(infra) -> AsyncIterator[Pipeline]:  # type: ignore[no-untyped-def]
    app = VisitorApplication(VisitorSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
        concierge_namespace=f"{infra.namespace}reception_",
    ))  # fmt: skip
    async with Pipeline.open(app, contract_for, [VisitorReadModel()], infra.database_url) as pipe:
        pipe.service = build_api(app, VisitorQueries(pipe.pool))
        yield pipe


def walk_in(name: str) -> api.RegisterArrival:
    return api.RegisterArrival(visitor_name=name, host_unit="8B", host_name="Wang Wu",
                               purpose="interview")  # fmt: skip


async def served_after(pipe: Pipeline, site: object, name: str, wait: timedelta,
                       approve: bool = True) -> None:  # fmt: skip
    visit = await pipe.call(api.REGISTER_ARRIVAL, site, walk_in(name))
    clock.advance(wait)
    decision = api.HostDecision(approve=approve, reason=None)
    await pipe.call(api.HOST_DECIDES, site, decision, visit_id=visit["visit_id"])


async def test_a_months_waits_are_held_to_the_sites_standard(visitor: Pipeline) -> None:
    pipe, site = visitor, uuid4()
    with business_day(site, "Asia/Shanghai", LATE_JANUARY):
        start = pipe.mark()
        await served_after(pipe, site, "Quick Qian", timedelta(minutes=4))
        await served_after(pipe, site, "Slow Sun", timedelta(minutes=15), approve=False)
        await pipe.call(api.REGISTER_ARRIVAL, site, walk_in("Waiting Wang"))  # not served yet
        clock.set(LATE_JANUARY + timedelta(days=2))  # February
        await served_after(pipe, site, "February Fu", timedelta(minutes=30))
        standard = api.SetReceptionStandard(standard_minutes=10, set_by="Manager Ma")
        set_reply = await pipe.call(api.SET_RECEPTION_STANDARD, site, standard)
        assert set_reply["standard_minutes"] == 10
        await pipe.project(await pipe.published(start), 3)

        january = await pipe.call(api.MONTHLY_RECEPTION_TIME, site, period="2026-01")
        assert api.MonthlyReceptionTime.model_validate(january) == api.MonthlyReceptionTime(
            period="2026-01", standard_minutes=10, served=2, within_standard=1,
            share_within_standard=Decimal("0.5"), average_minutes=Decimal("9.5"),
            longest_minutes=Decimal("15.0"), meets_standard=True,
        )  # fmt: skip
        february = await pipe.call(api.MONTHLY_RECEPTION_TIME, site, period="2026-02")
        assert (february["served"], february["meets_standard"]) == (1, False)
        assert february["average_minutes"] == "30.0"
        nothing = await pipe.call(api.MONTHLY_RECEPTION_TIME, site, period="2026-03")
        assert (nothing["served"], nothing["average_minutes"], nothing["meets_standard"]) == (
            0, None, None,
        )  # fmt: skip


async def test_the_standard_is_ten_minutes_until_the_site_sets_its_own(
    visitor: Pipeline,
) -> None:
    site = uuid4()
    assert (await visitor.call(api.GET_RECEPTION_STANDARD, site))["standard_minutes"] == 10
    statistic = await visitor.call(api.MONTHLY_RECEPTION_TIME, site, period="2026-01")
    assert statistic["standard_minutes"] == 10 and statistic["served"] == 0
