"""Exports in the reader's language: the console's downloads name their columns from
its catalogs (`field:<column>`), with the API's own columns, rows and cell rules
(`services.gateway.exports`); the rights are the API's for the same list."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from contracts import visitor_api
from contracts.fields import BusinessDate
from runtime.auth import Principal
from services.gateway.console.catalogs import catalog
from services.gateway.exports import table_download
from services.gateway.security import READERS, call, site_access
from services.gateway.visitor_routes import LOG_COLUMNS

router = APIRouter(prefix="/exports")
Reader = Annotated[Principal, site_access(READERS)]


def headers(locale: str, columns: list[str]) -> dict[str, str]:
    """Each column's header in `locale` (English from the column's name when missing)."""
    messages = catalog(locale)
    return {
        name: messages.get(f"field:{name}", name.replace("_", " ").capitalize()) for name in columns
    }


@router.get("/{site_id}/visit-log", include_in_schema=False)
async def visit_log(
    site_id: UUID,
    request: Request,
    _: Reader,
    day: Annotated[BusinessDate, Query(alias="date")],
    locale: Literal["zh-CN", "en"] = "zh-CN",
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    """The day's visitor log with translated headers (the API's is `/visit-log`)."""
    rows = await call(request, visitor_api.DAILY_LOG, site_id=site_id, date=day)
    names = [column.name for column in LOG_COLUMNS]
    return table_download(
        rows, LOG_COLUMNS, f"visits-{day}", format, headers=headers(locale, names)
    )
