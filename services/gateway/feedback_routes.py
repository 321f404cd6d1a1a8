"""Complaint, tenant-visit and satisfaction endpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request

from contracts import feedback_api as api
from contracts.fields import BusinessDate
from contracts.methods import Method
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.security import (
    FRONT_DESK,
    GROUP_READERS,
    call,
    group_access,
    site_access,
)

router = APIRouter(tags=["feedback"])
SITE = "/sites/{site_id}"
CS = frozenset({Role.CS_REP, Role.CS_SUPERVISOR, Role.CS_MANAGER})

Intake = Annotated[Principal, site_access(FRONT_DESK)]
CustomerService = Annotated[Principal, site_access(CS)]
Manager = Annotated[Principal, site_access(frozenset({Role.CS_MANAGER, Role.GROUP_ADMIN}))]
Reader = Annotated[Principal, site_access(CS | {Role.GROUP_ADMIN, Role.BI})]
GroupReader = Annotated[Principal, group_access(GROUP_READERS)]
# The department at fault acknowledges feedback: any of the site's staff but BI.
Departments = Annotated[Principal, site_access(frozenset(Role) - {Role.BI})]
DepartmentReader = Annotated[Principal, site_access(
    CS | {Role.GENERAL_MANAGER, Role.DISPATCHER, Role.TECHNICIAN, Role.ACCOUNTANT,
          Role.FINANCE_MANAGER, Role.GROUP_ADMIN, Role.BI}
)]  # fmt: skip
Step = Literal["investigate", "escalate", "resolve", "reply", "reopen", "reject"]


@router.post(f"{SITE}/complaints", status_code=201, summary="Register a complaint")
async def register(
    site_id: UUID, cmd: JsonBody[api.RegisterComplaint], request: Request, _: Intake
) -> api.ComplaintView:
    return await call(request, api.REGISTER, site_id=site_id, payload=cmd)


@router.get(f"{SITE}/complaints/{{complaint_id}}", summary="One complaint")
async def get_complaint(
    site_id: UUID, complaint_id: UUID, request: Request, _: Reader
) -> api.ComplaintView:
    return await call(request, api.GET_COMPLAINT, site_id=site_id, complaint_id=complaint_id)


async def _step(
    request: Request,
    site_id: UUID,
    complaint_id: UUID,
    method: Method[api.OnComplaint[Any], api.ComplaintView],
    cmd: Any,
) -> api.ComplaintView:
    return await call(request, method, site_id=site_id, complaint_id=complaint_id, payload=cmd)


@router.post(f"{SITE}/complaints/{{complaint_id}}/rejection", summary="Invalid, with a reason")
async def reject(site_id: UUID, complaint_id: UUID, cmd: JsonBody[api.RejectComplaint],
                 request: Request, _: CustomerService) -> api.ComplaintView:  # fmt: skip
    return await _step(request, site_id, complaint_id, api.REJECT, cmd)


@router.post(f"{SITE}/complaints/{{complaint_id}}/investigation", summary="Cause and notes")
async def investigate(site_id: UUID, complaint_id: UUID, cmd: JsonBody[api.InvestigateComplaint],
                      request: Request, _: CustomerService) -> api.ComplaintView:  # fmt: skip
    return await _step(request, site_id, complaint_id, api.INVESTIGATE, cmd)


@router.post(f"{SITE}/complaints/{{complaint_id}}/escalation", summary="Escalate")
async def escalate(site_id: UUID, complaint_id: UUID, cmd: JsonBody[api.EscalateComplaint],
                   request: Request, _: CustomerService) -> api.ComplaintView:  # fmt: skip
    return await _step(request, site_id, complaint_id, api.ESCALATE, cmd)


@router.post(f"{SITE}/complaints/{{complaint_id}}/resolution", summary="Resolved")
async def resolve(site_id: UUID, complaint_id: UUID, cmd: JsonBody[api.ResolveComplaint],
                  request: Request, _: CustomerService) -> api.ComplaintView:  # fmt: skip
    return await _step(request, site_id, complaint_id, api.RESOLVE, cmd)


@router.post(f"{SITE}/complaints/{{complaint_id}}/reply", summary="Reply to the complainant")
async def reply(site_id: UUID, complaint_id: UUID, cmd: JsonBody[api.ReplyToComplainant],
                request: Request, _: CustomerService) -> api.ComplaintView:  # fmt: skip
    return await _step(request, site_id, complaint_id, api.REPLY, cmd)


@router.post(f"{SITE}/complaints/{{complaint_id}}/reopening", summary="Reopen: not satisfied")
async def reopen(site_id: UUID, complaint_id: UUID, cmd: JsonBody[api.ReopenComplaint],
                 request: Request, _: CustomerService) -> api.ComplaintView:  # fmt: skip
    return await _step(request, site_id, complaint_id, api.REOPEN, cmd)


@router.get(f"{SITE}/complaints", summary="Open complaints with deadlines (overdue flagged)")
async def open_complaints(site_id: UUID, request: Request, _: Reader) -> list[api.OpenComplaint]:
    return await call(request, api.OPEN_COMPLAINTS, site_id=site_id)


@router.get(f"{SITE}/complaint-statistics", summary="By category, cause, status; hours to resolve")
async def statistics(site_id: UUID, request: Request, _: Reader) -> list[api.ComplaintStatistic]:
    return await call(request, api.STATISTICS, site_ids=[site_id])


@router.post(f"{SITE}/tenant-visits", status_code=201, summary="Log a visit to a tenant")
async def log_visit(site_id: UUID, cmd: JsonBody[api.LogTenantVisit], request: Request,
                    _: CustomerService) -> api.TenantVisitLogged:  # fmt: skip
    return await call(request, api.LOG_VISIT, site_id=site_id, payload=cmd)


@router.get(f"{SITE}/tenant-visits/follow-ups", summary="Follow-ups from tenant visits")
async def follow_ups(site_id: UUID, request: Request, _: Reader) -> list[api.FollowUps]:
    return await call(request, api.FOLLOW_UPS, site_id=site_id)


@router.post(f"{SITE}/survey-responses", status_code=201, summary="A satisfaction survey")
async def record_survey(site_id: UUID, cmd: JsonBody[api.RecordSurveyResponse], request: Request,
                        _: CustomerService) -> api.SurveyRecorded:  # fmt: skip
    return await call(request, api.RECORD_SURVEY, site_id=site_id, payload=cmd)


@router.get(f"{SITE}/satisfaction", summary="Satisfied share per quarter against the 90% target")
async def satisfaction(site_id: UUID, request: Request, _: Reader) -> list[api.QuarterSatisfaction]:
    return await call(request, api.SATISFACTION, site_id=site_id)


@router.put(f"{SITE}/feedback-settings", summary="Hours to reply (default: the same day)")
async def configure(site_id: UUID, cmd: JsonBody[api.ConfigureFeedback], request: Request,
                    _: Manager) -> api.ConfigureFeedback:  # fmt: skip
    return await call(request, api.CONFIGURE, site_id=site_id, payload=cmd)


@router.get("/group/complaint-statistics", summary="Complaint statistics of every site")
async def group_statistics(request: Request, _: GroupReader) -> list[api.ComplaintStatistic]:
    return await call(request, api.STATISTICS)


# -- answers, progress, internal feedback, the late list and the weekly tally (issue 12) --


@router.post(f"{SITE}/complaints/{{complaint_id}}/updates",
             summary="Answer the complainant or report progress (channel, by)")  # fmt: skip
async def inform(site_id: UUID, complaint_id: UUID, cmd: JsonBody[api.InformComplainant],
                 request: Request, _: Intake) -> api.ComplaintView:  # fmt: skip
    return await _step(request, site_id, complaint_id, api.INFORM, cmd)


@router.post(f"{SITE}/complaints/{{complaint_id}}/internal-feedback",
             summary="Feed the outcome back to the department at fault")  # fmt: skip
async def give_internal_feedback(site_id: UUID, complaint_id: UUID,
                                 cmd: JsonBody[api.GiveInternalFeedback], request: Request,
                                 _: CustomerService) -> api.ComplaintView:  # fmt: skip
    return await _step(request, site_id, complaint_id, api.GIVE_FEEDBACK, cmd)


@router.post(
    f"{SITE}/complaints/{{complaint_id}}/internal-feedback/{{number}}/acknowledgement",
    summary="The department acknowledges the feedback, by name",
)
async def acknowledge_internal_feedback(
    site_id: UUID, complaint_id: UUID, number: Annotated[int, Path(ge=1, le=1000)],
    cmd: JsonBody[api.AcknowledgeInternalFeedback], request: Request, _: Departments,
) -> api.ComplaintView:  # fmt: skip
    return await call(request, api.ACKNOWLEDGE_FEEDBACK, site_id=site_id,
                      complaint_id=complaint_id, number=number, payload=cmd)  # fmt: skip


@router.get(f"{SITE}/complaints-late", summary="The day's complaints not answered in time")
async def late_complaints(
    site_id: UUID, request: Request, _: Reader, day: Annotated[BusinessDate, Query(alias="date")]
) -> list[api.LateComplaint]:
    return await call(request, api.LATE_COMPLAINTS, site_id=site_id, business_date=day)


@router.get(f"{SITE}/complaint-tally", summary="The week's complaints by type, cause, location")
async def weekly_tally(
    site_id: UUID, request: Request, _: Reader, week_start: Annotated[BusinessDate, Query()]
) -> api.WeeklyComplaintTally:
    return await call(request, api.WEEKLY_TALLY, site_id=site_id, week_start=week_start)


@router.get(f"{SITE}/complaint-internal-feedback", summary="Feedback to departments at fault")
async def internal_feedback(
    site_id: UUID, request: Request, _: DepartmentReader, unacknowledged_only: bool = False
) -> list[api.InternalFeedbackRow]:
    return await call(request, api.INTERNAL_FEEDBACK, site_id=site_id,
                      unacknowledged_only=unacknowledged_only)  # fmt: skip
