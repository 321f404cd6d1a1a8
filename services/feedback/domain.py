"""Complaints from intake to reply, tenant visits and satisfaction surveys (no I/O).

Rules cited from DOMAIN.md "Feedback (complaints, visits, satisfaction)".
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict

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


class Complaint(SiteAggregate):
    """A tenant's complaint, handled against a reply deadline until the reply."""

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
    ) -> None:
        self.site_id = site_id
        self.channel = channel
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

    def reply(self, *, channel: str, message: str, at: datetime) -> None:
        """Reply to the complainant once it is resolved (or found invalid)."""
        if self.status not in (ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED):
            raise Conflict(f"complaint is {self.status}; reply once it is resolved or rejected")
        self._replied(channel=channel, message=message, at=at)

    @event("Replied")
    def _replied(self, channel: str, message: str, at: datetime) -> None:
        self.status = ComplaintStatus.REPLIED

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
    """Per site: hours to reply (None: by the end of the same business day)."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:feedback:policy:{site_id}")

    @event("Configured")
    def __init__(self, site_id: UUID, reply_within_hours: int | None) -> None:
        self.site_id = site_id
        self.reply_within_hours = reply_within_hours

    @event("Changed")
    def change(self, reply_within_hours: int | None) -> None:
        self.reply_within_hours = reply_within_hours
