"""gRPC handlers of the hygiene methods: commands answer the area or inspection as the
write side holds it (the same view as the read model's rows); the lists, the overdue
inspections and the vendors' scores are read from the read model."""

from __future__ import annotations

import asyncio
from typing import Any

from contracts import hygiene_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.clock import clock
from runtime.rpc import RpcService
from runtime.sites import site_timezone
from services.workorder.application import WorkOrderApplication
from services.workorder.hygiene import CleaningArea, HygieneInspection
from services.workorder.projections import WorkOrderQueries


def area_view(area: CleaningArea) -> dict[str, Any]:
    return {
        "area_id": area.id,
        "site_id": area.site_id,
        "name": area.name,
        "vendor": area.vendor,
        "registered_on": area.registered_on,
    }


def inspection_view(inspection: HygieneInspection) -> dict[str, Any]:
    return {
        "inspection_id": inspection.id,
        "site_id": inspection.site_id,
        "area_id": inspection.area_id,
        "area": inspection.area,
        "vendor": inspection.vendor,
        "level": inspection.level,
        "inspected_on": inspection.inspected_on,
        "inspector": inspection.inspector,
        "items": inspection.items,
        "overall_score": inspection.overall_score,
        "note": inspection.note,
        "recorded_at": inspection.recorded_at,
    }


def implement_hygiene(
    rpc: RpcService, app: WorkOrderApplication, queries: WorkOrderQueries
) -> None:
    @rpc.implements(api.REGISTER_CLEANING_AREA)
    async def register_cleaning_area(
        request: SiteCommand[api.RegisterCleaningArea], call: CallContext
    ) -> Any:
        area = await asyncio.to_thread(
            app.register_cleaning_area, request.site_id, request.payload, call.correlation_id
        )
        return area_view(area)

    @rpc.implements(api.CHANGE_CLEANING_VENDOR)
    async def change_cleaning_vendor(request: api.OnArea, call: CallContext) -> Any:
        area = await asyncio.to_thread(
            app.change_cleaning_vendor, request.site_id, request.area_id, request.payload,
            call.correlation_id,
        )  # fmt: skip
        return area_view(area)

    @rpc.implements(api.CLEANING_AREAS)
    async def cleaning_areas(request: SiteRequest, call: CallContext) -> Any:
        return await queries.cleaning_areas(request.site_id)

    @rpc.implements(api.INSPECT_HYGIENE)
    async def inspect_hygiene(request: SiteCommand[api.InspectHygiene], call: CallContext) -> Any:
        inspection = await asyncio.to_thread(
            app.inspect_hygiene, request.site_id, request.payload, call.correlation_id
        )
        return inspection_view(inspection)

    @rpc.implements(api.HYGIENE_INSPECTIONS)
    async def hygiene_inspections(request: api.InspectionQuery, call: CallContext) -> Any:
        return await queries.hygiene_inspections(request.site_id, request.period, request.area_id)

    @rpc.implements(api.OVERDUE_INSPECTIONS)
    async def overdue_inspections(request: SiteRequest, call: CallContext) -> Any:
        today = clock.today(site_timezone(request.site_id))
        return await queries.overdue_inspections(request.site_id, today)

    @rpc.implements(api.VENDOR_SCORES)
    async def vendor_scores(request: api.PeriodQuery, call: CallContext) -> Any:
        return await queries.vendor_scores(request.site_id, request.period)
