"""Whatever customer service accepts, the tenancy read models show.

Valid commands drawn from `contracts.tenancy_api` (move-ins with any names, contacts,
checklists, readings and keys; changes of details; notices and move-outs; fit-out
applications walked through their steps; files filed and borrowed) go through the
service, the published contract and the projection; then the roster, the fit-outs, the
filing log and the overdue borrowings must hold every accepted fact as the write side
holds it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import tenancy_api as api
from runtime.clock import clock
from runtime.sites import site_timezone
from services.tenancy.api import build_api
from services.tenancy.application import TenancyApplication, TenancySettings
from services.tenancy.contract import contract_for
from services.tenancy.projections import TenancyQueries, TenancyReadModel
from tests.command_strategies import clock_moments, command, zones
from tests.integration.pipeline import PROPERTY, Pipeline, business_day, unless_refused

ROSTER = ("unit", "status", "kind", "name_zh", "name_en", "contact", "emergency_contact",
          "moved_in_on", "moving_out_on")  # fmt: skip
FILED = ("number", "title", "pages", "filed_on", "filed_by", "category", "unit", "borrower",
         "borrowed_on", "due_back_on")  # fmt: skip


@pytest.fixture(scope="module")
async def tenancy(infra) -> AsyncIterator[Pipeline]:  # type: ignore[no-untyped-def]
    app = TenancyApplication(TenancySettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
        concierge_namespace=f"{infra.namespace}accept_",
    ))  # fmt: skip
    async with Pipeline.open(app, contract_for, [TenancyReadModel()], infra.database_url) as pipe:
        pipe.service = build_api(app, TenancyQueries(pipe.pool))
        yield pipe


async def tenant_life(pipe: Pipeline, site: UUID, unit: str, data: st.DataObject) -> str | None:
    """One tenant moved in to `unit`, then a drawn run of changes, notice and move-out."""
    move_in = data.draw(command(api.MoveIn)).model_copy(update={"unit": unit})
    tenancy = await unless_refused(pipe.call(api.MOVE_IN, site, move_in))
    if tenancy is None:
        return None
    tid = tenancy["tenancy_id"]
    for step in data.draw(st.lists(st.sampled_from(["details", "notice", "move-out"]),
                                   max_size=4), label="steps"):  # fmt: skip
        method, model = {"details": (api.CHANGE_DETAILS, api.TenantDetails),
                         "notice": (api.GIVE_NOTICE, api.GiveNotice),
                         "move-out": (api.MOVE_OUT, api.MoveOut)}[step]  # fmt: skip
        await unless_refused(pipe.call(method, site, data.draw(command(model)), tenancy_id=tid))
    return str(tid)


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_tenancy_permit_and_file_is_shown(
    tenancy: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = tenancy, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        units = data.draw(st.lists(st.sampled_from(["1A", "2B", "3C"]), min_size=1, max_size=4))
        ids = [tid for unit in units if (tid := await tenant_life(pipe, site, unit, data))]
        permits = []
        for tid in ids[:2]:
            applied = data.draw(command(api.ApplyFitOut)).model_copy(
                update={"tenancy_id": UUID(tid)}
            )
            permit = await unless_refused(pipe.call(api.APPLY_FIT_OUT, site, applied))
            if permit is None:
                continue
            permits.append(permit["permit_id"])
            for role in data.draw(st.lists(st.sampled_from(["cs_manager", "dispatcher"]),
                                           max_size=2), label="approvals"):  # fmt: skip
                await unless_refused(pipe.call(api.APPROVE_FIT_OUT, site, role=role, actor=role,
                                               permit_id=permit["permit_id"]))  # fmt: skip
            inspection = data.draw(command(api.InspectFitOut))
            await unless_refused(pipe.call(api.INSPECT_FIT_OUT, site, inspection,
                                           permit_id=permit["permit_id"]))  # fmt: skip
        files = []
        for filed in data.draw(st.lists(command(api.FileDocument), max_size=3), label="files"):
            answer = await unless_refused(pipe.call(api.FILE_DOCUMENT, site, filed))
            if answer is None:
                continue
            files.append(answer["file_id"])
            if data.draw(st.booleans(), label="borrowed"):
                borrowing = data.draw(command(api.BorrowFile))
                await unless_refused(pipe.call(api.BORROW_FILE, site, borrowing,
                                               file_id=answer["file_id"]))  # fmt: skip
        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 20), label="batch")
        )

        views = {i: await pipe.call(api.GET_TENANCY, site, tenancy_id=i) for i in ids}
        roster = {row["tenancy_id"]: row for row in await pipe.call(api.ROSTER, site)}
        assert set(roster) == {i for i, v in views.items() if v["status"] != "moved_out"}
        for tid, row in roster.items():
            for name in ROSTER:
                assert row[name] == views[tid][name], name

        shown = {row["permit_id"]: row for row in await pipe.call(api.FIT_OUTS, site)}
        assert set(shown) == set(permits)
        for permit_id, row in shown.items():
            view = await pipe.call(api.GET_FIT_OUT, site, permit_id=permit_id)
            assert (row["status"], row["deposit"], row["approvals"], row["contractor"],
                    row["last_inspection_passed"]) == (
                view["status"], view["deposit"], len(view["approvals"]), view["contractor"],
                view["last_inspection_passed"])  # fmt: skip

        log = {row["file_id"]: row for row in await pipe.call(api.FILES, site)}
        assert set(log) == set(files)
        views = {i: await pipe.call(api.GET_FILE, site, file_id=i) for i in files}
        for file_id, row in log.items():
            for name in FILED:
                assert row[name] == views[file_id][name], name
        today = clock.today(site_timezone(site))
        overdue = {row["file_id"] for row in await pipe.call(api.OVERDUE_BORROWINGS, site)}
        assert overdue == {
            i for i, v in views.items()
            if v["due_back_on"] and date.fromisoformat(v["due_back_on"]) < today
        }  # fmt: skip
