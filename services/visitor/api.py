"""gRPC API of the visitor service: commands go to the application, queries to the read model.

Every request names its site; the gateway has already checked the caller may act
there, and every load here is scoped to that site, so an id from another site is
simply not found.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from contracts import visitor_api as api
from runtime.clock import clock, local_date
from runtime.rpc import RpcService, correlation_of, site_of
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


def visit_view(visit: Visit) -> dict[str, Any]:
    return {
        "visit_id": visit.id,
        "site_id": visit.site_id,
        "status": visit.status.value,
        "visitor_name": visit.visitor_name,
        "visitor_company": visit.visitor_company,
        "host_unit": visit.host_unit,
        "host_name": visit.host_name,
        "purpose": visit.purpose,
        "party_size": visit.party_size,
        "pre_registered": visit.pre_registered,
        "expected_from": visit.expected_from,
        "expected_until": visit.expected_until,
        "registered_at": visit.registered_at,
        "checked_in_at": visit.checked_in_at,
        "checked_out_at": visit.checked_out_at,
        "id_checked": visit.id_checked,
        "id_type": visit.id_type,
        "denial_reason": visit.denial_reason,
        "overstayed_on": visit.overstayed_on,
        "version": visit.version,
    }


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


def build_api(app: VisitorApplication, queries: VisitorQueries) -> RpcService:
    rpc = RpcService("visitor")

    site, cid, in_thread = site_of, correlation_of, asyncio.to_thread

    @rpc.method
    async def pre_register(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.PreRegisterVisit.model_validate(request["payload"])
        host = await queries.unit_standing(site(request), cmd.host_unit)
        return visit_view(await in_thread(app.pre_register, site(request), cmd, host, cid(request)))

    @rpc.method
    async def register_arrival(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.RegisterArrival.model_validate(request["payload"])
        host = await queries.unit_standing(site(request), cmd.host_unit)
        return visit_view(
            await in_thread(app.register_arrival, site(request), cmd, host, cid(request))
        )

    async def on_visit(request: dict[str, Any], action: Any, *args: Any) -> dict[str, Any]:
        visit_id = UUID(request["visit_id"])
        return visit_view(await in_thread(action, site(request), visit_id, *args, cid(request)))

    @rpc.method
    async def check_in(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.CheckIn.model_validate(request["payload"])
        return await on_visit(request, app.check_in, cmd)

    @rpc.method
    async def host_decides(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.HostDecision.model_validate(request["payload"])
        return await on_visit(request, app.host_decides, cmd)

    @rpc.method
    async def deny(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.DenyVisit.model_validate(request["payload"])
        return await on_visit(request, app.deny, cmd)

    @rpc.method
    async def check_out(request: dict[str, Any]) -> dict[str, Any]:
        return await on_visit(request, app.check_out)

    @rpc.method
    async def get_visit(request: dict[str, Any]) -> dict[str, Any]:
        return visit_view(await in_thread(app.visit, site(request), UUID(request["visit_id"])))

    @rpc.method
    async def flag_overstays(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.FlagOverstays.model_validate(request["payload"])
        day = cmd.business_date or clock.today(site_timezone(site(request)))
        candidates = await queries.overstay_candidates(site(request), day)
        flagged = await in_thread(app.flag_overstays, site(request), candidates, day, cid(request))
        return {"business_date": day, "flagged": flagged}

    @rpc.method
    async def add_watchlist_entry(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.AddWatchlistEntry.model_validate(request["payload"])
        entry_id = await in_thread(app.add_watchlist_entry, site(request), cmd, cid(request))
        return {"entry_id": entry_id, "scope": cmd.scope}

    @rpc.method
    async def take_phone_message(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.TakePhoneMessage.model_validate(request["payload"])
        addressee = await queries.unit_standing(site(request), cmd.for_unit)
        message_id = await in_thread(
            app.take_phone_message, site(request), cmd, addressee, cid(request)
        )
        return {"message_id": message_id}

    @rpc.method
    async def deliver_phone_message(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.DeliverPhoneMessage.model_validate(request["payload"])
        message_id = UUID(request["message_id"])
        await in_thread(app.deliver_phone_message, site(request), message_id, cmd, cid(request))
        return {"message_id": message_id, "delivered": True}

    @rpc.method
    async def in_building(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.in_building(site(request))

    @rpc.method
    async def daily_log(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.daily_log(site(request), date.fromisoformat(request["date"]))

    @rpc.method
    async def host_hourly(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.host_hourly(site(request), date.fromisoformat(request["date"]))

    @rpc.method
    async def phone_messages(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.phone_messages(site(request), bool(request.get("undelivered_only")))

    @rpc.method
    async def record_call(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.RecordCall.model_validate(request["payload"])
        return call_view(await in_thread(app.record_call, site(request), cmd, cid(request)))

    async def on_call(request: dict[str, Any], step: Any) -> dict[str, Any]:
        call_id = UUID(request["call_id"])
        return call_view(await in_thread(app.on_call, site(request), call_id, cid(request), step))

    @rpc.method
    async def sign_for_call(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.SignForCall.model_validate(request["payload"])
        return await on_call(request, lambda c: c.sign_for(signed_by=cmd.signed_by, at=clock.now()))

    @rpc.method
    async def follow_up_call(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.FollowUpCall.model_validate(request["payload"])
        return await on_call(
            request, lambda c: c.follow_up(progress=cmd.progress, by=cmd.by, at=clock.now())
        )

    @rpc.method
    async def complete_call(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.CompleteCall.model_validate(request["payload"])
        return await on_call(
            request,
            lambda c: c.complete(result=cmd.result, signed_by=cmd.signed_by, at=clock.now()),
        )

    @rpc.method
    async def get_call(request: dict[str, Any]) -> dict[str, Any]:
        return call_view(await in_thread(app.call, site(request), UUID(request["call_id"])))

    @rpc.method
    async def calls(request: dict[str, Any]) -> list[dict[str, Any]]:
        day = date.fromisoformat(request["date"]) if request.get("date") else None
        return await queries.calls(
            site(request), day, request.get("category"), bool(request.get("open_only"))
        )

    @rpc.method
    async def weekly_calls(request: dict[str, Any]) -> dict[str, Any]:
        return await queries.weekly_calls(site(request), date.fromisoformat(request["week_start"]))

    async def desk_day_reply(request: dict[str, Any], desk_day: DeskDay) -> dict[str, Any]:
        carried = await in_thread(app.carried_over, site(request), desk_day.business_date)
        return desk_day_view(desk_day, carried)

    def business_date(request: dict[str, Any]) -> date:
        return date.fromisoformat(request["business_date"])

    @rpc.method
    async def open_desk(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.OpenDesk.model_validate(request["payload"])
        day = business_date(request)
        return await desk_day_reply(
            request, await in_thread(app.open_desk, site(request), day, cmd, cid(request))
        )

    async def on_desk_day(request: dict[str, Any], step: Any) -> dict[str, Any]:
        day = business_date(request)
        desk_day = await in_thread(app.on_desk_day, site(request), day, cid(request), step)
        return await desk_day_reply(request, desk_day)

    @rpc.method
    async def hand_over_shift(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.HandOverShift.model_validate(request["payload"])
        return await on_desk_day(
            request,
            lambda d: d.hand_over(
                from_shift=cmd.from_shift.value, to_shift=cmd.to_shift.value,
                handed_over_by=cmd.handed_over_by, open_items=cmd.open_items, at=clock.now(),
            ),
        )  # fmt: skip

    @rpc.method
    async def acknowledge_handover(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.AcknowledgeHandover.model_validate(request["payload"])
        number = int(request["number"])
        return await on_desk_day(
            request,
            lambda d: d.acknowledge(
                number=number, acknowledged_by=cmd.acknowledged_by, at=clock.now()
            ),
        )

    @rpc.method
    async def close_desk(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.CloseDesk.model_validate(request["payload"])
        return await on_desk_day(
            request,
            lambda d: d.close(
                closed_by=cmd.closed_by, checks=cmd.checks.model_dump(), note=cmd.note,
                summary=cmd.summary, for_tomorrow=cmd.for_tomorrow, at=clock.now(),
            ),
        )  # fmt: skip

    @rpc.method
    async def get_desk_day(request: dict[str, Any]) -> dict[str, Any]:
        desk_day = await in_thread(app.desk_day, site(request), business_date(request))
        return await desk_day_reply(request, desk_day)

    @rpc.method
    async def desk_days(request: dict[str, Any]) -> list[dict[str, Any]]:
        first, last = date.fromisoformat(request["first"]), date.fromisoformat(request["last"])
        return await queries.desk_days(site(request), first, last)

    @rpc.method
    async def plan_vip_reception(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.PlanVipReception.model_validate(request["payload"])
        host = await queries.unit_standing(site(request), cmd.host_unit)
        return vip_view(
            *await in_thread(app.plan_vip_reception, site(request), cmd, host, cid(request))
        )

    @rpc.method
    async def confirm_vip_reception(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.ConfirmVipReception.model_validate(request["payload"])
        visit_id = UUID(request["visit_id"])
        return vip_view(
            *await in_thread(app.confirm_vip_reception, site(request), visit_id, cmd, cid(request))
        )

    @rpc.method
    async def get_vip_reception(request: dict[str, Any]) -> dict[str, Any]:
        visit_id = UUID(request["visit_id"])
        reception = await in_thread(app.vip_reception, site(request), visit_id)
        return vip_view(reception, await in_thread(app.visit, site(request), visit_id))

    @rpc.method
    async def vip_receptions(request: dict[str, Any]) -> list[dict[str, Any]]:
        day = date.fromisoformat(request["date"])
        return await queries.vip_receptions(
            site(request), day, bool(request.get("unconfirmed_only"))
        )

    @rpc.method
    async def vip_receptions_to_confirm(request: dict[str, Any]) -> list[dict[str, Any]]:
        """Tomorrow's VIPs at the site not yet confirmed: the day-before reminder."""
        tomorrow = clock.today(site_timezone(site(request))) + timedelta(days=1)
        return await queries.vip_receptions(site(request), tomorrow, unconfirmed_only=True)

    @rpc.method
    async def acknowledge_watchlist_alert(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.AcknowledgeWatchlistAlert.model_validate(request["payload"])
        alert_id = UUID(request["alert_id"])
        return alert_view(
            await in_thread(
                app.acknowledge_watchlist_alert, site(request), alert_id, cmd, cid(request)
            )
        )

    @rpc.method
    async def get_watchlist_alert(request: dict[str, Any]) -> dict[str, Any]:
        alert_id = UUID(request["alert_id"])
        return alert_view(await in_thread(app.watchlist_alert, site(request), alert_id))

    @rpc.method
    async def watchlist_alerts(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.watchlist_alerts(site(request), bool(request.get("open_only")))

    @rpc.method
    async def group_watchlist_alerts(request: dict[str, Any]) -> list[dict[str, Any]]:
        """The alerts raised by group-wide entries, at every site (the group's supervisor)."""
        return await queries.watchlist_alerts(None, bool(request.get("open_only")))

    @rpc.method
    async def deposit_luggage(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.DepositLuggage.model_validate(request["payload"])
        return luggage_view(await in_thread(app.deposit_luggage, site(request), cmd, cid(request)))

    @rpc.method
    async def collect_luggage(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.CollectLuggage.model_validate(request["payload"])
        tag = str(request["tag"])
        return luggage_view(
            await in_thread(app.collect_luggage, site(request), tag, cmd, cid(request))
        )

    @rpc.method
    async def get_luggage(request: dict[str, Any]) -> dict[str, Any]:
        return luggage_view(await in_thread(app.luggage_tag, site(request), str(request["tag"])))

    @rpc.method
    async def luggage(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.luggage(site(request), bool(request.get("held_only", True)))

    @rpc.method
    async def set_reception_standard(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.SetReceptionStandard.model_validate(request["payload"])
        standard = await in_thread(app.set_reception_standard, site(request), cmd, cid(request))
        return {"site_id": standard.site_id, "standard_minutes": standard.minutes}

    @rpc.method
    async def get_reception_standard(request: dict[str, Any]) -> dict[str, Any]:
        standard = await in_thread(app.reception_standard, site(request))
        return {"site_id": standard.site_id, "standard_minutes": standard.minutes}

    @rpc.method
    async def monthly_reception_time(request: dict[str, Any]) -> dict[str, Any]:
        return await queries.monthly_reception_time(site(request), str(request["period"]))

    @rpc.method
    async def issue_building_notice(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.IssueBuildingNotice.model_validate(request["payload"])
        return notice_view(
            await in_thread(app.issue_building_notice, site(request), cmd, cid(request))
        )

    @rpc.method
    async def deliver_building_notice(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.DeliverBuildingNotice.model_validate(request["payload"])
        notice_id = UUID(request["notice_id"])
        unit = (
            await queries.unit_standing(site(request), cmd.unit)
            if cmd.unit is not None
            else UnitStanding.NO_ROSTER
        )
        return notice_view(
            await in_thread(
                app.deliver_building_notice, site(request), notice_id, cmd, unit, cid(request)
            )
        )

    @rpc.method
    async def get_building_notice(request: dict[str, Any]) -> dict[str, Any]:
        notice_id = UUID(request["notice_id"])
        return notice_view(await in_thread(app.building_notice, site(request), notice_id))

    @rpc.method
    async def building_notices(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.building_notices(site(request))

    @rpc.method
    async def untold_units(request: dict[str, Any]) -> dict[str, Any]:
        """The write side says who was told; the roster says which units there are."""
        notice_id = UUID(request["notice_id"])
        notice = await in_thread(app.building_notice, site(request), notice_id)
        told = sorted({d["unit"] for d in notice.deliveries if d["unit"] is not None})
        return {"notice_id": notice_id, "units": await queries.untold_units(site(request), told)}

    return rpc
