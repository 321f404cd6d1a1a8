"""Whatever the front desk accepts, the visitor read models show (issue 8.2).

Valid commands drawn from `contracts.visitor_api` (any text, any zone, the first and
last business days) go through the service, the published contract and the
projection; then the evacuation list ("in the building now"), the daily log and its
exports, the per-host counts and the switchboard book must hold every accepted fact
as the write side holds it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from contracts import visitor_api as api
from contracts.fields import BusinessDate
from runtime.clock import clock, local_date
from services.gateway.visitor_routes import LOG_COLUMNS
from services.visitor.api import build_api
from services.visitor.application import VisitorApplication, VisitorSettings
from services.visitor.contract import contract_for
from services.visitor.domain import Visit, VisitStatus
from services.visitor.projections import VisitorQueries, VisitorReadModel
from tests.command_strategies import clock_moments, command, zones
from tests.integration.pipeline import (
    PROPERTY,
    Pipeline,
    business_day,
    exported,
    unless_refused,
)

TEXT_COLUMNS = ["visitor_name", "visitor_company", "host_unit", "host_name", "purpose",
                "denial_reason"]  # fmt: skip
PLANS = ("expected", "checked_in", "checked_out", "denied")


@pytest.fixture(scope="module")
async def visitor(infra) -> AsyncIterator[Pipeline]:  # type: ignore[no-untyped-def]
    app = VisitorApplication(VisitorSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
        concierge_namespace=f"{infra.namespace}accept_",
    ))  # fmt: skip
    async with Pipeline.open(app, contract_for, [VisitorReadModel()], infra.database_url) as pipe:
        pipe.service = build_api(app, VisitorQueries(pipe.pool))
        yield pipe


async def visit_with_plan(pipe: Pipeline, site: UUID, data: st.DataObject) -> UUID | None:
    """One visit, walked to a drawn end: expected, in, out or denied. Every command is
    drawn before any runs, so what is drawn never depends on what was refused."""
    plan = data.draw(st.sampled_from(PLANS), label="plan")
    if data.draw(st.booleans(), label="pre-registered"):
        arrival: Any = data.draw(command(api.PreRegisterVisit))
        step = (data.draw(command(api.DenyVisit)) if plan == "denied"
                else data.draw(command(api.CheckIn)))  # fmt: skip
        first, then = api.PRE_REGISTER, api.DENY if plan == "denied" else api.CHECK_IN
    else:
        arrival = data.draw(command(api.RegisterArrival))
        step = data.draw(command(api.HostDecision, approve=st.just(plan != "denied")))
        first, then = api.REGISTER_ARRIVAL, api.HOST_DECIDES
    visit = await unless_refused(pipe.call(first, site, arrival))
    if visit is None:
        return None
    on_visit = {"visit_id": visit["visit_id"]}
    stepped = plan != "expected" and await unless_refused(pipe.call(then, site, step, **on_visit))
    if stepped and plan == "checked_out":
        await pipe.call(api.CHECK_OUT, site, **on_visit)
    return UUID(visit["visit_id"])


def business_date_of(visit: Visit, zone: str) -> Any:
    """The day a visit is logged under: its check-in, else its expected or actual arrival."""
    moment = visit.checked_in_at or visit.expected_from or visit.registered_at
    return local_date(moment, zone)


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_visit_is_shown(visitor: Pipeline, data: st.DataObject, zone: str,
                                             now: datetime) -> None:  # fmt: skip
    pipe, site = visitor, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        if data.draw(st.booleans(), label="watchlist entry"):
            await pipe.call(
                api.ADD_WATCHLIST_ENTRY, site, data.draw(command(api.AddWatchlistEntry))
            )
        visit_ids = [
            visit_id
            for _ in range(data.draw(st.integers(1, 3), label="visits"))
            if (visit_id := await visit_with_plan(pipe, site, data))
        ]
        messages = []
        for _ in range(data.draw(st.integers(0, 2), label="phone messages")):
            taken = data.draw(command(api.TakePhoneMessage))
            message_id = (await pipe.call(api.TAKE_PHONE_MESSAGE, site, taken))["message_id"]
            delivery = data.draw(st.none() | command(api.DeliverPhoneMessage))
            if delivery:
                await pipe.call(api.DELIVER_PHONE_MESSAGE, site, delivery, message_id=message_id)
            messages.append((UUID(message_id), taken, delivery))
        if data.draw(st.booleans(), label="flag overstays"):
            await pipe.call(api.FLAG_OVERSTAYS, site, data.draw(command(api.FlagOverstays)))

        envelopes = await pipe.published(start)
        await pipe.project(envelopes, data.draw(st.integers(1, 20), label="batch size"))

        visits = {visit_id: pipe.app.visit(site, visit_id) for visit_id in visit_ids}
        in_building = await pipe.call(api.IN_BUILDING, site)
        assert {UUID(row["visit_id"]) for row in in_building} == {
            v.id for v in visits.values() if v.status == VisitStatus.CHECKED_IN
        }, "the evacuation list is everyone checked in"

        days = {business_date_of(visit, zone) for visit in visits.values()}
        logged: dict[UUID, dict[str, Any]] = {}
        check_ins: Counter[tuple[str, str]] = Counter()
        for day in days:
            TypeAdapter(BusinessDate).validate_python(day)  # the gateway can ask for that day
            rows = await pipe.call(api.DAILY_LOG, site, date=day.isoformat())
            logged |= {UUID(row["visit_id"]): row for row in rows}
            exported(rows, LOG_COLUMNS, TEXT_COLUMNS, key="visit_id")
            for row in await pipe.call(api.HOST_HOURLY, site, date=day.isoformat()):
                check_ins[(row["host_unit"], row["host_name"])] += row["check_ins"]
        assert set(logged) == set(visits), "every visit is in the log of its day"
        for visit_id, visit in visits.items():
            row = logged[visit_id]
            assert row["business_date"] == business_date_of(visit, zone).isoformat()
            assert row["status"] == visit.status.value
            for name in ("visitor_name", "visitor_company", "host_unit", "host_name", "purpose",
                         "party_size", "id_checked", "id_type", "denial_reason"):  # fmt: skip
                assert row[name] == getattr(visit, name), name
            for name in ("registered_at", "checked_in_at", "checked_out_at"):
                assert _instant(row[name]) == getattr(visit, name), name
            if visit.overstayed_on:
                assert row["overstayed_on"] == visit.overstayed_on[-1].isoformat()
        assert check_ins == Counter(
            (v.host_unit, v.host_name) for v in visits.values() if v.checked_in_at
        ), "every check-in is counted for its host"

        book = {UUID(row["message_id"]): row for row in await pipe.call(api.PHONE_MESSAGES, site)}
        assert set(book) == {message_id for message_id, _, _ in messages}
        for message_id, taken, delivery in messages:
            row = book[message_id]
            for name in ("caller_name", "caller_company", "caller_phone", "reason", "for_unit",
                         "for_person"):  # fmt: skip
                assert row[name] == getattr(taken, name), name
            assert row["acknowledged_by"] == (delivery.acknowledged_by if delivery else None)


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(ZoneInfo("UTC"))


CALL_STEPS = (api.SIGN_FOR_CALL, api.FOLLOW_UP_CALL, api.COMPLETE_CALL)


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_call_is_in_the_register_and_the_week(
    visitor: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = visitor, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        call_ids = []
        for _ in range(data.draw(st.integers(1, 3), label="calls")):
            recorded = await unless_refused(
                pipe.call(api.RECORD_CALL, site, data.draw(command(api.RecordCall)))
            )
            if recorded is None:
                continue
            call_ids.append(UUID(recorded["call_id"]))
            steps = data.draw(st.integers(0, 3), label="steps")
            models = (api.SignForCall, api.FollowUpCall, api.CompleteCall)
            for method, model in list(zip(CALL_STEPS, models, strict=True))[:steps]:
                await unless_refused(
                    pipe.call(method, site, data.draw(command(model)), call_id=recorded["call_id"])
                )

        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 20), label="batch")
        )

        calls = {call_id: pipe.app.call(site, call_id) for call_id in call_ids}
        days = {local_date(c.received_at, zone) for c in calls.values()}
        register: dict[UUID, dict[str, Any]] = {}
        weekly: Counter[tuple[str, str]] = Counter()
        for day in days:
            rows = await pipe.call(api.CALLS, site, date=day.isoformat())
            register |= {UUID(row["call_id"]): row for row in rows}
            week = await pipe.call(api.WEEKLY_CALLS, site, week_start=day.isoformat())
            for tally in week["by_date_and_category"]:
                if tally["business_date"] == day.isoformat():
                    weekly[(tally["business_date"], tally["category"])] += tally["calls"]
        assert set(register) == set(calls), "every call is in the register of its day"
        for call_id, call in calls.items():
            shown = api.CallView.model_validate(register[call_id])
            assert shown == api.CallView.model_validate(
                await pipe.call(api.GET_CALL, site, call_id=str(call_id))
            ), "the register shows a call as the write side does"
            assert shown.caller_name == call.caller_name and shown.reason == call.reason
        assert weekly == Counter(
            (local_date(c.received_at, zone).isoformat(), c.category) for c in calls.values()
        ), "the weekly summary counts every call under its day and category"


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_desk_day_is_shown(
    visitor: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = visitor, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        day = clock.today(zone)
        on_day = {"business_date": day.isoformat()}
        opened = await unless_refused(
            pipe.call(api.OPEN_DESK, site, data.draw(command(api.OpenDesk)), **on_day)
        )
        if opened is None:
            return
        for _ in range(data.draw(st.integers(0, 3), label="handovers")):
            handover = data.draw(command(api.HandOverShift), label="handover")
            ack = data.draw(command(api.AcknowledgeHandover))
            if handed := await unless_refused(
                pipe.call(api.HAND_OVER_SHIFT, site, handover, **on_day)
            ):
                number = handed["handovers"][-1]["number"]
                await pipe.call(api.ACKNOWLEDGE_HANDOVER, site, ack, number=number, **on_day)
        if data.draw(st.booleans(), label="closed"):
            await unless_refused(
                pipe.call(api.CLOSE_DESK, site, data.draw(command(api.CloseDesk)), **on_day)
            )

        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 20), label="batch")
        )

        held = api.DeskDayView.model_validate(await pipe.call(api.GET_DESK_DAY, site, **on_day))
        (shown,) = await pipe.call(api.DESK_DAYS, site, first=day.isoformat(), last=day.isoformat())
        assert api.DeskDayView.model_validate(shown) == held, "the desk day as it was kept"


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_vip_reception_is_shown(
    visitor: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = visitor, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        plan = data.draw(command(api.PlanVipReception))
        confirmation = data.draw(st.none() | command(api.ConfirmVipReception))
        planned = await unless_refused(pipe.call(api.PLAN_VIP_RECEPTION, site, plan))
        if planned is None:
            return
        on_visit = {"visit_id": planned["visit_id"]}
        if confirmation:
            await unless_refused(
                pipe.call(api.CONFIRM_VIP_RECEPTION, site, confirmation, **on_visit)
            )

        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 20), label="batch")
        )

        held = api.VipReceptionView.model_validate(
            await pipe.call(api.GET_VIP_RECEPTION, site, **on_visit)
        )
        TypeAdapter(BusinessDate).validate_python(held.business_date)
        (shown,) = await pipe.call(api.VIP_RECEPTIONS, site, date=held.business_date.isoformat())
        assert api.VipReceptionView.model_validate(shown) == held, "the plan as it was kept"
        assert held.guest_name == plan.visitor_name and held.escorts == plan.escorts


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_luggage_deposit_is_shown(
    visitor: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = visitor, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        deposit = data.draw(command(api.DepositLuggage))
        collection = data.draw(st.none() | command(api.CollectLuggage))
        await pipe.call(api.DEPOSIT_LUGGAGE, site, deposit)
        if collection:
            await pipe.call(api.COLLECT_LUGGAGE, site, collection, tag=deposit.tag)

        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 20), label="batch")
        )

        held = api.LuggageView.model_validate(
            await pipe.call(api.GET_LUGGAGE, site, tag=deposit.tag)
        )
        (shown,) = await pipe.call(api.LUGGAGE, site, held_only=False)
        assert api.LuggageView.model_validate(shown) == held, "the deposit as it was kept"
        assert held.owner_name == deposit.owner_name and held.description == deposit.description
        assert await pipe.call(api.LUGGAGE, site, held_only=True) == ([] if collection else [shown])


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_building_notice_is_shown(
    visitor: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = visitor, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        notice = await pipe.call(
            api.ISSUE_BUILDING_NOTICE, site, data.draw(command(api.IssueBuildingNotice))
        )
        for delivery in data.draw(st.lists(command(api.DeliverBuildingNotice), max_size=3)):
            await unless_refused(
                pipe.call(
                    api.DELIVER_BUILDING_NOTICE, site, delivery, notice_id=notice["notice_id"]
                )
            )

        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 20), label="batch")
        )

        held = api.BuildingNoticeView.model_validate(
            await pipe.call(api.GET_BUILDING_NOTICE, site, notice_id=notice["notice_id"])
        )
        (shown,) = await pipe.call(api.BUILDING_NOTICES, site)
        assert api.BuildingNoticeView.model_validate(shown) == held, "who was told, as kept"
