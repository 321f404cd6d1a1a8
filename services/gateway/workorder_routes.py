"""Repair endpoints: report, dispatch, start, complete, verify, void, and the reports."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from contracts import workorder_api as api
from contracts.fields import BusinessDate, Name, Period
from contracts.workorder import Category, Urgency
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.paging import PageQuery, page_of
from services.gateway.security import FRONT_DESK, call, site_access

router = APIRouter(prefix="/sites/{site_id}", tags=["work orders"])

Reporter = Annotated[Principal, site_access(FRONT_DESK | {Role.DISPATCHER, Role.TECHNICIAN})]
Dispatcher = Annotated[Principal, site_access(frozenset({Role.DISPATCHER}))]
Technician = Annotated[Principal, site_access(frozenset({Role.TECHNICIAN, Role.DISPATCHER}))]
CustomerService = Annotated[
    Principal, site_access(frozenset({Role.CS_REP, Role.CS_SUPERVISOR, Role.CS_MANAGER}))
]
Voider = Annotated[
    Principal, site_access(frozenset({Role.DISPATCHER, Role.CS_SUPERVISOR, Role.CS_MANAGER}))
]
Reader = Annotated[Principal, site_access(FRONT_DESK | {Role.DISPATCHER, Role.TECHNICIAN, Role.BI})]
Manager = Annotated[Principal, site_access(frozenset({Role.CS_MANAGER, Role.GROUP_ADMIN}))]


@router.post("/repairs", status_code=201, summary="Report a repair (phone, app, patrol, complaint)")
async def report(
    site_id: UUID, body: JsonBody[api.ReportRepair], request: Request, _: Reporter
) -> api.WorkOrderView:
    return await call(request, api.REPORT, site_id=site_id, payload=body)


@router.get("/repairs/{work_order_id}", summary="One repair / work order")
async def get_work_order(
    site_id: UUID, work_order_id: UUID, request: Request, _: Reader
) -> api.WorkOrderView:
    return await call(request, api.GET_WORK_ORDER, site_id=site_id, work_order_id=work_order_id)


@router.post(
    "/repairs/{work_order_id}/dispatch",
    summary="Dispatcher issues the numbered work order (the reporter is told the number)",
)
async def dispatch(
    site_id: UUID,
    work_order_id: UUID,
    body: JsonBody[api.DispatchRepair],
    request: Request,
    _: Dispatcher,
) -> api.WorkOrderView:
    return await call(
        request, api.DISPATCH, site_id=site_id, work_order_id=work_order_id, payload=body
    )


@router.post("/repairs/{work_order_id}/start", summary="Technician starts the job")
async def start(
    site_id: UUID,
    work_order_id: UUID,
    body: JsonBody[api.StartRepair],
    request: Request,
    _: Technician,
) -> api.WorkOrderView:
    return await call(
        request, api.START, site_id=site_id, work_order_id=work_order_id, payload=body
    )


@router.post("/repairs/{work_order_id}/complete", summary="Result, labour, materials, fee")
async def complete(
    site_id: UUID,
    work_order_id: UUID,
    body: JsonBody[api.CompleteRepair],
    request: Request,
    _: Technician,
) -> api.WorkOrderView:
    return await call(
        request, api.COMPLETE, site_id=site_id, work_order_id=work_order_id, payload=body
    )


@router.post(
    "/repairs/{work_order_id}/verify",
    summary="Customer service verifies: passed closes it, failed reopens it",
)
async def verify(
    site_id: UUID,
    work_order_id: UUID,
    body: JsonBody[api.VerifyRepair],
    request: Request,
    _: CustomerService,
) -> api.WorkOrderView:
    return await call(
        request, api.VERIFY, site_id=site_id, work_order_id=work_order_id, payload=body
    )


@router.post("/repairs/{work_order_id}/void", summary="Void with a reason (the number is kept)")
async def void(
    site_id: UUID,
    work_order_id: UUID,
    body: JsonBody[api.VoidWorkOrder],
    request: Request,
    _: Voider,
) -> api.WorkOrderView:
    return await call(request, api.VOID, site_id=site_id, work_order_id=work_order_id, payload=body)


@router.put("/work-order-settings", summary="Site code in numbers and SLA hours per urgency")
async def configure(
    site_id: UUID, body: JsonBody[api.ConfigureSite], request: Request, _: Manager
) -> api.SiteSettings:
    return await call(request, api.CONFIGURE_SITE, site_id=site_id, payload=body)


@router.get("/work-orders", summary="The work-order board")
async def board(
    site_id: UUID,
    request: Request,
    _: Reader,
    page: PageQuery,
    status: Annotated[
        str | None,
        Query(pattern="^(reported|dispatched|in_progress|completed|reopened|closed|voided)$"),
    ] = None,
    category: Category | None = None,
    team: Annotated[Name | None, Query()] = None,
    urgency: Urgency | None = None,
) -> list[api.WorkOrderRow]:
    return await call(
        request, api.BOARD, site_id=site_id, status=status, category=category, team=team,
        urgency=urgency, **page_of(page),
    )  # fmt: skip


@router.get("/work-orders/sla-breaches", summary="Open past their deadline; completed late")
async def sla_breaches(site_id: UUID, request: Request, _: Reader) -> api.SlaBreaches:
    return await call(request, api.SLA_BREACHES, site_id=site_id)


@router.get(
    "/work-orders/three-equals",
    summary="Reported = dispatched = issued; returned = issued; mismatches item by item",
)
async def three_equals(
    site_id: UUID,
    request: Request,
    _: Reader,
    period: Annotated[Period, Query()],
) -> api.ThreeEquals:
    return await call(request, api.THREE_EQUALS, site_id=site_id, period=period)


@router.get("/work-orders/weekly", summary="Weekly report: open, long-unresolved, by category/team")
async def weekly(
    site_id: UUID, request: Request, _: Reader, week_start: Annotated[BusinessDate, Query()]
) -> api.WeeklyReport:
    return await call(request, api.WEEKLY, site_id=site_id, week_start=week_start)
