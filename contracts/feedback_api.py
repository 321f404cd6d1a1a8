"""The feedback service's methods: commands (gateway JSON and gRPC payloads), their
requests and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
)

from contracts.feedback import AnswerChannel, Cause, ComplaintCategory, ComplaintChannel
from contracts.fields import (
    BusinessDate,
    Label,
    Name,
    OptionalName,
    Phone,
    Quarter,
    Text,
    UnitNumber,
)
from contracts.methods import Answer, Method, P, Request, SiteCommand, SiteRequest
from contracts.operations_api import ping, set_clock


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterComplaint(Command):
    channel: ComplaintChannel
    # Required, except on a suggestion-box note, which may be anonymous (seed 003: 意見箱).
    complainant: OptionalName = Field(default=None, validate_default=True)
    unit: UnitNumber | None = None
    company: OptionalName = None
    contact_phone: Phone | None = None
    contact_email: EmailStr | None = None
    category: ComplaintCategory
    content: Text
    location: Label | None = None  # where the problem is (a lobby, a car park level ...)
    # The local day the suggestion box was emptied: given for the box, and only for it.
    collected_on: BusinessDate | None = Field(default=None, validate_default=True)

    @field_validator("complainant")
    @classmethod
    def _named(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("channel") != ComplaintChannel.SUGGESTION_BOX:
            raise ValueError("name the complainant (only a suggestion-box note may be anonymous)")
        return value

    @field_validator("collected_on")
    @classmethod
    def _collected(cls, value: date | None, info: ValidationInfo) -> date | None:
        box = info.data.get("channel") == ComplaintChannel.SUGGESTION_BOX
        if box and value is None:
            raise ValueError("give the day the suggestion box was emptied")
        if value is not None and not box:
            raise ValueError("only a suggestion-box note has a collection day")
        return value


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
    channel: AnswerChannel
    message: Text
    by: OptionalName = None  # who replied


class InformComplainant(Command):
    """The first answer (the same day, solved or not) or a progress report."""

    channel: AnswerChannel
    message: Text
    by: Name


class GiveInternalFeedback(Command):
    department: Name  # the department at fault
    content: Text
    by: Name


class AcknowledgeInternalFeedback(Command):
    acknowledged_by: Name


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


Hours = Annotated[int, Field(ge=1, le=720)]


class ConfigureFeedback(Command):
    # Hours to the first answer on every channel; None keeps the default: the same day.
    reply_within_hours: Hours | None = None
    # Hours per channel, over `reply_within_hours`; a channel left out keeps that.
    answer_within_hours: dict[ComplaintChannel, Hours] = Field(default_factory=dict)


# -- requests and answers ----------------------------------------------------------------


class ComplaintRef(SiteRequest):
    complaint_id: UUID


class OnComplaint(ComplaintRef, Generic[P]):
    """A step of one complaint's handling: the complaint and the caller's body."""

    payload: P


class InternalFeedbackRef(ComplaintRef, Generic[P]):
    number: Annotated[int, Field(ge=1, le=1000)]
    payload: P


class DayQuery(SiteRequest):
    business_date: BusinessDate


class WeekQuery(SiteRequest):
    week_start: BusinessDate


class InternalFeedbackQuery(SiteRequest):
    unacknowledged_only: bool = False


class StatisticsQuery(Request):
    site_ids: list[UUID] | None = None  # every site when not given


ComplaintStatus = Literal["registered", "rejected", "investigating", "escalated", "resolved",
                          "replied", "reopened"]  # fmt: skip


class ComplainantUpdate(BaseModel):
    channel: AnswerChannel
    message: str
    by: str
    at: datetime


class InternalFeedback(BaseModel):
    number: int
    department: str
    content: str
    given_by: str
    given_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None


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
    anonymous: bool
    location: str | None
    received_on: date | None
    answered_at: datetime | None
    late: bool  # no answer before the deadline (now, or when it came)
    written_reply: bool
    updates: list[ComplainantUpdate]
    internal_feedback: list[InternalFeedback]
    version: int


class TenantVisitLogged(BaseModel):
    visit_id: UUID


class SurveyRecorded(BaseModel):
    response_id: UUID


class OpenComplaint(Answer):
    """An open complaint's read-model row; `overdue` while unanswered past its deadline."""

    complaint_id: UUID
    site_id: UUID
    channel: ComplaintChannel
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
    anonymous: bool
    location: str | None
    received_on: date | None
    answered_at: AwareDatetime | None
    last_update_at: AwareDatetime | None
    updates: int
    written_reply: bool
    overdue: bool  # no answer yet, and the deadline has passed
    late: bool  # no answer before the deadline (none yet, or one after it)


class LateComplaint(Answer):
    """A complaint of the day not answered before its deadline: `answered_at` after it,
    or null when still unanswered."""

    complaint_id: UUID
    channel: ComplaintChannel
    complainant: str
    unit: str | None
    category: ComplaintCategory
    status: ComplaintStatus
    registered_at: AwareDatetime
    deadline: AwareDatetime
    answered_at: AwareDatetime | None


class TallyRow(Answer):
    category: ComplaintCategory
    cause: Cause | Literal["undetermined"]
    location: str  # the complaint's location, else its unit, else "unspecified"
    complaints: int
    still_open: int
    late: int


class WeeklyComplaintTally(Answer):
    """Seed 001: "每七天将投诉统计单交至客服部文秘处进行统计汇总"; seed 003: "定期對投訴情況進行
    統計,分析投訴的類型、原因、分布": the complaints received on the site's local days
    `week_start`..`week_end`, by type (category), cause and location."""

    week_start: date
    week_end: date
    complaints: int
    late: int
    rows: list[TallyRow]


class InternalFeedbackRow(Answer):
    complaint_id: UUID
    number: int
    department: str
    content: str
    given_by: str
    given_at: AwareDatetime
    acknowledged_by: str | None
    acknowledged_at: AwareDatetime | None
    category: ComplaintCategory
    unit: str | None


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

# -- answers, progress and internal feedback (issue 12, item 1) ---------------------------
INFORM = Method(SERVICE, "Inform", OnComplaint[InformComplainant], ComplaintView)
GIVE_FEEDBACK = Method(
    SERVICE, "GiveInternalFeedback", OnComplaint[GiveInternalFeedback], ComplaintView
)
ACKNOWLEDGE_FEEDBACK = Method(
    SERVICE,
    "AcknowledgeInternalFeedback",
    InternalFeedbackRef[AcknowledgeInternalFeedback],
    ComplaintView,
)
LATE_COMPLAINTS = Method(SERVICE, "LateComplaints", DayQuery, list[LateComplaint], read=True)
WEEKLY_TALLY = Method(SERVICE, "WeeklyTally", WeekQuery, WeeklyComplaintTally, read=True)
INTERNAL_FEEDBACK = Method(
    SERVICE, "InternalFeedback", InternalFeedbackQuery, list[InternalFeedbackRow], read=True
)
