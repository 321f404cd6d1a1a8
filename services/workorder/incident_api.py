"""gRPC handlers of the emergency methods: commands answer the incident or drill as the
write side holds it (the same view as the read model's rows); the log and the drills are
read from the read model."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from contracts import incident_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.rpc import RpcService
from services.workorder.application import WorkOrderApplication
from services.workorder.incident import Drill, Incident
from services.workorder.projections import WorkOrderQueries


def incident_view(incident: Incident) -> dict[str, Any]:
    return {
        "incident_id": incident.id,
        "site_id": incident.site_id,
        "kind": incident.kind,
        "place": incident.place,
        "description": incident.description,
        "happened_at": incident.happened_at,
        "reported_by": incident.reported_by,
        "reported_at": incident.reported_at,
        "actions": incident.actions,
        "follow_ups": incident.follow_ups,
        "closed_at": incident.closed_at,
        "closed_by": incident.closed_by,
        "summary": incident.summary,
    }


def drill_view(drill: Drill) -> dict[str, Any]:
    return {
        "drill_id": drill.id,
        "site_id": drill.site_id,
        "kind": drill.kind,
        "held_on": drill.held_on,
        "participants": drill.participants,
        "duration_minutes": drill.duration_minutes,
        "findings": drill.findings,
        "recorded_by": drill.recorded_by,
        "recorded_at": drill.recorded_at,
    }


def implement_incidents(
    rpc: RpcService, app: WorkOrderApplication, queries: WorkOrderQueries
) -> None:
    async def on_incident(
        request: api.OnIncident[Any], call: CallContext, step: Callable[..., Incident]
    ) -> dict[str, Any]:
        incident = await asyncio.to_thread(
            step, request.site_id, request.incident_id, request.payload, call.correlation_id
        )
        return incident_view(incident)

    @rpc.implements(api.REPORT_INCIDENT)
    async def report_incident(request: SiteCommand[api.ReportIncident], call: CallContext) -> Any:
        incident = await asyncio.to_thread(
            app.report_incident, request.site_id, request.payload, call.correlation_id
        )
        return incident_view(incident)

    @rpc.implements(api.TAKE_INCIDENT_ACTION)
    async def take_incident_action(
        request: api.OnIncident[api.TakeIncidentAction], call: CallContext
    ) -> Any:
        return await on_incident(request, call, app.take_incident_action)

    @rpc.implements(api.RECORD_INCIDENT_FOLLOW_UP)
    async def record_incident_follow_up(
        request: api.OnIncident[api.RecordIncidentFollowUp], call: CallContext
    ) -> Any:
        return await on_incident(request, call, app.record_incident_follow_up)

    @rpc.implements(api.CLOSE_INCIDENT)
    async def close_incident(request: api.OnIncident[api.CloseIncident], call: CallContext) -> Any:
        return await on_incident(request, call, app.close_incident)

    @rpc.implements(api.GET_INCIDENT)
    async def get_incident(request: api.IncidentRef, call: CallContext) -> Any:
        incident = await asyncio.to_thread(app.incident, request.site_id, request.incident_id)
        return incident_view(incident)

    @rpc.implements(api.INCIDENTS)
    async def incidents(request: api.IncidentQuery, call: CallContext) -> Any:
        return await queries.incidents(request.site_id, request.open_only)

    @rpc.implements(api.RECORD_DRILL)
    async def record_drill(request: SiteCommand[api.RecordDrill], call: CallContext) -> Any:
        drill = await asyncio.to_thread(
            app.record_drill, request.site_id, request.payload, call.correlation_id
        )
        return drill_view(drill)

    @rpc.implements(api.DRILLS)
    async def drills(request: SiteRequest, call: CallContext) -> Any:
        return await queries.drills(request.site_id)
