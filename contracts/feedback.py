"""Published events of the feedback context, topic `concierge.feedback.v1`."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from contracts.base import AwareDatetime, ContractEvent


class Channel(StrEnum):
    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"
    APP = "app"


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
    deadline: AwareDatetime


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
    TenantVisitLogged,
    SurveyResponseRecorded,
)
