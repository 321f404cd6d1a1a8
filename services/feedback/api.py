"""gRPC API of the feedback service: complaint commands, visits, surveys, reports."""

from __future__ import annotations

import asyncio
from typing import Any

from contracts import feedback_api as api
from contracts.methods import CallContext, Method, SiteCommand, SiteRequest
from runtime.clock import clock
from runtime.rpc import RpcService
from services.feedback.answers import is_late
from services.feedback.application import FeedbackApplication
from services.feedback.domain import Complaint
from services.feedback.projections import FeedbackQueries


def complaint_view(c: Complaint) -> api.ComplaintView:
    return api.ComplaintView(
        complaint_id=c.id, site_id=c.site_id, status=c.status.value, channel=c.channel,
        complainant=c.complainant, unit=c.unit, company=c.company, category=c.category,
        content=c.content, deadline=c.deadline, registered_at=c.registered_at, cause=c.cause,
        resolution=c.resolution, resolved_at=c.resolved_at, work_order_id=c.work_order_id,
        reopen_count=c.reopen_count, anonymous=c.anonymous, location=c.location,
        received_on=c.received_on, answered_at=c.answered_at,
        late=is_late(deadline=c.deadline, answered_at=c.answered_at, anonymous=c.anonymous,
                     now=clock.now()),
        written_reply=c.written_reply, updates=c.updates, internal_feedback=c.internal_feedback,
        version=c.version,
    )  # fmt: skip


def build_api(app: FeedbackApplication, queries: FeedbackQueries) -> RpcService:
    rpc = RpcService(api.SERVICE)
    run = asyncio.to_thread

    @rpc.implements(api.REGISTER)
    async def register(
        request: SiteCommand[api.RegisterComplaint], call: CallContext
    ) -> api.ComplaintView:
        cmd, site_id = request.payload, request.site_id
        tenant = await queries.tenant_of(site_id, cmd.unit) if cmd.unit else None
        complaint = await run(app.register, site_id, cmd, call.correlation_id, tenant)
        return complaint_view(complaint)

    def step(method: Method[api.OnComplaint[Any], api.ComplaintView], action: Any) -> None:
        """One step of a complaint's handling: the same shape for each."""

        @rpc.implements(method)
        async def handle(request: api.OnComplaint[Any], call: CallContext) -> api.ComplaintView:
            complaint = await run(
                action, request.site_id, request.complaint_id, request.payload,
                call.correlation_id,
            )  # fmt: skip
            return complaint_view(complaint)

    step(api.REJECT, app.reject)
    step(api.INVESTIGATE, app.investigate)
    step(api.ESCALATE, app.escalate)
    step(api.RESOLVE, app.resolve)
    step(api.REPLY, app.reply)
    step(api.REOPEN, app.reopen)
    step(api.INFORM, app.inform)
    step(api.GIVE_FEEDBACK, app.give_internal_feedback)

    @rpc.implements(api.ACKNOWLEDGE_FEEDBACK)
    async def acknowledge_feedback(
        request: api.InternalFeedbackRef[api.AcknowledgeInternalFeedback], call: CallContext
    ) -> api.ComplaintView:
        complaint = await run(
            app.acknowledge_internal_feedback, request.site_id, request.complaint_id,
            request.number, request.payload, call.correlation_id,
        )  # fmt: skip
        return complaint_view(complaint)

    @rpc.implements(api.GET_COMPLAINT)
    async def get_complaint(request: api.ComplaintRef, call: CallContext) -> api.ComplaintView:
        return complaint_view(await run(app.complaint, request.site_id, request.complaint_id))

    @rpc.implements(api.LOG_VISIT)
    async def log_visit(
        request: SiteCommand[api.LogTenantVisit], call: CallContext
    ) -> api.TenantVisitLogged:
        visit_id = await run(app.log_visit, request.site_id, request.payload, call.correlation_id)
        return api.TenantVisitLogged(visit_id=visit_id)

    @rpc.implements(api.RECORD_SURVEY)
    async def record_survey(
        request: SiteCommand[api.RecordSurveyResponse], call: CallContext
    ) -> api.SurveyRecorded:
        response_id = await run(
            app.record_survey, request.site_id, request.payload, call.correlation_id
        )
        return api.SurveyRecorded(response_id=response_id)

    @rpc.implements(api.CONFIGURE)
    async def configure(
        request: SiteCommand[api.ConfigureFeedback], call: CallContext
    ) -> api.ConfigureFeedback:
        await run(app.configure, request.site_id, request.payload, call.correlation_id)
        return request.payload

    @rpc.implements(api.OPEN_COMPLAINTS)
    async def open_complaints(request: SiteRequest, call: CallContext) -> list[dict[str, Any]]:
        return await queries.open_complaints(request.site_id, clock.now())

    @rpc.implements(api.STATISTICS)
    async def statistics(request: api.StatisticsQuery, call: CallContext) -> list[dict[str, Any]]:
        return await queries.statistics(request.site_ids)

    @rpc.implements(api.SATISFACTION)
    async def satisfaction(request: SiteRequest, call: CallContext) -> list[dict[str, Any]]:
        return await queries.satisfaction(request.site_id)

    @rpc.implements(api.FOLLOW_UPS)
    async def follow_ups(request: SiteRequest, call: CallContext) -> list[dict[str, Any]]:
        return await queries.follow_ups(request.site_id)

    @rpc.implements(api.LATE_COMPLAINTS)
    async def late_complaints(request: api.DayQuery, call: CallContext) -> list[dict[str, Any]]:
        return await queries.late_complaints(request.site_id, request.business_date, clock.now())

    @rpc.implements(api.WEEKLY_TALLY)
    async def weekly_tally(request: api.WeekQuery, call: CallContext) -> dict[str, Any]:
        return await queries.weekly_tally(request.site_id, request.week_start, clock.now())

    @rpc.implements(api.INTERNAL_FEEDBACK)
    async def internal_feedback(
        request: api.InternalFeedbackQuery, call: CallContext
    ) -> list[dict[str, Any]]:
        return await queries.internal_feedback(request.site_id, request.unacknowledged_only)

    return rpc
