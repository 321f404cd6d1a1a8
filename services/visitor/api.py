"""gRPC API of the visitor service: commands go to the application, queries to the read model.

Every request names its site; the gateway has already checked the caller may act
there, and every load here is scoped to that site, so an id from another site is
simply not found.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID

from contracts import visitor_api as api
from runtime.clock import clock, local_date
from runtime.rpc import RpcService, correlation_of, site_of
from runtime.sites import site_timezone
from services.visitor.application import VisitorApplication
from services.visitor.call_register import CallRecord
from services.visitor.domain import Visit
from services.visitor.projections import VisitorQueries


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

    return rpc
