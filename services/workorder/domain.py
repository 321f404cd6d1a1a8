"""Repairs from report to verified work order (no I/O).

Rules cited from DOMAIN.md "Work orders (repairs)".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import event

from contracts.workorder import Category, Urgency
from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid


class Status(StrEnum):
    REPORTED = "reported"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REOPENED = "reopened"
    CLOSED = "closed"
    VOIDED = "voided"


HOUSEKEEPING = "housekeeping"
ENGINEERING = "engineering"

DEFAULT_SLA_HOURS = {
    Urgency.EMERGENCY: 4,
    Urgency.HIGH: 24,
    Urgency.NORMAL: 72,
    Urgency.LOW: 168,
}


def format_number(site_code: str, year: int, seq: int) -> str:
    """Work-order number `WO-<site>-<year>-<seq>`."""
    return f"WO-{site_code}-{year}-{seq:05d}"


class WorkOrder(SiteAggregate):
    """A repair item: reported, dispatched with a number, done, verified by customer service."""

    @event("Reported")
    def __init__(
        self,
        site_id: UUID,
        source: str,
        category: str,
        location: str,
        unit: str | None,
        tenant: str | None,
        content: str,
        reporter: str,
        complaint_id: UUID | None,
        at: datetime,
        flow_id: str | None = None,
        patrol_round_id: UUID | None = None,
    ) -> None:
        self.site_id = site_id
        self.patrol_round_id = patrol_round_id  # the round whose finding opened it, if any
        self.flow_id = flow_id  # the correlation id of the flow that opened it, if any
        self.source = source
        self.category = category
        self.department = self.department_of(category)
        self.location = location
        self.unit = unit
        self.tenant = tenant
        self.content = content
        self.reporter = reporter
        self.complaint_id = complaint_id
        self.reported_at = at
        self.status = Status.REPORTED
        self.number: str | None = None
        self.team: str | None = None
        self.technician: str | None = None
        self.urgency: str | None = None
        self.paid = False
        self.deadline: datetime | None = None
        self.fee = Decimal("0.00")
        self.completed_at: datetime | None = None
        self.verified_at: datetime | None = None
        self.reopen_count = 0
        self.void_reason: str | None = None

    @classmethod
    def create_id(cls, site_id: UUID, complaint_id: UUID | None) -> UUID:
        """A complaint opens at most one work order: its id follows from the complaint and
        the site both belong to, so another site naming the complaint can never take the
        id of its order."""
        if complaint_id is None:
            return uuid4()
        return uuid5(NAMESPACE_URL, f"concierge:workorder:complaint:{site_id}:{complaint_id}")

    @staticmethod
    def earlier_id(complaint_id: UUID) -> UUID:
        """The id a complaint's order had before ids named the site; stores from then
        hold orders under it, so a replay of their complaints must find them."""
        return uuid5(NAMESPACE_URL, f"concierge:workorder:complaint:{complaint_id}")

    @staticmethod
    def department_of(category: str) -> str:
        """Cleaning goes to housekeeping, not engineering."""
        return HOUSEKEEPING if category == Category.CLEANING else ENGINEERING

    def dispatch(
        self,
        *,
        number: str,
        team: str,
        technician: str | None,
        urgency: Urgency,
        paid: bool,
        work_content: str | None,
        sla_hours: int,
        at: datetime,
    ) -> None:
        """The dispatcher records the job and issues a numbered work order with an SLA."""
        if self.status != Status.REPORTED:
            raise Conflict(f"work order is {self.status}; only a reported item can be dispatched")
        if self.department == HOUSEKEEPING and team.casefold() != HOUSEKEEPING:
            raise Invalid("cleaning goes to housekeeping, not engineering", field="team")
        if self.department == ENGINEERING and team.casefold() == HOUSEKEEPING:
            raise Invalid(f"{self.category} repairs go to engineering", field="team")
        self._dispatched(
            number=number,
            team=team,
            technician=technician,
            urgency=urgency.value,
            paid=paid,
            work_content=work_content or self.content,
            deadline=at + timedelta(hours=sla_hours),
            at=at,
        )

    @event("Dispatched")
    def _dispatched(
        self,
        number: str,
        team: str,
        technician: str | None,
        urgency: str,
        paid: bool,
        work_content: str,
        deadline: datetime,
        at: datetime,
    ) -> None:
        self.status = Status.DISPATCHED
        self.number = number
        self.team = team
        self.technician = technician
        self.urgency = urgency
        self.paid = paid
        self.work_content = work_content
        self.deadline = deadline
        self.dispatched_at = at

    def start(self, *, technician: str, at: datetime) -> None:
        """The technician starts on a dispatched (or reopened) order."""
        if self.status not in (Status.DISPATCHED, Status.REOPENED):
            raise Conflict(f"work order is {self.status}; only a dispatched order can start")
        self._started(technician=technician, at=at)

    @event("Started")
    def _started(self, technician: str, at: datetime) -> None:
        self.status = Status.IN_PROGRESS
        self.technician = technician

    def complete(
        self,
        *,
        result: str,
        labour_hours: Decimal,
        materials: list[dict[str, Any]],
        fee: Decimal,
        at: datetime,
    ) -> None:
        """Completed with result, labour and materials; a paid repair carries its fee."""
        if self.status not in (Status.DISPATCHED, Status.IN_PROGRESS, Status.REOPENED):
            raise Conflict(f"work order is {self.status}; only a dispatched order can complete")
        if self.paid and fee <= 0:
            raise Invalid("a paid repair needs a fee above zero", field="fee")
        if not self.paid and fee != 0:
            raise Invalid("a free repair carries no fee", field="fee")
        self._completed(
            result=result,
            labour_hours=labour_hours,
            materials=materials,
            fee=fee,
            late=self.deadline is not None and at > self.deadline,
            at=at,
        )

    @event("Completed")
    def _completed(
        self,
        result: str,
        labour_hours: Decimal,
        materials: list[dict[str, Any]],
        fee: Decimal,
        late: bool,
        at: datetime,
    ) -> None:
        self.status = Status.COMPLETED
        self.result = result
        self.labour_hours = labour_hours
        self.materials = materials
        self.fee = fee
        self.completed_at = at

    def verify(self, *, passed: bool, verifier: str, method: str, notes: str | None,
               at: datetime) -> None:  # fmt: skip
        """Customer service verifies the result; a failed verification reopens the order."""
        if self.status != Status.COMPLETED:
            raise Conflict(f"work order is {self.status}; only a completed order can be verified")
        if passed:
            self._verified(
                verifier=verifier, method=method, notes=notes, number=self.number,
                unit=self.unit, tenant=self.tenant, paid=self.paid, fee=self.fee,
                complaint_id=self.complaint_id, at=at,
            )  # fmt: skip
        else:
            if not notes:
                raise Invalid("a failed verification needs the reason", field="notes")
            self._reopened(verifier=verifier, reason=notes, at=at)

    @event("Verified")
    def _verified(
        self,
        verifier: str,
        method: str,
        notes: str | None,
        number: str | None,
        unit: str | None,
        tenant: str | None,
        paid: bool,
        fee: Decimal,
        complaint_id: UUID | None,
        at: datetime,
    ) -> None:
        self.status = Status.CLOSED
        self.verified_at = at

    @event("Reopened")
    def _reopened(self, verifier: str, reason: str, at: datetime) -> None:
        self.status = Status.REOPENED
        self.reopen_count += 1
        self.completed_at = None

    def void(self, *, reason: str, at: datetime) -> None:
        """A voided order keeps its number and reason in the record."""
        if self.status in (Status.COMPLETED, Status.CLOSED, Status.VOIDED):
            raise Conflict(f"work order is {self.status}; it can no longer be voided")
        self._voided(reason=reason, number=self.number, at=at)

    @event("Voided")
    def _voided(self, reason: str, number: str | None, at: datetime) -> None:
        self.status = Status.VOIDED
        self.void_reason = reason


OPEN_COMPLAINT = ("registered", "investigating", "escalated", "reopened")


@dataclass(frozen=True)
class ComplaintOnRecord:
    """A complaint as the work-order service knows it, from the feedback topic."""

    site_id: UUID
    category: str
    status: str


def require_open_complaint(
    complaint_id: UUID, site_id: UUID, record: ComplaintOnRecord | None
) -> None:
    """A repair from a complaint names an open complaint of the same site.

    DOMAIN.md, cross-context flows: "every id it carries belongs to the same site". A
    complaint not on record answers exactly like another site's, so ids cannot be probed
    across sites; one registered a moment ago is on record within a second or so.
    """
    if record is None or record.site_id != site_id:
        raise Invalid(
            f"complaint {complaint_id} is not a complaint of this site (one registered a"
            " moment ago reaches work orders within seconds; retry then)",
            field="complaint_id",
        )
    if record.status not in OPEN_COMPLAINT:
        raise Conflict(
            f"complaint {complaint_id} is {record.status}; only an open complaint opens a repair",
            field="complaint_id",
        )


class NumberSeries(SiteAggregate):
    """Per site and year: numbers are continuous and never lost.

    Issuing a number and dispatching the order commit together, so a number exists
    only if its order was dispatched; two dispatchers at once collide on this
    aggregate's version and one retries with the next number.
    """

    @classmethod
    def create_id(cls, site_id: UUID, year: int) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:workorder:numbers:{site_id}:{year}")

    @event("Opened")
    def __init__(self, site_id: UUID, year: int) -> None:
        self.site_id = site_id
        self.year = year
        self.last = 0

    def issue(self, work_order_id: UUID) -> int:
        self._issued(seq=self.last + 1, work_order_id=work_order_id)
        return self.last

    @event("Issued")
    def _issued(self, seq: int, work_order_id: UUID) -> None:
        self.last = seq


class SitePolicy(SiteAggregate):
    """Per-site settings: the code in work-order numbers and the SLA hours per urgency."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:workorder:policy:{site_id}")

    @event("Configured")
    def __init__(self, site_id: UUID, site_code: str, sla_hours: dict[str, int]) -> None:
        self.site_id = site_id
        self.site_code = site_code
        self.sla_hours = sla_hours

    @event("Changed")
    def change(self, site_code: str, sla_hours: dict[str, int]) -> None:
        self.site_code = site_code
        self.sla_hours = sla_hours

    def sla_for(self, urgency: Urgency) -> int:
        """Hours to complete an order of `urgency` at this site (site setting or default)."""
        return int(self.sla_hours.get(urgency.value, DEFAULT_SLA_HOURS[urgency]))

    @staticmethod
    def default_code(site_id: UUID) -> str:
        return site_id.hex[:6].upper()
