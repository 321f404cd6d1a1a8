"""gRPC methods of the front office's registers (issue 12): the call register, the
desk's days, VIP receptions, watchlist alerts, luggage, the reception-time statistic
and building notices. Commands go to the application and answer the object as the
write side holds it; lists come from the read model (`registers`) in the same view.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from contracts import visitor_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.clock import clock, local_date
from runtime.rpc import RpcService
from runtime.sites import site_timezone
from services.visitor.application import VisitorApplication
from services.visitor.building_notice import BuildingNotice
from services.visitor.call_register import CallRecord
from services.visitor.desk_day import DeskDay
from services.visitor.domain import UnitStanding, Visit
from services.visitor.luggage import LuggageTag
from services.visitor.projections import VisitorQueries
from services.visitor.vip_reception import VipReception
from services.visitor.watchlist_alert import WatchlistAlert

in_thread = asyncio.to_thread


def call_view(call: CallRecord) -> dict[str, Any]:
    """The same view of a call as the register's rows (`calls` read model)."""
    return {
        "call_id": call.id,
        "site_id": call.site_id,
        "business_date": local_date(call.received_at, site_timezone(call.site_id)),
        "received_at": call.received_at,
        "caller_name": call.caller_name,
        "caller_company": call.caller_company,
        "caller_number": call.caller_number,
        "reason": call.reason,
        "category": call.category,
        "important": call.important,
        "passed_to": call.passed_to,
        "status": call.status.value,
        "signed_for_by": call.signed_for_by,
        "follow_ups": len(call.follow_ups),
        "last_progress": call.follow_ups[-1] if call.follow_ups else None,
        "result": call.result,
        "signed_off_by": call.signed_off_by,
    }


def desk_day_view(day: DeskDay, carried_over: list[str]) -> dict[str, Any]:
    """The same view of a desk day as the `desk_days` read model's rows."""
    return {
        "desk_day_id": day.id,
        "site_id": day.site_id,
        "business_date": day.business_date,
        "opened_by": day.opened_by,
        "opened_at": day.opened_at,
        "opening_checks": day.opening_checks,
        "opening_note": day.opening_note,
        "handovers": day.handovers,
        "closed_by": day.closed_by,
        "closed_at": day.closed_at,
        "closing_checks": day.closing_checks,
        "closing_note": day.closing_note,
        "summary": day.summary,
        "for_tomorrow": day.for_tomorrow,
        "carried_over": carried_over,
    }


def vip_view(reception: VipReception, visit: Visit) -> dict[str, Any]:
    """The same view of a VIP reception as the `vip_receptions` read model's rows."""
    return {
        "reception_id": reception.id,
        "visit_id": reception.visit_id,
        "site_id": reception.site_id,
        "business_date": local_date(reception.expected_from, site_timezone(reception.site_id)),
        "expected_from": reception.expected_from,
        "guest_name": reception.guest_name,
        "guest_company": reception.guest_company,
        "host_unit": reception.host_unit,
        "host_name": reception.host_name,
        "level": reception.level,
        "escorts": reception.escorts,
        "meeting_room": reception.meeting_room,
        "room_setup": reception.room_setup,
        "pickup": (
            {"place": reception.pickup_place, "at": reception.pickup_at}
            if reception.pickup_place is not None
            else None
        ),
        "confirmed_by": reception.confirmed_by,
        "confirmed_with": reception.confirmed_with,
        "confirmed_at": reception.confirmed_at,
        "visit_status": visit.status.value,
    }


def alert_view(alert: WatchlistAlert) -> dict[str, Any]:
    """The same view of an alert as the `watchlist_alerts` read model's rows."""
    return {
        "alert_id": alert.id,
        "site_id": alert.site_id,
        "group_wide": alert.group_wide,
        "visitor_name": alert.visitor_name,
        "host_unit": alert.host_unit,
        "visit_id": alert.visit_id,
        "notify": alert.notify,
        "raised_at": alert.raised_at,
        "acknowledged_by": alert.acknowledged_by,
        "action": alert.action,
        "acknowledged_at": alert.acknowledged_at,
    }


def luggage_view(tag: LuggageTag) -> dict[str, Any]:
    """The tag's latest deposit, as the `luggage` read model's rows show it."""
    return {**(tag.last or {}), "site_id": tag.site_id, "tag": tag.tag}


def notice_view(notice: BuildingNotice) -> dict[str, Any]:
    """The same view of a notice as the `building_notices` read model's rows."""
    return {
        "notice_id": notice.id,
        "site_id": notice.site_id,
        "subject": notice.subject,
        "content": notice.content,
        "issued_by": notice.issued_by,
        "issued_at": notice.issued_at,
        "deliveries": notice.deliveries,
    }


