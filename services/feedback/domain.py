"""Complaints from intake to reply, tenant visits and satisfaction surveys (no I/O).

Rules cited from DOMAIN.md "Feedback (complaints, visits, satisfaction)".
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict
from services.feedback.answers import WRITTEN

SATISFIED_AT = 4.0  # average score from which a response counts as satisfied (of 5)
TARGET_SATISFIED_SHARE = 0.90  # seeds: satisfaction >= 90% per quarter


class ComplaintStatus(StrEnum):
    REGISTERED = "registered"
    REJECTED = "rejected"  # invalid, with a reason
    INVESTIGATING = "investigating"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    REPLIED = "replied"  # closed: the complainant has the answer
    REOPENED = "reopened"


OPEN = (
    ComplaintStatus.REGISTERED,
    ComplaintStatus.INVESTIGATING,
    ComplaintStatus.ESCALATED,
    ComplaintStatus.REOPENED,
)


CLOSED = (ComplaintStatus.REPLIED,)


class Complaint(SiteAggregate):
    """A tenant's complaint: answered by its deadline (the same day), kept informed of
    progress, fed back to the department at fault, and closed by the reply."""

    @event("Registered")
    def __init__(
        self,
        site_id: UUID,
        channel: str,
        complainant: str,
        unit: str | None,
        company: str | None,
        contact_phone: str | None,
        category: str,
        content: str,
        deadline: datetime,
        at: datetime,
        anonymous: bool = False,
        location: str | None = None,
        contact_email: str | None = None,
        received_on: date | None = None,
    ) -> None:
        self.site_id = site_id
        self.channel = channel  # one of ComplaintChannel (email, suggestion_box too)
        self.anonymous = anonymous
        self.location = location
        self.contact_email = contact_email
        self.received_on = received_on
        self.complainant = complainant
        self.unit = unit
        self.company = company
        self.contact_phone = contact_phone
        self.category = category
        self.content = content
        self.deadline = deadline
        self.registered_at = at
        self.status = ComplaintStatus.REGISTERED
        self.cause: str | None = None
        self.resolution: str | None = None
        self.resolved_at: datetime | None = None
        self.work_order_id: UUID | None = None
        self.reopen_count = 0
        self.answered_at: datetime | None = None
        self.written_reply = False
        self.updates: list[dict[str, Any]] = []
        self.internal_feedback: list[dict[str, Any]] = []

    def reject(self, *, reason: str, at: datetime) -> None:
        """Decide valid or invalid: an invalid complaint needs a reason."""
        if self.status != ComplaintStatus.REGISTERED:
            raise Conflict(f"complaint is {self.status}; only a new complaint can be rejected")
        self._rejected(reason=reason, at=at)

    @event("Rejected")
    def _rejected(self, reason: str, at: datetime) -> None:
        self.status = ComplaintStatus.REJECTED
        self.resolution = reason

    def investigate(self, *, cause: str, notes: str, at: datetime) -> None:
        """Investigation records the cause: tenant, property or third party."""
        if self.status not in OPEN:
            raise Conflict(f"complaint is {self.status}; only an open complaint is investigated")
        self._investigated(cause=cause, notes=notes, at=at)

    @event("Investigated")
    def _investigated(self, cause: str, notes: str, at: datetime) -> None:
        self.status = ComplaintStatus.INVESTIGATING
        self.cause = cause

    def escalate(self, *, escalated_to: str, reason: str, at: datetime) -> None:
        """Escalate when the desk cannot handle it."""
        if self.status not in OPEN:
            raise Conflict(f"complaint is {self.status}; only an open complaint is escalated")
        self._escalated(escalated_to=escalated_to, reason=reason, at=at)

    @event("Escalated")
    def _escalated(self, escalated_to: str, reason: str, at: datetime) -> None:
        self.status = ComplaintStatus.ESCALATED

    def resolve(self, *, resolution: str, work_order_id: UUID | None, at: datetime) -> bool:
        """Resolve an open complaint; a rejected one cannot be. False if already resolved."""
        if self.status in (ComplaintStatus.RESOLVED, ComplaintStatus.REPLIED):
            return False
        if self.status not in OPEN:
            raise Conflict(f"complaint is {self.status}; it cannot be resolved")
        self._resolved(resolution=resolution, work_order_id=work_order_id, at=at)
        return True

    @event("Resolved")
    def _resolved(self, resolution: str, work_order_id: UUID | None, at: datetime) -> None:
        self.status = ComplaintStatus.RESOLVED
        self.resolution = resolution
        self.resolved_at = at
        self.work_order_id = work_order_id or self.work_order_id

    def reply(self, *, channel: str, message: str, at: datetime, by: str | None = None) -> None:
        """Reply to the complainant once it is resolved (or found invalid): this closes it.

        Seed 001: "对于收取信件 ... 并以书面形式给客人以回复": a letter complaint closes
        only once the complainant has a written reply (this one, or an earlier answer by
        letter or email)."""
        if self.status not in (ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED):
            raise Conflict(f"complaint is {self.status}; reply once it is resolved or rejected")
        if self.channel == "letter" and not self.written_reply and channel not in WRITTEN:
            raise Conflict(
                "a letter complaint is closed only with a written reply (seed 001:"
                " 以书面形式给客人以回复): reply by letter or email, or send one first"
            )
        self._replied(channel=channel, message=message, at=at, by=by)

    @event("Replied")
    def _replied(self, channel: str, message: str, at: datetime, by: str | None = None) -> None:
        self.status = ComplaintStatus.REPLIED
        self._answered(channel, at)

    def inform(self, *, channel: str, message: str, by: str, at: datetime) -> None:
        """Answer the complainant, or report progress, before the complaint closes.

        Seed 001: "不能回复问题要通知问清后,当日给回复" (the first answer the same day, solved
        or not) and "要一直跟踪督促相关部门,不停给用户反馈其进展,直至完成" (progress until it is
        done). An anonymous note has nobody to inform."""
        if self.anonymous:
            raise Conflict("an anonymous complaint has no complainant to inform")
        if self.status in CLOSED:
            raise Conflict(f"complaint is {self.status}; updates go to an open complaint")
        self._informed(channel=channel, message=message, by=by, first=self.answered_at is None,
                       at=at)  # fmt: skip

    @event("Informed")
    def _informed(self, channel: str, message: str, by: str, first: bool, at: datetime) -> None:
        self.updates.append({"channel": channel, "message": message, "by": by, "at": at})
        self._answered(channel, at)

    def _answered(self, channel: str, at: datetime) -> None:
        self.answered_at = self.answered_at or at
        self.written_reply = self.written_reply or channel in WRITTEN

    def give_internal_feedback(self, *, department: str, content: str, by: str,
                               at: datetime) -> int:  # fmt: skip
        """Feed the outcome back to the department at fault (seed 001: "对投诉反馈需在两个方面
        跟进反馈: 投诉结果向业户反馈。投诉结果向内部反馈"). Fault is known once the complaint
        is investigated; a rejected complaint has none. The feedback's number."""
        if self.status == ComplaintStatus.REJECTED:
            raise Conflict("a rejected complaint has no department at fault")
        if self.cause is None:
            raise Conflict("investigate the complaint first: its cause names the fault")
        number = len(self.internal_feedback) + 1
        self._feedback_given(number=number, department=department, content=content, by=by,
                             at=at)  # fmt: skip
        return number

    @event("InternalFeedbackGiven")
    def _feedback_given(self, number: int, department: str, content: str, by: str,
                        at: datetime) -> None:  # fmt: skip
        self.internal_feedback.append({
            "number": number, "department": department, "content": content, "given_by": by,
            "given_at": at, "acknowledged_by": None, "acknowledged_at": None,
        })  # fmt: skip

    def acknowledge_internal_feedback(self, *, number: int, by: str, at: datetime) -> None:
        """The department acknowledges the feedback, by name, once."""
        if not 1 <= number <= len(self.internal_feedback):
            raise Conflict(f"complaint has no internal feedback {number}")
        if self.internal_feedback[number - 1]["acknowledged_by"] is not None:
            raise Conflict(f"internal feedback {number} is already acknowledged")
        department = self.internal_feedback[number - 1]["department"]
        self._feedback_acknowledged(number=number, department=department, by=by, at=at)

    @event("InternalFeedbackAcknowledged")
    def _feedback_acknowledged(self, number: int, department: str, by: str,
                               at: datetime) -> None:  # fmt: skip
        self.internal_feedback[number - 1].update(acknowledged_by=by, acknowledged_at=at)

    def reopen(self, *, reason: str, at: datetime) -> None:
        """Reopen on the complainant's dissatisfaction with the answer."""
        if self.status not in (ComplaintStatus.RESOLVED, ComplaintStatus.REPLIED):
            raise Conflict(f"complaint is {self.status}; only an answered complaint reopens")
        self._reopened(reason=reason, at=at)

    @event("Reopened")
    def _reopened(self, reason: str, at: datetime) -> None:
        self.status = ComplaintStatus.REOPENED
        self.reopen_count += 1
        self.resolved_at = None


class TenantVisit(SiteAggregate):
    """A scheduled visit to a tenant; its findings become follow-ups."""

    @event("Logged")
    def __init__(
        self,
        site_id: UUID,
        unit: str,
        tenant: str | None,
        visited_by: str,
        findings: list[str],
        follow_ups: list[str],
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.unit = unit
        self.follow_ups = follow_ups


class SurveyResponse(SiteAggregate):
    """One tenant's answers to a satisfaction survey (score per question, 1 to 5)."""

    @event("Recorded")
    def __init__(
        self, site_id: UUID, unit: str | None, quarter: str, scores: dict[str, int], at: datetime
    ) -> None:
        self.site_id = site_id
        self.quarter = quarter
        self.scores = scores

    @property
    def satisfied(self) -> bool:
        return is_satisfied(self.scores)


def is_satisfied(scores: dict[str, int]) -> bool:
    """Satisfied when the average score is at least 4 of 5."""
    return sum(scores.values()) / len(scores) >= SATISFIED_AT


class FeedbackPolicy(SiteAggregate):
    """Per site: hours to the first answer, for every channel (`reply_within_hours`) or
    per channel (`answer_within_hours`, which wins); none: by the end of the same day."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:feedback:policy:{site_id}")

    @event("Configured")
    def __init__(self, site_id: UUID, reply_within_hours: int | None,
                 answer_within_hours: dict[str, int] | None = None) -> None:  # fmt: skip
        self.site_id = site_id
        self.reply_within_hours = reply_within_hours
        self.answer_within_hours = answer_within_hours or {}

    @event("Changed")
    def change(self, reply_within_hours: int | None,
               answer_within_hours: dict[str, int] | None = None) -> None:  # fmt: skip
        self.reply_within_hours = reply_within_hours
        self.answer_within_hours = answer_within_hours or {}

    def hours_for(self, channel: str) -> int | None:
        """The site's hours to the first answer on `channel`; None: the same day."""
        return self.answer_within_hours.get(channel, self.reply_within_hours)
