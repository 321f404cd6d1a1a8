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
from runtime.clock import clock
from runtime.rpc import RpcService, correlation_of, site_of
from runtime.sites import site_timezone
from services.visitor.application import VisitorApplication
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

    return rpc
