"""gRPC API of the mail service: the register's commands and views."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from contracts import mail_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.clock import clock
from runtime.rpc import RpcService
from runtime.sites import site_timezone
from services.mail.application import MailApplication
from services.mail.delivery_round import DeliveryRound
from services.mail.domain import MailItem, RefusedDelivery
from services.mail.projections import MailQueries


def item_view(item: MailItem) -> api.ItemView:
    return api.ItemView(
        item_id=item.id, site_id=item.site_id, kind=item.kind, status=item.status.value,
        recipient_unit=item.recipient_unit, recipient_person=item.recipient_person,
        urgent=item.urgent, received_at=item.received_at, reminders=item.reminders,
        version=item.version,
    )  # fmt: skip


def refusal_view(refused: RefusedDelivery) -> api.RefusalView:
    return api.RefusalView(
        item_id=refused.id, site_id=refused.site_id, kind=refused.kind, carrier=refused.carrier,
        tracking_number=refused.tracking_number, recipient_unit=refused.recipient_unit,
        addressed_to=refused.addressed_to, reason=refused.reason, refused_by=refused.refused_by,
        refused_at=refused.refused_at,
    )  # fmt: skip


def round_view(delivery_round: DeliveryRound) -> api.RoundView:
    return api.RoundView(
        round_id=delivery_round.id, site_id=delivery_round.site_id,
        business_date=delivery_round.business_date, planned_by=delivery_round.planned_by,
        planned_at=delivery_round.planned_at,
        stops=[api.RoundStopView(**stop) for stop in delivery_round.stops.values()],
        version=delivery_round.version,
    )  # fmt: skip


async def sweep_site(app: MailApplication, queries: MailQueries, site_id: UUID,
                     cid: str | None) -> dict[str, int]:  # fmt: skip
    awaiting, pending = await queries.sweep_candidates(site_id)
    return await asyncio.to_thread(app.sweep, site_id, awaiting, pending, cid)


def build_api(app: MailApplication, queries: MailQueries) -> RpcService:
    rpc = RpcService(api.SERVICE)
    run = asyncio.to_thread

    async def on_item(
        request: api.ItemRef, call: CallContext, action: Any, *args: Any
    ) -> api.ItemView:
        item = await run(action, request.site_id, request.item_id, *args, call.correlation_id)
        return item_view(item)

    @rpc.implements(api.UPDATE_DIRECTORY)
    async def update_directory(
        request: SiteCommand[api.UpdateDirectory], call: CallContext
    ) -> api.DirectoryUpdated:
        units = await run(
            app.update_directory, request.site_id, request.payload, call.correlation_id
        )
        return api.DirectoryUpdated(units=units)

    @rpc.implements(api.CONFIGURE)
    async def configure(
        request: SiteCommand[api.ConfigureMail], call: CallContext
    ) -> api.ConfigureMail:
        await run(app.configure, request.site_id, request.payload, call.correlation_id)
        return request.payload

    @rpc.implements(api.REFUSE)
    async def refuse(request: SiteCommand[api.RefuseMail], call: CallContext) -> api.RefusalView:
        refused = await run(app.refuse, request.site_id, request.payload, call.correlation_id)
        return refusal_view(refused)

    @rpc.implements(api.RECEIVE)
    async def receive(request: SiteCommand[api.ReceiveMail], call: CallContext) -> api.ItemView:
        item = await run(app.receive, request.site_id, request.payload, call.correlation_id)
        return item_view(item)

    @rpc.implements(api.RESOLVE)
    async def resolve(request: api.OnItem[api.ResolveRecipient], call: CallContext) -> api.ItemView:
        resolver = call.actor or "customer service"
        return await on_item(request, call, app.resolve, request.payload, resolver)

    @rpc.implements(api.COLLECT)
    async def collect(request: api.OnItem[api.CollectMail], call: CallContext) -> api.ItemView:
        return await on_item(request, call, app.collect, request.payload)

    @rpc.implements(api.ARCHIVE)
    async def archive(request: api.OnItem[api.ArchiveMail], call: CallContext) -> api.ItemView:
        return await on_item(request, call, app.archive, request.payload)

    @rpc.implements(api.GET_ITEM)
    async def get_item(request: api.ItemRef, call: CallContext) -> api.ItemView:
        return item_view(await run(app.item, request.site_id, request.item_id))

    @rpc.implements(api.SWEEP)
    async def sweep(request: SiteRequest, call: CallContext) -> api.SweepDone:
        done = await sweep_site(app, queries, request.site_id, call.correlation_id)
        return api.SweepDone(**done)

    @rpc.implements(api.AWAITING_PICKUP)
    async def awaiting_pickup(request: SiteRequest, call: CallContext) -> list[dict[str, Any]]:
        return await queries.awaiting_pickup(request.site_id)

    @rpc.implements(api.REGISTER)
    async def register(request: api.RegisterQuery, call: CallContext) -> list[dict[str, Any]]:
        site = request.site_id
        day = request.date or clock.today(site_timezone(site))
        return await queries.register(site, day, request)

    @rpc.implements(api.PLAN_ROUND)
    async def plan_round(request: api.OnRound[api.PlanDeliveryRound], call: CallContext
                         ) -> api.RoundView:  # fmt: skip
        planned = await run(app.plan_round, request.site_id, request.business_date,
                            request.payload, call.correlation_id)  # fmt: skip
        return round_view(planned)

    @rpc.implements(api.RECORD_STOP)
    async def record_stop(request: api.OnRound[api.RecordRoundStop], call: CallContext
                          ) -> api.RoundView:  # fmt: skip
        recorded = await run(app.record_round_stop, request.site_id, request.business_date,
                             request.payload, call.correlation_id)  # fmt: skip
        return round_view(recorded)

    @rpc.implements(api.ROUND)
    async def round_stops(request: api.RoundRef, call: CallContext) -> list[dict[str, Any]]:
        return await queries.round_stops(request.site_id, request.business_date)

    @rpc.implements(api.AGEING)
    async def ageing(request: SiteRequest, call: CallContext) -> dict[str, Any]:
        return await queries.ageing(request.site_id, clock.now())

    return rpc
