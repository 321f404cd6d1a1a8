"""Whatever building operations accept, their read models show (issue 12 items 7-9).

Valid commands drawn from `contracts.patrol_api`, `incident_api` and `hygiene_api` (any
text, zones, checkpoints and times, findings opening repairs, incidents with their
actions, drills, cleaning areas and inspections at any level and score) go through the
service, the published contract and the work-order read model; then the day's patrol
review, the incident log, the drills, the inspections and the vendors' scores must hold
every accepted object as the write side holds it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import hygiene_api, incident_api, patrol_api
from contracts.fields import FIRST_INSTANT
from services.workorder.api import build_api
from services.workorder.application import WorkOrderApplication, WorkOrderSettings
from services.workorder.contract import contract_for
from services.workorder.projections import WorkOrderQueries, WorkOrderReadModel
from tests.command_strategies import clock_moments, command, zones
from tests.integration.pipeline import PROPERTY, Pipeline, business_day, unless_refused


@pytest.fixture(scope="module")
async def operations(infra) -> AsyncIterator[Pipeline]:  # type: ignore[no-untyped-def]
    app = WorkOrderApplication(WorkOrderSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
        concierge_namespace=f"{infra.namespace}accept_ops_",
    ))  # fmt: skip
    async with Pipeline.open(app, contract_for, [WorkOrderReadModel()], infra.database_url) as pipe:
        pipe.service = build_api(app, WorkOrderQueries(pipe.pool))
        yield pipe


async def patrol_round(pipe: Pipeline, site: Any, data: st.DataObject) -> dict[str, Any] | None:
    """A plan, a round of it with drawn records (some naming its checkpoints, some
    opening repairs), finished or not."""
    plan = await unless_refused(
        pipe.call(patrol_api.DRAW_PATROL_PLAN, site, data.draw(command(patrol_api.DrawPatrolPlan)))
    )
    if plan is None:
        return None
    names = st.sampled_from([c["checkpoint"] for c in plan["checkpoints"]])
    start = data.draw(command(patrol_api.StartPatrolRound, plan_id=st.just(plan["plan_id"])))
    records = data.draw(
        st.lists(command(patrol_api.RecordCheckpoint, checkpoint=names), max_size=4),
        label="records",
    )
    finish = data.draw(st.booleans(), label="finish the round")
    started = await pipe.call(patrol_api.START_PATROL_ROUND, site, start)
    on_round = {"round_id": started["round_id"]}
    for record in records:
        await unless_refused(pipe.call(patrol_api.RECORD_CHECKPOINT, site, record, **on_round))
    if finish:
        await pipe.call(patrol_api.FINISH_PATROL_ROUND, site, patrol_api.FinishPatrolRound(),
                        **on_round)  # fmt: skip
    return await pipe.call(patrol_api.GET_PATROL_ROUND, site, **on_round)


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_operation_is_shown(
    operations: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = operations, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        rounds = [r for _ in range(data.draw(st.integers(1, 2), label="rounds"))
                  if (r := await patrol_round(pipe, site, data))]  # fmt: skip
        happened = (
            st.integers(0, 3 * 86400)
            .map(lambda seconds: now - timedelta(seconds=seconds))
            .filter(lambda moment: moment >= FIRST_INSTANT)
        )
        report = data.draw(command(incident_api.ReportIncident, happened_at=happened))
        actions = data.draw(st.lists(command(incident_api.TakeIncidentAction), max_size=3))
        close = data.draw(st.one_of(st.none(), command(incident_api.CloseIncident)))
        drill = data.draw(command(incident_api.RecordDrill))
        area = data.draw(command(hygiene_api.RegisterCleaningArea))
        inspections = data.draw(st.lists(command(hygiene_api.InspectHygiene), max_size=3))

        incident = await pipe.call(incident_api.REPORT_INCIDENT, site, report)
        on_incident = {"incident_id": incident["incident_id"]}
        for action in actions:
            incident = await pipe.call(incident_api.TAKE_INCIDENT_ACTION, site, action,
                                       **on_incident)  # fmt: skip
        if close is not None:
            incident = (
                await unless_refused(
                    pipe.call(incident_api.CLOSE_INCIDENT, site, close, **on_incident)
                )
                or incident
            )
        drilled = await unless_refused(pipe.call(incident_api.RECORD_DRILL, site, drill))
        registered = await pipe.call(hygiene_api.REGISTER_CLEANING_AREA, site, area)
        inspected = [
            i for cmd in inspections
            if (i := await unless_refused(pipe.call(
                hygiene_api.INSPECT_HYGIENE, site,
                cmd.model_copy(update={"area_id": UUID(registered["area_id"])}),
            )))
        ]  # fmt: skip
        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 20), label="batch")
        )

        for shown in rounds:
            review = await pipe.call(patrol_api.PATROL_DAY, site,
                                     business_date=shown["business_date"])  # fmt: skip
            assert instants(shown) in instants(review["rounds"]), "on its day's review"
        assert instants(await pipe.call(incident_api.INCIDENTS, site)) == instants([incident])
        drills = await pipe.call(incident_api.DRILLS, site)
        assert instants(drills) == instants([drilled] if drilled else [])
        assert await pipe.call(hygiene_api.CLEANING_AREAS, site) == [registered]
        listed = await pipe.call(hygiene_api.HYGIENE_INSPECTIONS, site)
        assert sorted(map(str, instants(listed))) == sorted(map(str, instants(inspected)))
        for period in {i["inspected_on"][:7] for i in inspected}:
            scores = await pipe.call(hygiene_api.VENDOR_SCORES, site, period=period)
            month = [i for i in inspected if i["inspected_on"][:7] == period]
            (vendor,) = scores["vendors"]
            assert vendor["inspections"] == len(month)
            assert Decimal(vendor["lowest_score"]) == min(
                Decimal(i["overall_score"]) for i in month
            )


def instants(value: Any) -> Any:
    """`value` with every time it holds as the instant it names (the write side answers a
    time with the offset it was given, the read model in UTC)."""
    if isinstance(value, dict):
        return {k: instants(v) for k, v in value.items()}
    if isinstance(value, list):
        return [instants(v) for v in value]
    if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
        try:
            return datetime.fromisoformat(value).astimezone(UTC)
        except ValueError:
            return value
    return value
