"""gRPC API of the work-order service: repair commands and the work-order reports."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID

from contracts import workorder_api as api
from runtime.clock import clock
from runtime.rpc import RpcService, correlation_of, site_of
from services.workorder.application import WorkOrderApplication
from services.workorder.domain import WorkOrder
from services.workorder.projections import WorkOrderQueries


def order_view(order: WorkOrder) -> dict[str, Any]:
    return {
        "work_order_id": order.id,
        "site_id": order.site_id,
        "number": order.number,
        "status": order.status.value,
        "source": order.source,
        "category": order.category,
        "department": order.department,
        "location": order.location,
        "unit": order.unit,
        "tenant": order.tenant,
        "content": order.content,
        "reporter": order.reporter,
        "complaint_id": order.complaint_id,
        "reported_at": order.reported_at,
        "team": order.team,
        "technician": order.technician,
        "urgency": order.urgency,
        "paid": order.paid,
        "deadline": order.deadline,
        "completed_at": order.completed_at,
        "fee": order.fee,
        "verified_at": order.verified_at,
        "reopen_count": order.reopen_count,
        "void_reason": order.void_reason,
        "version": order.version,
    }


def build_api(app: WorkOrderApplication, queries: WorkOrderQueries) -> RpcService:
    rpc = RpcService("workorder")

    async def view(request: dict[str, Any], order_id: UUID) -> dict[str, Any]:
        return order_view(await asyncio.to_thread(app.order, site_of(request), order_id))

    async def on_order(request: dict[str, Any], action: Any, *args: Any) -> dict[str, Any]:
        order_id = UUID(request["work_order_id"])
        order = await asyncio.to_thread(
            action, site_of(request), order_id, *args, correlation_of(request)
        )
        return order_view(order)

    @rpc.method
    async def report(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.ReportRepair.model_validate(request["payload"])
        site_id = site_of(request)
        complaint = await queries.complaint(site_id, cmd.complaint_id) if cmd.complaint_id else None
        order = await asyncio.to_thread(
            app.report, site_id, cmd, complaint, correlation_of(request)
        )
        return order_view(order)

    @rpc.method
    async def dispatch(request: dict[str, Any]) -> dict[str, Any]:
        return await on_order(
            request, app.dispatch, api.DispatchRepair.model_validate(request["payload"])
        )

    @rpc.method
    async def start(request: dict[str, Any]) -> dict[str, Any]:
        return await on_order(
            request, app.start, api.StartRepair.model_validate(request["payload"])
        )

    @rpc.method
    async def complete(request: dict[str, Any]) -> dict[str, Any]:
        return await on_order(
            request, app.complete, api.CompleteRepair.model_validate(request["payload"])
        )

    @rpc.method
    async def verify(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.VerifyRepair.model_validate(request["payload"])
        return await on_order(request, app.verify, cmd, request["actor"])

    @rpc.method
    async def void(request: dict[str, Any]) -> dict[str, Any]:
        return await on_order(
            request, app.void, api.VoidWorkOrder.model_validate(request["payload"])
        )

    @rpc.method
    async def get_work_order(request: dict[str, Any]) -> dict[str, Any]:
        return await view(request, UUID(request["work_order_id"]))

    @rpc.method
    async def configure_site(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.ConfigureSite.model_validate(request["payload"])
        await asyncio.to_thread(app.configure_site, site_of(request), cmd, correlation_of(request))
        policy = await asyncio.to_thread(app.policy, site_of(request))
        return {
            "site_code": policy.site_code,
            "sla_hours": await asyncio.to_thread(app.sla_hours, site_of(request)),
        }

    @rpc.method
    async def board(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.board(site_of(request), request.get("filters") or {})

    @rpc.method
    async def sla_breaches(request: dict[str, Any]) -> dict[str, Any]:
        return await queries.sla_breaches(site_of(request), clock.now())

    @rpc.method
    async def three_equals(request: dict[str, Any]) -> dict[str, Any]:
        return await queries.three_equals(site_of(request), request["period"])

    @rpc.method
    async def weekly(request: dict[str, Any]) -> dict[str, Any]:
        week_start = date.fromisoformat(request["week_start"])
        return await queries.weekly(site_of(request), week_start, clock.now())

    return rpc