def implement_front_office(rpc: RpcService, app: VisitorApplication,
                           queries: VisitorQueries) -> None:  # fmt: skip
    """Register the front office's methods on the visitor service."""
    implement_call_register(rpc, app, queries)
    implement_desk_days(rpc, app, queries)
    implement_vip_receptions(rpc, app, queries)
    implement_watchlist_alerts(rpc, app, queries)
    implement_luggage(rpc, app, queries)
    implement_reception_time(rpc, app, queries)
    implement_building_notices(rpc, app, queries)


def implement_call_register(rpc: RpcService, app: VisitorApplication,
                            queries: VisitorQueries) -> None:  # fmt: skip
    @rpc.implements(api.RECORD_CALL)
    async def record_call(request: SiteCommand[api.RecordCall], call: CallContext) -> Any:
        return call_view(
            await in_thread(app.record_call, request.site_id, request.payload, call.correlation_id)
        )

    async def on_call(request: api.CallRef, call: CallContext, step: Any) -> Any:
        record = await in_thread(
            app.on_call, request.site_id, request.call_id, call.correlation_id, step
        )
        return call_view(record)

    @rpc.implements(api.SIGN_FOR_CALL)
    async def sign_for_call(request: api.OnCall[api.SignForCall], call: CallContext) -> Any:
        cmd = request.payload
        return await on_call(
            request, call, lambda c: c.sign_for(signed_by=cmd.signed_by, at=clock.now())
        )

    @rpc.implements(api.FOLLOW_UP_CALL)
    async def follow_up_call(request: api.OnCall[api.FollowUpCall], call: CallContext) -> Any:
        cmd = request.payload
        return await on_call(
            request, call, lambda c: c.follow_up(progress=cmd.progress, by=cmd.by, at=clock.now())
        )

    @rpc.implements(api.COMPLETE_CALL)
    async def complete_call(request: api.OnCall[api.CompleteCall], call: CallContext) -> Any:
        cmd = request.payload
        return await on_call(
            request, call,
            lambda c: c.complete(result=cmd.result, signed_by=cmd.signed_by, at=clock.now()),
        )  # fmt: skip

    @rpc.implements(api.GET_CALL)
    async def get_call(request: api.CallRef, call: CallContext) -> Any:
        return call_view(await in_thread(app.call, request.site_id, request.call_id))

    @rpc.implements(api.CALLS)
    async def calls(request: api.CallQuery, call: CallContext) -> Any:
        category = request.category.value if request.category else None
        return await queries.calls(request.site_id, request.date, category, request.open_only)

    @rpc.implements(api.WEEKLY_CALLS)
    async def weekly_calls(request: api.WeekQuery, call: CallContext) -> Any:
        return await queries.weekly_calls(request.site_id, request.week_start)


def implement_desk_days(rpc: RpcService, app: VisitorApplication,
                        queries: VisitorQueries) -> None:  # fmt: skip
    async def reply(request: api.DeskDayRef, desk_day: DeskDay) -> Any:
        carried = await in_thread(app.carried_over, request.site_id, desk_day.business_date)
        vips = await queries.vip_receptions(request.site_id, desk_day.business_date, False)
        return {**desk_day_view(desk_day, carried), "vips": vips}

    @rpc.implements(api.OPEN_DESK)
    async def open_desk(request: api.OnDeskDay[api.OpenDesk], call: CallContext) -> Any:
        desk_day = await in_thread(
            app.open_desk, request.site_id, request.business_date, request.payload,
            call.correlation_id,
        )  # fmt: skip
        return await reply(request, desk_day)

    async def on_desk_day(request: api.DeskDayRef, call: CallContext, step: Any) -> Any:
        desk_day = await in_thread(
            app.on_desk_day, request.site_id, request.business_date, call.correlation_id, step
        )
        return await reply(request, desk_day)

    @rpc.implements(api.HAND_OVER_SHIFT)
    async def hand_over_shift(request: api.OnDeskDay[api.HandOverShift], call: CallContext) -> Any:
        cmd = request.payload
        return await on_desk_day(
            request, call,
            lambda d: d.hand_over(
                from_shift=cmd.from_shift.value, to_shift=cmd.to_shift.value,
                handed_over_by=cmd.handed_over_by, open_items=cmd.open_items, at=clock.now(),
            ),
        )  # fmt: skip

    @rpc.implements(api.ACKNOWLEDGE_HANDOVER)
    async def acknowledge_handover(
        request: api.OnHandover[api.AcknowledgeHandover], call: CallContext
    ) -> Any:
        cmd = request.payload
        return await on_desk_day(
            request, call,
            lambda d: d.acknowledge(
                number=request.number, acknowledged_by=cmd.acknowledged_by, at=clock.now()
            ),
        )  # fmt: skip

    @rpc.implements(api.CLOSE_DESK)
    async def close_desk(request: api.OnDeskDay[api.CloseDesk], call: CallContext) -> Any:
        cmd = request.payload
        return await on_desk_day(
            request, call,
            lambda d: d.close(
                closed_by=cmd.closed_by, checks=cmd.checks.model_dump(), note=cmd.note,
                summary=cmd.summary, for_tomorrow=cmd.for_tomorrow, at=clock.now(),
            ),
        )  # fmt: skip

    @rpc.implements(api.GET_DESK_DAY)
    async def get_desk_day(request: api.DeskDayRef, call: CallContext) -> Any:
        desk_day = await in_thread(app.desk_day, request.site_id, request.business_date)
        return await reply(request, desk_day)

    @rpc.implements(api.DESK_DAYS)
    async def desk_days(request: api.DeskDayRange, call: CallContext) -> Any:
        days = await queries.desk_days(request.site_id, request.first, request.last)
        vips: dict[date, list[dict[str, Any]]] = defaultdict(list)
        for reception in await queries.vip_receptions(
            request.site_id, request.first, False, last=request.last
        ):
            vips[reception["business_date"]].append(reception)
        return [{**day, "vips": vips[day["business_date"]]} for day in days]


