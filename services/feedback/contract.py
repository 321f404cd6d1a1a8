"""What leaves the feedback service: complaint, visit and survey events."""

from __future__ import annotations

from typing import Any

from contracts import feedback as published
from contracts import topics
from contracts.base import ContractEvent
from services.feedback.answers import LEGACY_CHANNEL
from services.feedback.domain import Complaint, SurveyResponse, TenantVisit, is_satisfied

TOPIC = topics.FEEDBACK


def contract_for(e: Any) -> ContractEvent | None:
    """The published form of a domain event, or None for internal events (the policy)."""
    if isinstance(e, Complaint.Event):
        return _complaint(e, {"site_id": e.site_id, "complaint_id": e.originator_id,
                              "occurred_at": e.at})  # fmt: skip
    match e:
        case TenantVisit.Logged():
            return published.TenantVisitLogged(
                site_id=e.site_id, visit_id=e.originator_id, unit=e.unit, tenant=e.tenant,
                visited_by=e.visited_by, findings=e.findings, follow_ups=e.follow_ups,
                occurred_at=e.at,
            )  # fmt: skip
        case SurveyResponse.Recorded():
            return published.SurveyResponseRecorded(
                site_id=e.site_id, response_id=e.originator_id, unit=e.unit, quarter=e.quarter,
                scores=e.scores, satisfied=is_satisfied(e.scores), occurred_at=e.at,
            )  # fmt: skip
    return None


def _complaint(e: Any, common: dict[str, Any]) -> ContractEvent | None:
    match e:
        case Complaint.Registered():
            # Events stored before a field existed lack it: getattr gives its default.
            return published.ComplaintRegistered(
                **common, channel=LEGACY_CHANNEL.get(e.channel, e.channel),
                complainant=e.complainant, unit=e.unit, company=e.company,
                contact_phone=e.contact_phone, category=e.category, content=e.content,
                deadline=e.deadline, intake_channel=e.channel,
                anonymous=getattr(e, "anonymous", False), location=getattr(e, "location", None),
                contact_email=getattr(e, "contact_email", None),
                received_on=getattr(e, "received_on", None),
            )  # fmt: skip
        case Complaint.Rejected():
            return published.ComplaintRejected(**common, reason=e.reason)
        case Complaint.Investigated():
            return published.ComplaintInvestigated(**common, cause=e.cause, notes=e.notes)
        case Complaint.Escalated():
            return published.ComplaintEscalated(**common, escalated_to=e.escalated_to,
                                                reason=e.reason)  # fmt: skip
        case Complaint.Resolved():
            return published.ComplaintResolved(**common, resolution=e.resolution,
                                               work_order_id=e.work_order_id)  # fmt: skip
        case Complaint.Replied():
            return published.ComplaintReplied(
                **common, channel=LEGACY_CHANNEL.get(e.channel, e.channel), message=e.message,
                answer_channel=e.channel, replied_by=getattr(e, "by", None),
            )  # fmt: skip
        case Complaint.Informed():
            return published.ComplainantInformed(**common, channel=e.channel, message=e.message,
                                                 informed_by=e.by, first=e.first)  # fmt: skip
        case Complaint.InternalFeedbackGiven():
            return published.InternalFeedbackGiven(
                **common, number=e.number, department=e.department, content=e.content,
                given_by=e.by,
            )  # fmt: skip
        case Complaint.InternalFeedbackAcknowledged():
            return published.InternalFeedbackAcknowledged(
                **common, number=e.number, department=e.department, acknowledged_by=e.by
            )
        case Complaint.Reopened():
            return published.ComplaintReopened(**common, reason=e.reason)
    return None
