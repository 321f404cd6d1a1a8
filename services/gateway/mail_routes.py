"""Mail room endpoints: intake, lookup, pickup, archive, and the register's views."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from contracts import mail_api as api
from contracts.fields import BusinessDate
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.exports import number_columns, table_download, text_columns
from services.gateway.limits import BULK_BODY
from services.gateway.paging import PageQuery, page_of
from services.gateway.security import (
    FRONT_DESK,
    call,
    site_access,
)

router = APIRouter(prefix="/sites/{site_id}/mail", tags=["mail"])

Desk = Annotated[Principal, site_access(FRONT_DESK)]
CustomerService = Annotated[
    Principal, site_access(frozenset({Role.CS_REP, Role.CS_SUPERVISOR, Role.CS_MANAGER}))
]
Manager = Annotated[Principal, site_access(frozenset({Role.CS_MANAGER, Role.GROUP_ADMIN}))]
REGISTER_COLUMNS = [
    *text_columns("business_date", "received_at", "kind", "carrier", "tracking_number",
                  "recipient_unit", "recipient_company", "recipient_person", "urgent"),
    *number_columns("pages"),
    *text_columns("status", "collected_at", "signed_by", "on_behalf_of", "proxy_consent_phone",
                  "archive_reason", "refusal_reason", "refused_by", "delivered_at", "delivered_by",
                  "left_at_desk_at"),
]  # fmt: skip


@router.put(
    "/directory",
    summary="Units mail is delivered to, contacts, moved-out flags",
    openapi_extra=BULK_BODY,
)
async def directory(
    site_id: UUID, cmd: JsonBody[api.UpdateDirectory], request: Request, _: Manager
) -> api.DirectoryUpdated:
    return await call(request, api.UPDATE_DIRECTORY, site_id=site_id, payload=cmd)


@router.put("/settings", summary="Reminder interval and lookup days")
async def configure(
    site_id: UUID, cmd: JsonBody[api.ConfigureMail], request: Request, _: Manager
) -> api.ConfigureMail:
    return await call(request, api.CONFIGURE, site_id=site_id, payload=cmd)


@router.post("/items", status_code=201, summary="Log an item in the register")
async def receive(
    site_id: UUID, cmd: JsonBody[api.ReceiveMail], request: Request, _: Desk
) -> api.ItemView:
    return await call(request, api.RECEIVE, site_id=site_id, payload=cmd)


@router.post(
    "/refusals", status_code=201, summary="A courier's item refused: why, when, who refused it"
)
async def refuse(
    site_id: UUID, cmd: JsonBody[api.RefuseMail], request: Request, _: Desk
) -> api.RefusalView:
    return await call(request, api.REFUSE, site_id=site_id, payload=cmd)


@router.get("/items/{item_id}", summary="One item")
async def get_item(site_id: UUID, item_id: UUID, request: Request, _: Desk) -> api.ItemView:
    return await call(request, api.GET_ITEM, site_id=site_id, item_id=item_id)


@router.post("/items/{item_id}/recipient", summary="Customer service resolves the recipient")
async def resolve(site_id: UUID, item_id: UUID, cmd: JsonBody[api.ResolveRecipient],
                  request: Request, _: CustomerService) -> api.ItemView:  # fmt: skip
    return await call(request, api.RESOLVE, site_id=site_id, item_id=item_id,
                      payload=cmd)  # fmt: skip


@router.post("/items/{item_id}/pickup", summary="Collected against a signature")
async def collect(site_id: UUID, item_id: UUID, cmd: JsonBody[api.CollectMail], request: Request,
                  _: Desk) -> api.ItemView:  # fmt: skip
    return await call(request, api.COLLECT, site_id=site_id, item_id=item_id,
                      payload=cmd)  # fmt: skip


@router.post("/items/{item_id}/archive", summary="Moved out: forwarded or archived")
async def archive(site_id: UUID, item_id: UUID, cmd: JsonBody[api.ArchiveMail], request: Request,
                  _: CustomerService) -> api.ItemView:  # fmt: skip
    return await call(request, api.ARCHIVE, site_id=site_id, item_id=item_id,
                      payload=cmd)  # fmt: skip


@router.post("/sweep", summary="Send due reminders; archive items unresolved too long")
async def sweep(site_id: UUID, request: Request, _: CustomerService) -> api.SweepDone:
    return await call(request, api.SWEEP, site_id=site_id)


@router.get("/awaiting-pickup", summary="Items awaiting pickup, per unit")
async def awaiting_pickup(site_id: UUID, request: Request, _: Desk) -> list[api.UnitAwaiting]:
    return await call(request, api.AWAITING_PICKUP, site_id=site_id)


@router.get("/ageing", summary="Uncollected items by how long they have waited")
async def ageing(site_id: UUID, request: Request, _: Desk) -> api.MailAgeing:
    return await call(request, api.AGEING, site_id=site_id)


@router.get(
    "/register",
    summary="The register of a day (JSON, CSV or XLSX)",
    response_model=list[api.MailRow],
)
async def register(
    site_id: UUID,
    request: Request,
    _: Desk,
    page: PageQuery,
    day: Annotated[BusinessDate | None, Query(alias="date")] = None,
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
) -> list[api.MailRow] | Response:
    rows = await call(request, api.REGISTER, site_id=site_id, date=day, **page_of(page, format))
    if format == "json":
        return rows
    return table_download(rows, REGISTER_COLUMNS, f"mail-register-{site_id}", format)


# -- the day's mail and newspaper round (issue 12, item 11) -------------------------------


@router.post("/rounds/{business_date}", status_code=201,
             summary="Plan today's round: each unit's register items and newspapers")  # fmt: skip
async def plan_round(site_id: UUID, business_date: BusinessDate,
                     cmd: JsonBody[api.PlanDeliveryRound], request: Request,
                     _: Desk) -> api.RoundView:  # fmt: skip
    return await call(request, api.PLAN_ROUND, site_id=site_id, business_date=business_date,
                      payload=cmd)  # fmt: skip


@router.post("/rounds/{business_date}/stops",
             summary="The round at one unit: delivered, or nobody in")  # fmt: skip
async def record_stop(site_id: UUID, business_date: BusinessDate,
                      cmd: JsonBody[api.RecordRoundStop], request: Request,
                      _: Desk) -> api.RoundView:  # fmt: skip
    return await call(request, api.RECORD_STOP, site_id=site_id, business_date=business_date,
                      payload=cmd)  # fmt: skip


@router.get("/rounds/{business_date}", summary="A day's round, stop by stop")
async def round_stops(
    site_id: UUID, business_date: BusinessDate, request: Request, _: Desk
) -> list[api.RoundStopRow]:
    return await call(request, api.ROUND, site_id=site_id, business_date=business_date)