def implement_vip_receptions(rpc: RpcService, app: VisitorApplication,
                             queries: VisitorQueries) -> None:  # fmt: skip
    @rpc.implements(api.PLAN_VIP_RECEPTION)
    async def plan_vip_reception(
        request: SiteCommand[api.PlanVipReception], call: CallContext
    ) -> Any:
        site, cmd = request.site_id, request.payload
        host = await queries.unit_standing(site, cmd.host_unit)
        return vip_view(
            *await in_thread(app.plan_vip_reception, site, cmd, host, call.correlation_id)
        )

    @rpc.implements(api.CONFIRM_VIP_RECEPTION)
    async def confirm_vip_reception(
        request: api.OnVisit[api.ConfirmVipReception], call: CallContext
    ) -> Any:
        return vip_view(
            *await in_thread(
                app.confirm_vip_reception, request.site_id, request.visit_id, request.payload,
                call.correlation_id,
            )
        )  # fmt: skip

    @rpc.implements(api.GET_VIP_RECEPTION)
    async def get_vip_reception(request: api.VisitRef, call: CallContext) -> Any:
        reception = await in_thread(app.vip_reception, request.site_id, request.visit_id)
        return vip_view(reception, await in_thread(app.visit, request.site_id, request.visit_id))

    @rpc.implements(api.VIP_RECEPTIONS)
    async def vip_receptions(request: api.VipDayQuery, call: CallContext) -> Any:
        return await queries.vip_receptions(request.site_id, request.date, request.unconfirmed_only)

    @rpc.implements(api.VIP_RECEPTIONS_TO_CONFIRM)
    async def vip_receptions_to_confirm(request: SiteRequest, call: CallContext) -> Any:
        """Tomorrow's VIPs at the site not yet confirmed: the day-before reminder."""
        tomorrow = clock.today(site_timezone(request.site_id)) + timedelta(days=1)
        return await queries.vip_receptions(request.site_id, tomorrow, unconfirmed_only=True)


def implement_watchlist_alerts(rpc: RpcService, app: VisitorApplication,
                               queries: VisitorQueries) -> None:  # fmt: skip
    @rpc.implements(api.ACKNOWLEDGE_WATCHLIST_ALERT)
    async def acknowledge_watchlist_alert(
        request: api.OnAlert[api.AcknowledgeWatchlistAlert], call: CallContext
    ) -> Any:
        alert = await in_thread(
            app.acknowledge_watchlist_alert, request.site_id, request.alert_id, request.payload,
            call.correlation_id,
        )  # fmt: skip
        return alert_view(alert)

    @rpc.implements(api.GET_WATCHLIST_ALERT)
    async def get_watchlist_alert(request: api.AlertRef, call: CallContext) -> Any:
        return alert_view(await in_thread(app.watchlist_alert, request.site_id, request.alert_id))

    @rpc.implements(api.WATCHLIST_ALERTS)
    async def watchlist_alerts(request: api.AlertQuery, call: CallContext) -> Any:
        return await queries.watchlist_alerts(request.site_id, request.open_only)

    @rpc.implements(api.GROUP_WATCHLIST_ALERTS)
    async def group_watchlist_alerts(request: api.GroupAlertQuery, call: CallContext) -> Any:
        """The alerts raised by group-wide entries, at every site (the group's supervisor)."""
        return await queries.watchlist_alerts(None, request.open_only)


