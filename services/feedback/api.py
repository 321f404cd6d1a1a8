"""gRPC API of the feedback service: complaint commands, visits, surveys, reports."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from contracts import feedback_api as api
from runtime.clock import clock
from runtime.rpc import RpcService, correlation_of, site_of
from services.feedback.application import FeedbackApplication
from services.feedback.domain import Complaint
from services.feedback.projections import FeedbackQueries


def complaint_view(c: Complaint) -> dict[str, Any]:
    return {
        "complaint_id": c.id, "site_id": c.site_id, "status": c.status.value,
        "channel": c.channel, "complainant": c.complainant, "unit": c.unit,
        "company": c.company, "category": c.category, "content": c.content,
        "deadline": c.deadline, "registered_at": c.registered_at, "cause": c.cause,
        "resolution": c.resolution, "resolved_at": c.resolved_at,
        "work_order_id": c.work_order_id, "reopen_count": c.reopen_count, "version": c.version,
    }  # fmt: skip


STEPS = {
    "Reject": ("reject", api.RejectComplaint),
    "Investigate": ("investigate", api.InvestigateComplaint),
    "Escalate": ("escalate", api.EscalateComplaint),
    "Resolve": ("resolve", api.ResolveComplaint),
    "Reply": ("reply", api.ReplyToComplainant),
    "Reopen": ("reopen", api.ReopenComplaint),
}


def build_api(app: FeedbackApplication, queries: FeedbackQueries) -> RpcService:
    rpc = RpcService("feedback")
    run = asyncio.to_thread

    async def view(request: dict[str, Any], complaint_id: UUID) -> dict[str, Any]:
        return complaint_view(await run(app.complaint, site_of(request), complaint_id))

    @rpc.method
    async def register(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.RegisterComplaint.model_validate(request["payload"])
        site_id = site_of(request)
        tenant = await queries.tenant_of(site_id, cmd.unit) if cmd.unit else None
        return complaint_view(
            await run(app.register, site_id, cmd, correlation_of(request), tenant)
        )

    @rpc.method
    async def step(request: dict[str, Any]) -> dict[str, Any]:
        """One step of a complaint's handling (`request["step"]` names it)."""
        action, model = STEPS[request["step"]]
        step = getattr(app, action)
        cmd = model.model_validate(request["payload"])
        complaint_id = UUID(request["complaint_id"])
        complaint = await run(step, site_of(request), complaint_id, cmd, correlation_of(request))
        return complaint_view(complaint)

    @rpc.method
    async def get_complaint(request: dict[str, Any]) -> dict[str, Any]:
        return await view(request, UUID(request["complaint_id"]))

    @rpc.method
    async def log_visit(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.LogTenantVisit.model_validate(request["payload"])
        return {
            "visit_id": await run(app.log_visit, site_of(request), cmd, correlation_of(request))
        }

    @rpc.method
    async def record_survey(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.RecordSurveyResponse.model_validate(request["payload"])
        response_id = await run(app.record_survey, site_of(request), cmd, correlation_of(request))
        return {"response_id": response_id}

    @rpc.method
    async def configure(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.ConfigureFeedback.model_validate(request["payload"])
        await run(app.configure, site_of(request), cmd, correlation_of(request))
        return cmd.model_dump()

    @rpc.method
    async def open_complaints(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.open_complaints(site_of(request), clock.now())

    @rpc.method
    async def statistics(request: dict[str, Any]) -> list[dict[str, Any]]:
        sites = request.get("site_ids")
        return await queries.statistics([UUID(s) for s in sites] if sites else None)

    @rpc.method
    async def satisfaction(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.satisfaction(site_of(request))

    @rpc.method
    async def follow_ups(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.follow_ups(site_of(request))

    return rpc
