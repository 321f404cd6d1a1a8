"""Front-desk endpoints: visits, watchlist, switchboard, and the visitor read models."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from contracts import visitor_api as api
from contracts.fields import BusinessDate
from runtime.auth import Principal
from services.gateway.bodies import JsonBody
from services.gateway.exports import number_columns, table_download, text_columns
from services.gateway.paging import PageQuery, page_of
from services.gateway.security import (
    FRONT_DESK,
    READERS,
    SUPERVISORS,
    call,
    site_access,
)

router = APIRouter(prefix="/sites/{site_id}", tags=["visitor"])

Desk = Annotated[Principal, site_access(FRONT_DESK)]
Reader = Annotated[Principal, site_access(READERS)]
Supervisor = Annotated[Principal, site_access(SUPERVISORS)]


@router.post("/visits/pre-registrations", status_code=201, summary="Host pre-registers a visitor")
async def pre_register(
    site_id: UUID, body: JsonBody[api.PreRegisterVisit], request: Request, _: Desk
) -> api.VisitView:
    return await call(request, api.PRE_REGISTER, site_id=site_id, payload=body)


@router.post(
    "/visits", status_code=201, summary="Unannounced visitor at the desk; the host is asked"
)
async def register_arrival(
    site_id: UUID, body: JsonBody[api.RegisterArrival], request: Request, _: Desk
) -> api.VisitView:
    return await call(request, api.REGISTER_ARRIVAL, site_id=site_id, payload=body)


@router.get("/visits/{visit_id}", summary="One visit")
async def get_visit(site_id: UUID, visit_id: UUID, request: Request, _: Reader) -> api.VisitView:
    return await call(request, api.GET_VISIT, site_id=site_id, visit_id=visit_id)


@router.post("/visits/{visit_id}/check-in", summary="A pre-registered visitor checks in")
async def check_in(
    site_id: UUID, visit_id: UUID, body: JsonBody[api.CheckIn], request: Request, _: Desk
) -> api.VisitView:
    return await call(request, api.CHECK_IN, site_id=site_id, visit_id=visit_id, payload=body)


@router.post("/visits/{visit_id}/host-decision", summary="The host approves or declines")
async def host_decision(
    site_id: UUID, visit_id: UUID, body: JsonBody[api.HostDecision], request: Request, _: Desk
) -> api.VisitView:
    return await call(request, api.HOST_DECIDES, site_id=site_id, visit_id=visit_id, payload=body)


@router.post("/visits/{visit_id}/deny", summary="The desk turns the visitor away")
async def deny(
    site_id: UUID, visit_id: UUID, body: JsonBody[api.DenyVisit], request: Request, _: Desk
) -> api.VisitView:
    return await call(request, api.DENY, site_id=site_id, visit_id=visit_id, payload=body)


@router.post("/visits/{visit_id}/check-out", summary="The visitor leaves")
async def check_out(site_id: UUID, visit_id: UUID, request: Request, _: Desk) -> api.VisitView:
    return await call(request, api.CHECK_OUT, site_id=site_id, visit_id=visit_id)


@router.post("/overstays/flag", summary="Flag visitors still in at the end of a business day")
async def flag_overstays(
    site_id: UUID, body: JsonBody[api.FlagOverstays], request: Request, _: Supervisor
) -> api.OverstaysFlagged:
    return await call(request, api.FLAG_OVERSTAYS, site_id=site_id, payload=body)


@router.post("/watchlist", status_code=201, summary="Add a person to the watchlist")
async def add_watchlist_entry(
    site_id: UUID, body: JsonBody[api.AddWatchlistEntry], request: Request, who: Supervisor
) -> api.WatchlistEntryAdded:
    # The body is forwarded unvalidated (the service checks it); only the exact value
    # `group` is a group-wide entry, which blocks visitors at every site.
    if isinstance(body, dict) and body.get("scope") == api.WatchlistScope.GROUP.value:
        who.require_group()
    return await call(request, api.ADD_WATCHLIST_ENTRY, site_id=site_id, payload=body)


@router.post("/phone-messages", status_code=201, summary="Switchboard takes a message")
async def take_phone_message(
    site_id: UUID, body: JsonBody[api.TakePhoneMessage], request: Request, _: Desk
) -> api.PhoneMessageTaken:
    return await call(request, api.TAKE_PHONE_MESSAGE, site_id=site_id, payload=body)


@router.post("/phone-messages/{message_id}/delivery", summary="Message delivered and acknowledged")
async def deliver_phone_message(
    site_id: UUID,
    message_id: UUID,
    body: JsonBody[api.DeliverPhoneMessage],
    request: Request,
    _: Desk,
) -> api.PhoneMessageDelivered:
    return await call(
        request, api.DELIVER_PHONE_MESSAGE, site_id=site_id, message_id=message_id, payload=body
    )


@router.get("/phone-messages", summary="The switchboard message book")
async def phone_messages(
    site_id: UUID, request: Request, _: Reader, undelivered_only: bool = False
) -> list[api.PhoneMessageRow]:
    return await call(
        request, api.PHONE_MESSAGES, site_id=site_id, undelivered_only=undelivered_only
    )


@router.get("/in-building", summary="Who is in the building now")
async def in_building(site_id: UUID, request: Request, _: Reader) -> list[api.VisitRow]:
    return await call(request, api.IN_BUILDING, site_id=site_id)


LOG_COLUMNS = [
    *text_columns("visit_id", "business_date", "status", "visitor_name", "visitor_company",
                  "host_unit", "host_name", "purpose"),
    *number_columns("party_size"),
    *text_columns("pre_registered", "registered_at", "checked_in_at", "checked_out_at",
                  "id_checked", "id_type", "denial_reason", "overstayed_on"),
]  # fmt: skip


@router.get("/visit-log", summary="Daily visitor log (JSON, CSV or XLSX)")
async def visit_log(
    site_id: UUID,
    request: Request,
    _: Reader,
    day: Annotated[BusinessDate, Query(alias="date")],
    page: PageQuery,
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
) -> list[api.VisitRow]:
    rows = await call(request, api.DAILY_LOG, site_id=site_id, date=day,
                      **page_of(page, format))  # fmt: skip
    if format == "json":
        return rows
    return table_download(rows, LOG_COLUMNS, f"visits-{site_id}-{day}", format)


@router.get("/visits-per-host", summary="Check-ins per host and hour of a day")
async def visits_per_host(
    site_id: UUID, request: Request, _: Reader, day: Annotated[BusinessDate, Query(alias="date")]
) -> list[api.HostHour]:
    return await call(request, api.HOST_HOURLY, site_id=site_id, date=day)
