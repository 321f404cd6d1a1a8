"""Whatever engineering accepts, the work-order reports show (issue 8.2).

Valid commands drawn from `contracts.workorder_api` (any text, site codes and SLA
hours, paid repairs at the largest fee, materials, failed verifications, voids) go
through the service, the published contract and the board projection; then the board
(also filtered by team), the SLA breaches some hours later, the three-equals
reconciliation of the month and the weekly report must hold every accepted order as
the write side holds it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4, uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import workorder_api as api
from contracts.fields import Name
from contracts.methods import Method
from runtime.clock import clock, local_date
from services.workorder.api import build_api
from services.workorder.application import WorkOrderApplication, WorkOrderSettings
from services.workorder.contract import contract_for
from services.workorder.projections import OPEN, WorkOrderQueries, WorkOrderReadModel
from tests.command_strategies import clock_moments, command, field_strategy, zones
from tests.integration.pipeline import PROPERTY, Pipeline, business_day, unless_refused

STEPS: dict[Method[Any, Any], tuple[type[Any], Any]] = {
    api.DISPATCH: (api.DispatchRepair, lambda teams: {"team": teams}),
    api.START: (api.StartRepair, lambda _: {}),
    api.COMPLETE: (api.CompleteRepair, lambda _: {}),
    api.VERIFY: (api.VerifyRepair, lambda _: {}),
    api.VOID: (api.VoidWorkOrder, lambda _: {}),
}
SHOWN = ("number", "status", "source", "category", "department", "location", "unit", "tenant",
         "content", "reporter", "complaint_id", "team", "technician", "urgency", "paid",
         "reopen_count", "void_reason")  # fmt: skip
INSTANTS = ("reported_at", "deadline", "completed_at", "verified_at")


@pytest.fixture(scope="module")
async def workorder(infra) -> AsyncIterator[Pipeline]:  # type: ignore[no-untyped-def]
    app = WorkOrderApplication(WorkOrderSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
        concierge_namespace=f"{infra.namespace}accept_",
    ))  # fmt: skip
    async with Pipeline.open(app, contract_for, [WorkOrderReadModel()], infra.database_url) as pipe:
        pipe.service = build_api(app, WorkOrderQueries(pipe.pool))
        yield pipe


async def order_with_steps(pipe: Pipeline, site: UUID, data: st.DataObject) -> str | None:
    """One repair, reported and taken through a drawn run of steps (refusals allowed).

    Every command is drawn before any runs, so what is drawn never depends on what was
    refused; complaint ids are made the site's own, so no example meets another's."""
    complaints = st.uuids().map(lambda u: uuid5(site, str(u)))
    report = data.draw(command(api.ReportRepair, complaint_id=st.none() | complaints))
    teams = st.sampled_from(["housekeeping", "Housekeeping"]) | field_strategy(Name)
    steps: list[tuple[Method[Any, Any], Any, str]] = []
    for step in data.draw(st.lists(st.sampled_from(list(STEPS)), max_size=6), label="steps"):
        model, overrides = STEPS[step]
        actor = data.draw(field_strategy(Name), label="actor (token subject)")
        steps.append((step, data.draw(command(model, **overrides(teams))), actor))

    order = await unless_refused(pipe.call(api.REPORT, site, report))
    if order is None:
        return None
    on_order = {"work_order_id": order["work_order_id"]}
    for step, cmd, actor in steps:
        if (
            step is api.COMPLETE
            and not (await pipe.call(api.GET_WORK_ORDER, site, **on_order))["paid"]
        ):
            cmd = cmd.model_copy(update={"fee": Decimal(0)})  # a free repair carries no fee
        await unless_refused(pipe.call(step, site, cmd, actor=actor, **on_order))
    return str(order["work_order_id"])


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_order_is_on_the_board_and_in_the_reports(
    workorder: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = workorder, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        if data.draw(st.booleans(), label="configure the site"):
            await pipe.call(api.CONFIGURE_SITE, site, data.draw(command(api.ConfigureSite)))
        ids = [
            order_id
            for _ in range(data.draw(st.integers(1, 3), label="orders"))
            if (order_id := await order_with_steps(pipe, site, data))
        ]
        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 20), label="batch")
        )
        clock.advance(timedelta(hours=data.draw(st.integers(0, 3000), label="hours later")))

        views = {i: await pipe.call(api.GET_WORK_ORDER, site, work_order_id=i) for i in ids}
        board = {row["work_order_id"]: row for row in await pipe.call(api.BOARD, site)}
        assert set(board) == set(views), "every order is on the board"
        for order_id, view in views.items():
            row = board[order_id]
            for name in SHOWN:
                assert row[name] == view[name], name
            for name in INSTANTS:
                assert _instant(row[name]) == _instant(view[name]), name
            if view["status"] in ("completed", "closed"):
                assert Decimal(row["fee"]) == Decimal(view["fee"]), "the fee is shown"
            if view["team"]:
                by_team = await pipe.call(api.BOARD, site, team=view["team"])
                assert order_id in {r["work_order_id"] for r in by_team}, "found by its team"

        breaches = await pipe.call(api.SLA_BREACHES, site)
        assert {r["work_order_id"] for r in breaches["open_past_deadline"]} == {
            i for i, v in views.items()
            if v["status"] in OPEN and v["deadline"] and _instant(v["deadline"]) < clock.now()
        }, "every open order past its deadline is listed"  # fmt: skip

        reported_on = {i: local_date(_instant(v["reported_at"]), zone) for i, v in views.items()}
        for day in set(reported_on.values()):
            month = [
                views[i]
                for i, d in reported_on.items()
                if (d.year, d.month) == (day.year, day.month)
            ]
            reconciliation = await pipe.call(api.THREE_EQUALS, site, period=f"{day:%Y-%m}")
            assert reconciliation["reported"] == len(month), "reported in its month"
            assert reconciliation["dispatched"] == sum(v["number"] is not None for v in month)
            week = await pipe.call(api.WEEKLY, site, week_start=day.isoformat())
            assert week["reported"] == sum(
                timedelta(0) <= d - day < timedelta(days=7) for d in reported_on.values()
            ), "reported in its week"


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
