"""Feedback application: complaints, tenant visits and surveys against the event store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from contracts import feedback_api as api
from contracts.feedback import ANONYMOUS
from runtime.clock import clock, local_date
from runtime.errors import ForeignSiteReference, Invalid, NotFound
from runtime.eventstore import ServiceApplication
from runtime.settings import ServiceSettings
from runtime.sites import site_timezone
from services.feedback.answers import answer_due
from services.feedback.domain import Complaint, FeedbackPolicy, SurveyResponse, TenantVisit


class FeedbackSettings(ServiceSettings):
    feedback_grpc_port: int = 50064


class FeedbackApplication(ServiceApplication):
    name = "feedback"

    def __init__(self, settings: FeedbackSettings) -> None:
        super().__init__(settings, settings.schema_name("feedback"))

    def register(self, site_id: UUID, cmd: api.RegisterComplaint, cid: str | None,
                 tenant: dict[str, Any] | None = None) -> Complaint:  # fmt: skip
        """Register the complainant, unit, company, contact (DOMAIN.md). A complaint from a
        unit on the site's roster (`tenant`, from the tenancy events) takes the tenant's
        company and contact phone when the intake left them out."""
        company, phone = cmd.company, cmd.contact_phone
        if tenant is not None:
            company = company or (tenant["tenant"] if tenant["company"] else None)
            phone = phone or tenant["contact_phone"]

        zone = site_timezone(site_id)

        def command() -> Complaint:
            now = clock.now()
            received_on = cmd.collected_on or local_date(now, zone)
            if received_on > local_date(now, zone):
                raise Invalid("the suggestion box is emptied today or before",
                              field="collected_on")  # fmt: skip
            complaint = Complaint(
                site_id=site_id, channel=cmd.channel.value,
                complainant=cmd.complainant or ANONYMOUS, anonymous=cmd.complainant is None,
                unit=cmd.unit, company=company, contact_phone=phone,
                contact_email=cmd.contact_email, category=cmd.category.value,
                content=cmd.content, location=cmd.location, received_on=received_on,
                deadline=self.answer_deadline(site_id, cmd.channel.value, now, received_on),
                at=now,
            )  # fmt: skip
            self.save(complaint)
            return complaint

        return self.run(cid, command)

    def answer_deadline(
        self, site_id: UUID, channel: str, received: datetime, received_on: date
    ) -> datetime:
        """The first answer is due the same local day unless the site set hours for the
        channel (services.feedback.answers)."""
        policy = self._policy(site_id)
        return answer_due(received=received, received_on=received_on, zone=site_timezone(site_id),
                          hours=policy.hours_for(channel) if policy else None)  # fmt: skip

    def reject(self, site_id: UUID, complaint_id: UUID, cmd: api.RejectComplaint,
               cid: str | None) -> Complaint:  # fmt: skip
        return self._on(
            site_id, complaint_id, cid, lambda c: c.reject(reason=cmd.reason, at=clock.now())
        )

    def investigate(self, site_id: UUID, complaint_id: UUID, cmd: api.InvestigateComplaint,
                    cid: str | None) -> Complaint:  # fmt: skip
        return self._on(site_id, complaint_id, cid,
                 lambda c: c.investigate(cause=cmd.cause.value, notes=cmd.notes,
                                         at=clock.now()))  # fmt: skip

    def escalate(self, site_id: UUID, complaint_id: UUID, cmd: api.EscalateComplaint,
                 cid: str | None) -> Complaint:  # fmt: skip
        return self._on(site_id, complaint_id, cid,
                 lambda c: c.escalate(escalated_to=cmd.escalated_to, reason=cmd.reason,
                                      at=clock.now()))  # fmt: skip

    def resolve(self, site_id: UUID, complaint_id: UUID, cmd: api.ResolveComplaint,
                cid: str | None) -> Complaint:  # fmt: skip
        return self._on(site_id, complaint_id, cid,
                 lambda c: c.resolve(resolution=cmd.resolution, work_order_id=None,
                                     at=clock.now()))  # fmt: skip

    def resolve_by_repair(self, site_id: UUID, complaint_id: UUID, work_order_id: UUID,
                          number: str, at: datetime, cid: str | None) -> bool:  # fmt: skip
        """A verified repair resolves the complaint it came from (once).

        The complaint must be one of the repair's site ("every id it carries belongs to
        the same site", DOMAIN.md): any other is refused loudly, never resolved.
        """

        def command() -> bool:
            try:
                complaint = self.complaint(site_id, complaint_id)
            except NotFound:
                raise ForeignSiteReference(
                    f"work order {work_order_id} of site {site_id} names complaint"
                    f" {complaint_id}, which is not a complaint of that site"
                ) from None
            done = complaint.resolve(resolution=f"repair {number} verified",
                                     work_order_id=work_order_id, at=at)  # fmt: skip
            if done:
                self.save(complaint)
            return done

        return self.run(cid, command, retries=5)

    def reply(self, site_id: UUID, complaint_id: UUID, cmd: api.ReplyToComplainant,
              cid: str | None) -> Complaint:  # fmt: skip
        return self._on(site_id, complaint_id, cid,
                 lambda c: c.reply(channel=cmd.channel.value, message=cmd.message,
                                   by=cmd.by, at=clock.now()))  # fmt: skip

    def inform(self, site_id: UUID, complaint_id: UUID, cmd: api.InformComplainant,
               cid: str | None) -> Complaint:  # fmt: skip
        return self._on(site_id, complaint_id, cid,
                 lambda c: c.inform(channel=cmd.channel.value, message=cmd.message, by=cmd.by,
                                    at=clock.now()))  # fmt: skip

    def give_internal_feedback(self, site_id: UUID, complaint_id: UUID,
                               cmd: api.GiveInternalFeedback,
                               cid: str | None) -> Complaint:  # fmt: skip
        return self._on(site_id, complaint_id, cid,
                 lambda c: c.give_internal_feedback(department=cmd.department, content=cmd.content,
                                                    by=cmd.by, at=clock.now()))  # fmt: skip

    def acknowledge_internal_feedback(self, site_id: UUID, complaint_id: UUID, number: int,
                                      cmd: api.AcknowledgeInternalFeedback,
                                      cid: str | None) -> Complaint:  # fmt: skip
        return self._on(site_id, complaint_id, cid,
                 lambda c: c.acknowledge_internal_feedback(number=number, by=cmd.acknowledged_by,
                                                           at=clock.now()))  # fmt: skip

    def reopen(self, site_id: UUID, complaint_id: UUID, cmd: api.ReopenComplaint,
               cid: str | None) -> Complaint:  # fmt: skip
        return self._on(
            site_id, complaint_id, cid, lambda c: c.reopen(reason=cmd.reason, at=clock.now())
        )

    def log_visit(self, site_id: UUID, cmd: api.LogTenantVisit, cid: str | None) -> UUID:
        def command() -> UUID:
            visit = TenantVisit(site_id=site_id, unit=cmd.unit, tenant=cmd.tenant,
                                visited_by=cmd.visited_by, findings=cmd.findings,
                                follow_ups=cmd.follow_ups, at=clock.now())  # fmt: skip
            self.save(visit)
            return visit.id

        return self.run(cid, command)

    def record_survey(self, site_id: UUID, cmd: api.RecordSurveyResponse, cid: str | None) -> UUID:
        def command() -> UUID:
            response = SurveyResponse(site_id=site_id, unit=cmd.unit, quarter=cmd.quarter,
                                      scores=dict(cmd.scores), at=clock.now())  # fmt: skip
            self.save(response)
            return response.id

        return self.run(cid, command)

    def configure(self, site_id: UUID, cmd: api.ConfigureFeedback, cid: str | None) -> None:
        def command() -> None:
            policy = self._policy(site_id)
            hours = {channel.value: h for channel, h in cmd.answer_within_hours.items()}
            if policy is None:
                policy = FeedbackPolicy(site_id=site_id, reply_within_hours=cmd.reply_within_hours,
                                        answer_within_hours=hours)  # fmt: skip
            else:
                policy.change(reply_within_hours=cmd.reply_within_hours,
                              answer_within_hours=hours)  # fmt: skip
            self.save(policy)

        # A site's first two settings at once both create the policy: the loser runs
        # again as a change instead of answering "changed at the same time".
        self.run(cid, command, retries=3)

    def complaint(self, site_id: UUID, complaint_id: UUID) -> Complaint:
        return self.load_at_site(complaint_id, site_id, Complaint, "complaint")

    def _on(self, site_id: UUID, complaint_id: UUID, cid: str | None,
            change: Callable[[Complaint], object]) -> Complaint:  # fmt: skip
        """Load a complaint of the site, apply one step, save it; the saved complaint."""

        def command() -> Complaint:
            complaint = self.complaint(site_id, complaint_id)
            change(complaint)
            self.save(complaint)
            return complaint

        return self.run(cid, command)

    def _policy(self, site_id: UUID) -> FeedbackPolicy | None:
        try:
            return self.repository.get(FeedbackPolicy.create_id(site_id))  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None
