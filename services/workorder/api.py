"""gRPC API of the work-order service: repair commands and the work-order reports."""

from __future__ import annotations

import asyncio
from typing import Any

from contracts import workorder_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.clock import clock
from runtime.rpc import RpcService, actor_of
from services.workorder.application import WorkOrderApplication
from services.workorder.domain import WorkOrder
from services.workorder.hygiene_api import implement_hygiene
from services.workorder.incident_api import implement_incidents
from services.workorder.patrol_api import implement_patrols
from services.workorder.projections import WorkOrderQueries


def order_view(order: WorkOrder) -> api.WorkOrderView:
    return api.WorkOrderView(
        work_order_id=order.id,
        site_id=order.site_id,
        number=order.number,
        status=order.status.value,
        source=order.source,
        category=order.category,
        department=order.department,
        location=order.location,
        unit=order.unit,
        tenant=order.tenant,
        content=order.content,
        reporter=order.reporter,
        complaint_id=order.complaint_id,
        patrol_round_id=order.patrol_round_id,
        reported_at=order.reported_at,
        team=order.team,
        technician=order.technician,
        urgency=order.urgency,
        paid=order.paid,
        deadline=order.deadline,
        completed_at=order.completed_at,
        fee=order.fee,
        verified_at=order.verified_at,
        reopen_count=order.reopen_count,
        void_reason=order.void_reason,
        version=order.version,
    )


def build_api(app: WorkOrderApplication, queries: WorkOrderQueries) -> RpcService:
    rpc = RpcService(api.SERVICE)

    async def on_order(
        request: api.OnWorkOrder[Any], call: CallContext, action: Any, *args: Any
    ) -> api.WorkOrderView:
        order = await asyncio.to_thread(
            action, request.site_id, request.work_order_id, *args, call.correlation_id
        )
        return order_view(order)

    @rpc.implements(api.REPORT)
    async def report(
        request: SiteCommand[api.ReportRepair], call: CallContext
    ) -> api.WorkOrderView:
        cmd, site_id = request.payload, request.site_id
        complaint = await queries.complaint(site_id, cmd.complaint_id) if cmd.complaint_id else None
        order = await asyncio.to_thread(app.report, site_id, cmd, complaint, call.correlation_id)
        return order_view(order)

    @rpc.implements(api.DISPATCH)
    async def dispatch(
        request: api.OnWorkOrder[api.DispatchRepair], call: CallContext
    ) -> api.WorkOrderView:
        return await on_order(request, call, app.dispatch, request.payload)

    @rpc.implements(api.START)
    async def start(
        request: api.OnWorkOrder[api.StartRepair], call: CallContext
    ) -> api.WorkOrderView:
        return await on_order(request, call, app.start, request.payload)

    @rpc.implements(api.COMPLETE)
    async def complete(
        request: api.OnWorkOrder[api.CompleteRepair], call: CallContext
    ) -> api.WorkOrderView:
        return await on_order(request, call, app.complete, request.payload)

    @rpc.implements(api.VERIFY)
    async def verify(
        request: api.OnWorkOrder[api.VerifyRepair], call: CallContext
    ) -> api.WorkOrderView:
        return await on_order(request, call, app.verify, request.payload, actor_of(call))

    @rpc.implements(api.VOID)
    async def void(
        request: api.OnWorkOrder[api.VoidWorkOrder], call: CallContext
    ) -> api.WorkOrderView:
        return await on_order(request, call, app.void, request.payload)

    @rpc.implements(api.GET_WORK_ORDER)
    async def get_work_order(request: api.WorkOrderRef, call: CallContext) -> api.WorkOrderView:
        order = await asyncio.to_thread(app.order, request.site_id, request.work_order_id)
        return order_view(order)

    @rpc.implements(api.CONFIGURE_SITE)
    async def configure_site(
        request: SiteCommand[api.ConfigureSite], call: CallContext
    ) -> api.SiteSettings:
        site_id = request.site_id
        await asyncio.to_thread(app.configure_site, site_id, request.payload, call.correlation_id)
        policy = await asyncio.to_thread(app.policy, site_id)
        sla_hours = await asyncio.to_thread(app.sla_hours, site_id)
        return api.SiteSettings(site_code=policy.site_code, sla_hours=sla_hours)

    @rpc.implements(api.BOARD)
    async def board(request: api.BoardQuery, call: CallContext) -> list[dict[str, Any]]:
        filters = request.model_dump(include={"status", "category", "team", "urgency"})
        return await queries.board(request.site_id, filters, request)

    @rpc.implements(api.SLA_BREACHES)
    async def sla_breaches(request: SiteRequest, call: CallContext) -> dict[str, Any]:
        return await queries.sla_breaches(request.site_id, clock.now())

    @rpc.implements(api.THREE_EQUALS)
    async def three_equals(request: api.PeriodQuery, call: CallContext) -> dict[str, Any]:
        return await queries.three_equals(request.site_id, request.period)

    @rpc.implements(api.WEEKLY)
    async def weekly(request: api.WeekQuery, call: CallContext) -> dict[str, Any]:
        return await queries.weekly(request.site_id, request.week_start, clock.now())

    implement_patrols(rpc, app, queries)
    implement_incidents(rpc, app, queries)
    implement_hygiene(rpc, app, queries)
    return rpc
