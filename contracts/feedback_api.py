"""The feedback service's methods: commands (gateway JSON and gRPC payloads), their
requests and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.feedback import Cause, Channel, ComplaintCategory
from contracts.fields import Label, Name, OptionalName, Phone, Quarter, Text, UnitNumber
from contracts.methods import Answer, Method, P, Request, SiteCommand, SiteRequest
from contracts.operations_api import ping, set_clock


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterComplaint(Command):
    channel: Channel
    complainant: Name
    unit: UnitNumber | None = None
    company: OptionalName = None
    contact_phone: Phone | None = None
    category: ComplaintCategory
    content: Text


class RejectComplaint(Command):
    reason: Text


class InvestigateComplaint(Command):
    cause: Cause
    notes: Text


class EscalateComplaint(Command):
    escalated_to: Name
    reason: Text


class ResolveComplaint(Command):
    resolution: Text


class ReplyToComplainant(Command):
    channel: Channel
    message: Text


class ReopenComplaint(Command):
    reason: Text


class LogTenantVisit(Command):
    unit: UnitNumber
    tenant: OptionalName = None
    visited_by: Name
    findings: list[Label] = Field(default_factory=list, max_length=50)
    follow_ups: list[Label] = Field(default_factory=list, max_length=50)


class RecordSurveyResponse(Command):
    unit: UnitNumber | None = None
    quarter: Quarter
    # Question -> score 1 (very dissatisfied) .. 5 (very satisfied).
    scores: dict[Name, Annotated[int, Field(ge=1, le=5)]] = Field(min_length=1, max_length=50)


class ConfigureFeedback(Command):
    # Hours to reply; None keeps the default: the same business day.
    reply_within_hours: Annotated[int, Field(ge=1, le=720)] | None = None


# -- requests and answers ----------------------------------------------------------------


class ComplaintRef(SiteRequest):
    complaint_id: UUID


class OnComplaint(ComplaintRef, Generic[P]):
    """A step of one complaint's handling: the complaint and the caller's body."""

    payload: P


class StatisticsQuery(Request):
    site_ids: list[UUID] | None = None  # every site when not given


ComplaintStatus = Literal["registered", "rejected", "investigating", "escalated", "resolved",
                          "replied", "reopened"]  # fmt: skip


class ComplaintView(BaseModel):
    """One complaint as it stands after its last event (`version`)."""

    complaint_id: UUID
    site_id: UUID
    status: ComplaintStatus
    channel: str
    complainant: str
    unit: str | None
    company: str | None
    category: str
    content: str
    deadline: datetime
    registered_at: datetime
    cause: str | None
    resolution: str | None
    resolved_at: datetime | None
    work_order_id: UUID | None
    reopen_count: int
    version: int


class TenantVisitLogged(BaseModel):
    visit_id: UUID


class SurveyRecorded(BaseModel):
    response_id: UUID


class OpenComplaint(Answer):
    """An open complaint's read-model row; `overdue` once its deadline has passed."""

    complaint_id: UUID
    site_id: UUID
    channel: Channel
    complainant: str
    unit: str | None
    company: str | None
    category: ComplaintCategory
    content: str
    status: ComplaintStatus
    cause: Cause | None
    deadline: AwareDatetime
    registered_at: AwareDatetime
    resolved_at: AwareDatetime | None
    replied_at: AwareDatetime | None
    escalated_to: str | None
    reopen_count: int
    work_order_id: UUID | None
    resolution: str | None
    overdue: bool


class ComplaintStatistic(Answer):
    """Complaints of one site by category, cause and status; `hours`: the mean hours to
    resolve (2 places) of those resolved and not rejected, null when none is."""

    site_id: UUID
    category: ComplaintCategory
    cause: Cause | Literal["undetermined"]
    status: ComplaintStatus
    complaints: int
    hours: float | None


class QuarterSatisfaction(Answer):
    """A quarter's surveys: the satisfied share (4 places) against the target (0.9)."""

    quarter: str
    responses: int
    satisfied: int
    satisfied_share: float
    target: float
    meets_target: bool


class FollowUps(Answer):
    """A tenant visit that left follow-ups (the 500 latest, newest first)."""

    visit_id: UUID
    unit: str
    tenant: str | None
    visited_by: str
    follow_ups: list[str]
    at: AwareDatetime


SERVICE = "feedback"
PING = ping(SERVICE)
SET_CLOCK = set_clock(SERVICE)
REGISTER = Method(SERVICE, "Register", SiteCommand[RegisterComplaint], ComplaintView)
REJECT = Method(SERVICE, "Reject", OnComplaint[RejectComplaint], ComplaintView)
INVESTIGATE = Method(SERVICE, "Investigate", OnComplaint[InvestigateComplaint], ComplaintView)
ESCALATE = Method(SERVICE, "Escalate", OnComplaint[EscalateComplaint], ComplaintView)
RESOLVE = Method(SERVICE, "Resolve", OnComplaint[ResolveComplaint], ComplaintView)
REPLY = Method(SERVICE, "Reply", OnComplaint[ReplyToComplainant], ComplaintView)
REOPEN = Method(SERVICE, "Reopen", OnComplaint[ReopenComplaint], ComplaintView)
GET_COMPLAINT = Method(SERVICE, "GetComplaint", ComplaintRef, ComplaintView, read=True)
LOG_VISIT = Method(SERVICE, "LogVisit", SiteCommand[LogTenantVisit], TenantVisitLogged)
RECORD_SURVEY = Method(SERVICE, "RecordSurvey", SiteCommand[RecordSurveyResponse], SurveyRecorded)
CONFIGURE = Method(SERVICE, "Configure", SiteCommand[ConfigureFeedback], ConfigureFeedback)
OPEN_COMPLAINTS = Method(SERVICE, "OpenComplaints", SiteRequest, list[OpenComplaint], read=True)
STATISTICS = Method(SERVICE, "Statistics", StatisticsQuery, list[ComplaintStatistic], read=True)
SATISFACTION = Method(SERVICE, "Satisfaction", SiteRequest, list[QuarterSatisfaction], read=True)
FOLLOW_UPS = Method(SERVICE, "FollowUps", SiteRequest, list[FollowUps], read=True)
