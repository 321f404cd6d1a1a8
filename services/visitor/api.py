"""gRPC API of the visitor service: commands go to the application, queries to the read model.

Every request names its site; the gateway has already checked the caller may act
there, and every load here is scoped to that site, so an id from another site is
simply not found.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from contracts import visitor_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.clock import clock
from runtime.rpc import RpcService
from runtime.sites import site_timezone
from services.visitor.application import VisitorApplication
from services.visitor.domain import Visit
from services.visitor.office_api import implement_front_office
from services.visitor.projections import VisitorQueries
from services.visitor.services_api import implement_building_services


def visit_view(visit: Visit) -> api.VisitView:
    return api.VisitView(
        visit_id=visit.id,
        site_id=visit.site_id,
        status=visit.status.value,
        visitor_name=visit.visitor_name,
        visitor_company=visit.visitor_company,
        host_unit=visit.host_unit,
        host_name=visit.host_name,
        purpose=visit.purpose,
        party_size=visit.party_size,
        pre_registered=visit.pre_registered,
        expected_from=visit.expected_from,
        expected_until=visit.expected_until,
        registered_at=visit.registered_at,
        checked_in_at=visit.checked_in_at,
        checked_out_at=visit.checked_out_at,
        id_checked=visit.id_checked,
        id_type=visit.id_type,
        denial_reason=visit.denial_reason,
        overstayed_on=visit.overstayed_on,
        version=visit.version,
    )


def build_api(app: VisitorApplication, queries: VisitorQueries) -> RpcService:
    rpc = RpcService(api.SERVICE)
    in_thread = asyncio.to_thread

    @rpc.implements(api.PRE_REGISTER)
    async def pre_register(
        request: SiteCommand[api.PreRegisterVisit], call: CallContext
    ) -> api.VisitView:
        site, cmd = request.site_id, request.payload
        host = await queries.unit_standing(site, cmd.host_unit)
        return visit_view(await in_thread(app.pre_register, site, cmd, host, call.correlation_id))

    @rpc.implements(api.REGISTER_ARRIVAL)
    async def register_arrival(
        request: SiteCommand[api.RegisterArrival], call: CallContext
    ) -> api.VisitView:
        site, cmd = request.site_id, request.payload
        host = await queries.unit_standing(site, cmd.host_unit)
        visit = await in_thread(app.register_arrival, site, cmd, host, call.correlation_id)
        return visit_view(visit)

    async def on_visit(
        request: api.VisitRef, call: CallContext, action: Any, *args: Any
    ) -> api.VisitView:
        visit = await in_thread(
            action, request.site_id, request.visit_id, *args, call.correlation_id
        )
        return visit_view(visit)

    @rpc.implements(api.CHECK_IN)
    async def check_in(request: api.OnVisit[api.CheckIn], call: CallContext) -> api.VisitView:
        return await on_visit(request, call, app.check_in, request.payload)

    @rpc.implements(api.HOST_DECIDES)
    async def host_decides(
        request: api.OnVisit[api.HostDecision], call: CallContext
    ) -> api.VisitView:
        return await on_visit(request, call, app.host_decides, request.payload)

    @rpc.implements(api.DENY)
    async def deny(request: api.OnVisit[api.DenyVisit], call: CallContext) -> api.VisitView:
        return await on_visit(request, call, app.deny, request.payload)

    @rpc.implements(api.CHECK_OUT)
    async def check_out(request: api.VisitRef, call: CallContext) -> api.VisitView:
        return await on_visit(request, call, app.check_out)

    @rpc.implements(api.GET_VISIT)
    async def get_visit(request: api.VisitRef, call: CallContext) -> api.VisitView:
        return visit_view(await in_thread(app.visit, request.site_id, request.visit_id))

    @rpc.implements(api.FLAG_OVERSTAYS)
    async def flag_overstays(
        request: SiteCommand[api.FlagOverstays], call: CallContext
    ) -> api.OverstaysFlagged:
        site = request.site_id
        day = request.payload.business_date or clock.today(site_timezone(site))
        candidates = await queries.overstay_candidates(site, day)
        flagged = await in_thread(app.flag_overstays, site, candidates, day, call.correlation_id)
        return api.OverstaysFlagged(business_date=day, flagged=flagged)

    @rpc.implements(api.ADD_WATCHLIST_ENTRY)
    async def add_watchlist_entry(
        request: SiteCommand[api.AddWatchlistEntry], call: CallContext
    ) -> api.WatchlistEntryAdded:
        cmd = request.payload
        entry_id = await in_thread(
            app.add_watchlist_entry, request.site_id, cmd, call.correlation_id
        )
        return api.WatchlistEntryAdded(entry_id=UUID(entry_id), scope=cmd.scope)

    @rpc.implements(api.TAKE_PHONE_MESSAGE)
    async def take_phone_message(
        request: SiteCommand[api.TakePhoneMessage], call: CallContext
    ) -> api.PhoneMessageTaken:
        site, cmd = request.site_id, request.payload
        addressee = await queries.unit_standing(site, cmd.for_unit)
        message_id = await in_thread(
            app.take_phone_message, site, cmd, addressee, call.correlation_id
        )
        return api.PhoneMessageTaken(message_id=message_id)

    @rpc.implements(api.DELIVER_PHONE_MESSAGE)
    async def deliver_phone_message(
        request: api.OnPhoneMessage[api.DeliverPhoneMessage], call: CallContext
    ) -> api.PhoneMessageDelivered:
        await in_thread(
            app.deliver_phone_message, request.site_id, request.message_id, request.payload,
            call.correlation_id,
        )  # fmt: skip
        return api.PhoneMessageDelivered(message_id=request.message_id, delivered=True)

    @rpc.implements(api.IN_BUILDING)
    async def in_building(request: SiteRequest, call: CallContext) -> list[dict[str, Any]]:
        return await queries.in_building(request.site_id)

    @rpc.implements(api.DAILY_LOG)
    async def daily_log(request: api.LogQuery, call: CallContext) -> list[dict[str, Any]]:
        return await queries.daily_log(request.site_id, request.date, request)

    @rpc.implements(api.HOST_HOURLY)
    async def host_hourly(request: api.DayQuery, call: CallContext) -> list[dict[str, Any]]:
        return await queries.host_hourly(request.site_id, request.date)

    @rpc.implements(api.PHONE_MESSAGES)
    async def phone_messages(
        request: api.PhoneBookQuery, call: CallContext
    ) -> list[dict[str, Any]]:
        return await queries.phone_messages(request.site_id, request.undelivered_only)

    implement_front_office(rpc, app, queries)
    implement_building_services(rpc, app, queries)
    return rpc
