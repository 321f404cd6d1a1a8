"""Published events of the feedback context, topic `concierge.feedback.v1`."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from contracts.base import AwareDatetime, ContractEvent


class Channel(StrEnum):
    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"
    APP = "app"


class ComplaintChannel(StrEnum):
    """Every way a complaint reaches the desk: seed 001's 电话投诉, 信件投诉, 直接投诉
    (phone, letter, in person), the app, and seed 003's 郵箱 and 意見箱 (email, the
    suggestion box). `Channel` keeps the first four for the events published before."""

    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"
    APP = "app"
    EMAIL = "email"
    SUGGESTION_BOX = "suggestion_box"


class AnswerChannel(StrEnum):
    """How the complainant is answered or kept informed (a letter or an email is a
    written reply, seed 001: 以书面形式给客人以回复)."""

    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"
    APP = "app"
    EMAIL = "email"


ANONYMOUS = "anonymous"  # the complainant of an unsigned suggestion-box note


class ComplaintCategory(StrEnum):
    REPAIR = "repair"  # opens a work order
    CLEANING = "cleaning"
    SECURITY = "security"
    NOISE = "noise"
    PARKING = "parking"
    BILLING = "billing"
    SERVICE = "service"
    OTHER = "other"


class Cause(StrEnum):
    TENANT = "tenant"
    PROPERTY = "property"
    THIRD_PARTY = "third_party"


class FeedbackEvent(ContractEvent):
    context: ClassVar[str] = "feedback"

    occurred_at: AwareDatetime


class ComplaintEvent(FeedbackEvent):
    complaint_id: UUID


class ComplaintRegistered(ComplaintEvent):
    channel: Channel
    complainant: str
    unit: str | None
    company: str | None
    contact_phone: str | None
    category: ComplaintCategory
    content: str
    deadline: AwareDatetime  # the first answer is due by then (the same local day)
    # Added later, optional: `channel` holds the nearest of the first four channels
    # (email: app, suggestion box: letter); `intake_channel` the channel itself.
    intake_channel: ComplaintChannel | None = None
    anonymous: bool = False  # a suggestion-box note with no name: nobody to answer
    location: str | None = None  # where the problem is, when not (only) the unit
    contact_email: str | None = None
    received_on: date | None = None  # the site's local day (a box: the day it was emptied)


class ComplaintRejected(ComplaintEvent):
    reason: str


class ComplaintInvestigated(ComplaintEvent):
    cause: Cause
    notes: str


class ComplaintEscalated(ComplaintEvent):
    escalated_to: str
    reason: str


class ComplaintResolved(ComplaintEvent):
    resolution: str
    work_order_id: UUID | None


class ComplaintReplied(ComplaintEvent):
    channel: Channel
    message: str
    answer_channel: AnswerChannel | None = None  # added later; email is `app` in `channel`
    replied_by: str | None = None


class ComplainantInformed(ComplaintEvent):
    """An answer or a progress report to the complainant before the complaint closes;
    `first` marks the first answer, due the same day."""

    channel: AnswerChannel
    message: str
    informed_by: str
    first: bool


class InternalFeedbackGiven(ComplaintEvent):
    """The complaint's outcome fed back to the department at fault (seed 001:
    投诉结果向内部反馈); `number` counts them per complaint from 1."""

    number: int
    department: str
    content: str
    given_by: str


class InternalFeedbackAcknowledged(ComplaintEvent):
    number: int
    department: str
    acknowledged_by: str


class ComplaintReopened(ComplaintEvent):
    reason: str


class TenantVisitLogged(FeedbackEvent):
    visit_id: UUID
    unit: str
    tenant: str | None
    visited_by: str
    findings: list[str]
    follow_ups: list[str]


class SurveyResponseRecorded(FeedbackEvent):
    response_id: UUID
    unit: str | None
    quarter: str
    scores: dict[str, int]
    satisfied: bool


EVENTS: tuple[type[FeedbackEvent], ...] = (
    ComplaintRegistered,
    ComplaintRejected,
    ComplaintInvestigated,
    ComplaintEscalated,
    ComplaintResolved,
    ComplaintReplied,
    ComplaintReopened,
    ComplainantInformed,
    InternalFeedbackGiven,
    InternalFeedbackAcknowledged,
    TenantVisitLogged,
    SurveyResponseRecorded,
)