def implement_luggage(rpc: RpcService, app: VisitorApplication,
                      queries: VisitorQueries) -> None:  # fmt: skip
    @rpc.implements(api.DEPOSIT_LUGGAGE)
    async def deposit_luggage(request: SiteCommand[api.DepositLuggage], call: CallContext) -> Any:
        return luggage_view(
            await in_thread(
                app.deposit_luggage, request.site_id, request.payload, call.correlation_id
            )
        )

    @rpc.implements(api.COLLECT_LUGGAGE)
    async def collect_luggage(request: api.OnTag[api.CollectLuggage], call: CallContext) -> Any:
        return luggage_view(
            await in_thread(
                app.collect_luggage, request.site_id, request.tag, request.payload,
                call.correlation_id,
            )
        )  # fmt: skip

    @rpc.implements(api.GET_LUGGAGE)
    async def get_luggage(request: api.TagRef, call: CallContext) -> Any:
        return luggage_view(await in_thread(app.luggage_tag, request.site_id, request.tag))

    @rpc.implements(api.LUGGAGE)
    async def luggage(request: api.LuggageQuery, call: CallContext) -> Any:
        return await queries.luggage(request.site_id, request.held_only)


def implement_reception_time(rpc: RpcService, app: VisitorApplication,
                             queries: VisitorQueries) -> None:  # fmt: skip
    @rpc.implements(api.SET_RECEPTION_STANDARD)
    async def set_reception_standard(
        request: SiteCommand[api.SetReceptionStandard], call: CallContext
    ) -> Any:
        standard = await in_thread(
            app.set_reception_standard, request.site_id, request.payload, call.correlation_id
        )
        return {"site_id": standard.site_id, "standard_minutes": standard.minutes}

    @rpc.implements(api.GET_RECEPTION_STANDARD)
    async def get_reception_standard(request: SiteRequest, call: CallContext) -> Any:
        standard = await in_thread(app.reception_standard, request.site_id)
        return {"site_id": standard.site_id, "standard_minutes": standard.minutes}

    @rpc.implements(api.MONTHLY_RECEPTION_TIME)
    async def monthly_reception_time(request: api.PeriodQuery, call: CallContext) -> Any:
        return await queries.monthly_reception_time(request.site_id, request.period)


def implement_building_notices(rpc: RpcService, app: VisitorApplication,
                               queries: VisitorQueries) -> None:  # fmt: skip
    @rpc.implements(api.ISSUE_BUILDING_NOTICE)
    async def issue_building_notice(
        request: SiteCommand[api.IssueBuildingNotice], call: CallContext
    ) -> Any:
        return notice_view(
            await in_thread(
                app.issue_building_notice, request.site_id, request.payload, call.correlation_id
            )
        )

    @rpc.implements(api.DELIVER_BUILDING_NOTICE)
    async def deliver_building_notice(
        request: api.OnNotice[api.DeliverBuildingNotice], call: CallContext
    ) -> Any:
        site, cmd = request.site_id, request.payload
        unit = (
            await queries.unit_standing(site, cmd.unit)
            if cmd.unit is not None
            else UnitStanding.NO_ROSTER
        )
        notice = await in_thread(
            app.deliver_building_notice, site, request.notice_id, cmd, unit, call.correlation_id
        )
        return notice_view(notice)

    @rpc.implements(api.GET_BUILDING_NOTICE)
    async def get_building_notice(request: api.NoticeRef, call: CallContext) -> Any:
        return notice_view(await in_thread(app.building_notice, request.site_id, request.notice_id))

    @rpc.implements(api.BUILDING_NOTICES)
    async def building_notices(request: SiteRequest, call: CallContext) -> Any:
        return await queries.building_notices(request.site_id)

    @rpc.implements(api.UNTOLD_UNITS)
    async def untold_units(request: api.NoticeRef, call: CallContext) -> Any:
        """The write side says who was told; the roster says which units there are."""
        notice = await in_thread(app.building_notice, request.site_id, request.notice_id)
        told = sorted({d["unit"] for d in notice.deliveries if d["unit"] is not None})
        return {
            "notice_id": request.notice_id,
            "units": await queries.untold_units(request.site_id, told),
        }
