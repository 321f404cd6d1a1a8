"""The tenant's life in a building: move-in, fit-out permits, move-out, tenant files (no I/O).

Rules cited from the customer-service manual (seed 001, 客服部运作手册) and DOMAIN.md
"Tenancy": the customer-service office "安排新入住企业办理入住手续,办理二次装修申请手续。会同
相关部门进行收楼、完善一装、监督二装工作。定时整理大厦入住用户名单并分发给对应部门", and the
customer-service representative "办理用户入住、装修、退租等各项手续".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """Money as it is shown everywhere: two places (`5000` is `5000.00`)."""
    return Decimal(amount).quantize(CENT)


class TenancyStatus(StrEnum):
    IN_RESIDENCE = "in_residence"
    NOTICE_GIVEN = "notice_given"
    MOVED_OUT = "moved_out"


class Tenancy(SiteAggregate):
    """One tenant's occupation of one unit, from the handover (收楼) to the move-out (退租).

    The master record (company or resident, Chinese and English names, contact and
    emergency contact with phone, email and extension) is part of it; every change of
    it is an event, so its history is kept."""

    unit: str

    class Event(SiteAggregate.Event):
        unit: str  # every tenancy event names its unit, so consumers need no lookup

    class Created(Event, SiteAggregate.Created):
        pass

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("unit", self.unit)
        super().trigger_event(event_class, **kwargs)

    @event("MovedIn")
    def __init__(
        self,
        site_id: UUID,
        unit: str,
        kind: str,
        name_zh: str,
        name_en: str | None,
        contact: dict[str, Any],
        emergency_contact: dict[str, Any] | None,
        moved_in_on: date,
        billing_starts_on: date,
        checklist: list[dict[str, Any]],
        meter_readings: list[dict[str, Any]],
        keys_issued: list[dict[str, Any]],
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.unit = unit
        self.kind = kind
        self.name_zh = name_zh
        self.name_en = name_en
        self.contact = contact
        self.emergency_contact = emergency_contact
        self.moved_in_on = moved_in_on
        self.billing_starts_on = billing_starts_on
        self.checklist = checklist
        self.meter_readings_in = meter_readings
        self.keys_issued = keys_issued
        self.status = TenancyStatus.IN_RESIDENCE
        self.notice_on: date | None = None
        self.moving_out_on: date | None = None
        self.moved_out_on: date | None = None
        self.meter_readings_out: list[dict[str, Any]] = []
        self.inspection: list[dict[str, Any]] = []
        self.keys_returned: list[dict[str, Any]] = []
        self.keys_missing: list[dict[str, Any]] = []
        self.forwarding_address: str | None = None
        self.settlement_reference: str | None = None

    @classmethod
    def move_in(cls, *, moved_in_on: date, billing_starts_on: date, **fields: Any) -> Tenancy:
        """入住手续: the premises are handed over (checklist, opening meter readings, keys and
        cards issued). Fees are billed from the billing start date, which is not before
        the move-in (a rent-free fit-out period may put it later)."""
        if billing_starts_on < moved_in_on:
            raise Invalid("billing cannot start before the move-in", field="billing_starts_on")
        return cls(moved_in_on=moved_in_on, billing_starts_on=billing_starts_on, **fields)

    def change_details(
        self,
        *,
        kind: str,
        name_zh: str,
        name_en: str | None,
        contact: dict[str, Any],
        emergency_contact: dict[str, Any] | None,
        at: datetime,
    ) -> bool:
        """The master record changes while the tenant is in; False when nothing changed."""
        self._require_in("changes its details")
        new = (kind, name_zh, name_en, contact, emergency_contact)
        if new == (self.kind, self.name_zh, self.name_en, self.contact, self.emergency_contact):
            return False
        self._details_changed(kind=kind, name_zh=name_zh, name_en=name_en, contact=contact,
                              emergency_contact=emergency_contact, at=at)  # fmt: skip
        return True

    @event("DetailsChanged")
    def _details_changed(self, kind: str, name_zh: str, name_en: str | None,
                         contact: dict[str, Any], emergency_contact: dict[str, Any] | None,
                         at: datetime) -> None:  # fmt: skip
        self.kind, self.name_zh, self.name_en = kind, name_zh, name_en
        self.contact, self.emergency_contact = contact, emergency_contact

    def give_notice(self, *, notice_on: date, moving_out_on: date, at: datetime) -> None:
        """退租 starts with the tenant's notice and the date they will leave (not before the
        notice, nor before the move-in)."""
        self._require_in("gives notice")
        if self.status is TenancyStatus.NOTICE_GIVEN:
            raise Conflict("the tenant has already given notice")
        if notice_on < self.moved_in_on:
            raise Invalid("the notice cannot come before the move-in", field="notice_on")
        if moving_out_on < notice_on:
            raise Invalid("the move-out cannot come before the notice", field="moving_out_on")
        self._notice_given(notice_on=notice_on, moving_out_on=moving_out_on, at=at)

    @event("NoticeGiven")
    def _notice_given(self, notice_on: date, moving_out_on: date, at: datetime) -> None:
        self.status = TenancyStatus.NOTICE_GIVEN
        self.notice_on = notice_on
        self.moving_out_on = moving_out_on

    def move_out(
        self,
        *,
        moved_out_on: date,
        meter_readings: list[dict[str, Any]],
        inspection: list[dict[str, Any]],
        keys_returned: list[dict[str, Any]],
        forwarding_address: str | None,
        settlement_reference: str,
        at: datetime,
    ) -> None:
        """退租 after notice: closing meter readings, the inspection of the premises, keys
        and cards returned (those not returned are recorded as missing, by label), and the
        reference of the final settlement statement billing draws up from this event."""
        if self.status is not TenancyStatus.NOTICE_GIVEN:
            raise Conflict(f"the tenancy is {self.status}; a move-out follows the notice")
        assert self.notice_on is not None
        if moved_out_on < self.notice_on:
            raise Invalid("the move-out cannot come before the notice", field="moved_out_on")
        self._moved_out(
            moved_out_on=moved_out_on, meter_readings=meter_readings, inspection=inspection,
            keys_returned=keys_returned,
            keys_missing=missing_keys(self.keys_issued, keys_returned),
            forwarding_address=forwarding_address, settlement_reference=settlement_reference,
            at=at,
        )  # fmt: skip

    @event("MovedOut")
    def _moved_out(self, moved_out_on: date, meter_readings: list[dict[str, Any]],
                   inspection: list[dict[str, Any]], keys_returned: list[dict[str, Any]],
                   keys_missing: list[dict[str, Any]], forwarding_address: str | None,
                   settlement_reference: str, at: datetime) -> None:  # fmt: skip
        self.status = TenancyStatus.MOVED_OUT
        self.moved_out_on = moved_out_on
        self.meter_readings_out = meter_readings
        self.inspection = inspection
        self.keys_returned = keys_returned
        self.keys_missing = keys_missing
        self.forwarding_address = forwarding_address
        self.settlement_reference = settlement_reference

    def _require_in(self, what: str) -> None:
        if self.status is TenancyStatus.MOVED_OUT:
            raise Conflict(f"the tenant has moved out; a moved-out tenancy no longer {what}")


def missing_keys(
    issued: list[dict[str, Any]], returned: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Keys or cards issued at the move-in and not returned, by label and count."""

    def by_label(keys: list[dict[str, Any]]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for k in keys:
            counts[k["label"]] = counts.get(k["label"], 0) + k["count"]
        return counts

    back = by_label(returned)
    return [
        {"label": label, "count": count - back.get(label, 0)}
        for label, count in by_label(issued).items()
        if count > back.get(label, 0)
    ]


class UnitOccupancy(SiteAggregate):
    """Per site and unit: the tenancy that occupies it now. A unit has one tenant at a
    time; the next can move in once the last has moved out."""

    @classmethod
    def create_id(cls, site_id: UUID, unit: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:tenancy:unit:{site_id}:{unit}")

    @event("Opened")
    def __init__(self, site_id: UUID, unit: str) -> None:
        self.site_id = site_id
        self.unit = unit
        self.tenancy_id: UUID | None = None

    def occupy(self, tenancy_id: UUID) -> None:
        if self.tenancy_id is not None:
            raise Conflict(f"unit {self.unit} is occupied by tenancy {self.tenancy_id}; "
                           "the tenant moves out first")  # fmt: skip
        self._occupied(tenancy_id=tenancy_id)

    @event("Occupied")
    def _occupied(self, tenancy_id: UUID) -> None:
        self.tenancy_id = tenancy_id

    def vacate(self, tenancy_id: UUID) -> None:
        if self.tenancy_id == tenancy_id:
            self._vacated(tenancy_id=tenancy_id)

    @event("Vacated")
    def _vacated(self, tenancy_id: UUID) -> None:
        self.tenancy_id = None


class FitOutStatus(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"  # by customer service and engineering: works may start
    COMPLETED = "completed"  # accepted after a passed inspection
    SETTLED = "settled"  # deposit refunded, or kept in part with reasons


class FitOutPermit(SiteAggregate):
    """二次装修: the tenant's application (plans, contractor, schedule) with a deposit,
    approved by customer service and by engineering ("会同相关部门...监督二装工作"),
    inspected during the works (findings may open repairs or violations to correct),
    accepted on completion, and the deposit refunded or kept in part with reasons."""

    tenancy_id: UUID
    unit: str

    class Event(SiteAggregate.Event):
        tenancy_id: UUID  # every permit event names its tenancy and unit
        unit: str

    class Created(Event, SiteAggregate.Created):
        pass

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("tenancy_id", self.tenancy_id)
        kwargs.setdefault("unit", self.unit)
        super().trigger_event(event_class, **kwargs)

    @event("Applied")
    def __init__(
        self,
        site_id: UUID,
        tenancy_id: UUID,
        unit: str,
        plans: list[str],
        contractor: str,
        contractor_phone: str,
        starts_on: date,
        ends_on: date,
        deposit: Decimal,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.tenancy_id = tenancy_id
        self.unit = unit
        self.plans = plans
        self.contractor = contractor
        self.contractor_phone = contractor_phone
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.deposit = deposit
        self.status = FitOutStatus.APPLIED
        self.approvals: list[dict[str, Any]] = []
        self.inspections: list[dict[str, Any]] = []
        self.accepted_by: str | None = None
        self.deductions: list[dict[str, Any]] = []
        self.refunded: Decimal | None = None

    @classmethod
    def apply(
        cls, *, starts_on: date, ends_on: date, deposit: Decimal, **fields: Any
    ) -> FitOutPermit:
        """The schedule ends on or after its start."""
        if ends_on < starts_on:
            raise Invalid("the works cannot end before they start", field="ends_on")
        return cls(starts_on=starts_on, ends_on=ends_on, deposit=cents(deposit), **fields)

    def approve(self, *, department: str, approver: str, at: datetime) -> None:
        """Each of customer service and engineering approves once, two different people;
        the permit is approved when both have."""
        if self.status is not FitOutStatus.APPLIED:
            raise Conflict(f"the permit is {self.status}; only an application is approved")
        if any(a["department"] == department for a in self.approvals):
            raise Conflict(f"{department} has already approved this permit")
        if any(a["approver"] == approver for a in self.approvals):
            raise Conflict("the other department's approval must come from another person")
        self._approved(department=department, approver=approver,
                       fully_approved=len(self.approvals) == 1, at=at)  # fmt: skip

    @event("Approved")
    def _approved(self, department: str, approver: str, fully_approved: bool,
                  at: datetime) -> None:  # fmt: skip
        self.approvals.append({"department": department, "approver": approver, "at": at})
        if fully_approved:
            self.status = FitOutStatus.APPROVED

    def inspect(self, *, inspector: str, findings: list[dict[str, Any]], at: datetime) -> None:
        """An inspection of approved works; it passes when no finding opens a repair or a
        violation."""
        if self.status is not FitOutStatus.APPROVED:
            raise Conflict(f"the permit is {self.status}; only approved works are inspected")
        passed = all(f["action"] == "none" for f in findings)
        self._inspected(inspector=inspector, findings=findings, passed=passed, at=at)

    @event("Inspected")
    def _inspected(self, inspector: str, findings: list[dict[str, Any]], passed: bool,
                   at: datetime) -> None:  # fmt: skip
        self.inspections.append({"inspector": inspector, "findings": findings, "passed": passed})

    def complete(self, *, accepted_by: str, at: datetime) -> None:
        """Completion acceptance needs the last inspection to have passed."""
        if self.status is not FitOutStatus.APPROVED:
            raise Conflict(f"the permit is {self.status}; only approved works are accepted")
        if not self.inspections or not self.inspections[-1]["passed"]:
            raise Conflict("the works are accepted after an inspection that passed")
        self._completed(accepted_by=accepted_by, at=at)

    @event("Completed")
    def _completed(self, accepted_by: str, at: datetime) -> None:
        self.status = FitOutStatus.COMPLETED
        self.accepted_by = accepted_by

    def settle_deposit(self, *, deductions: list[dict[str, Any]], at: datetime) -> None:
        """After acceptance the deposit is refunded, less deductions each with its reason;
        the deductions cannot exceed the deposit."""
        if self.status is not FitOutStatus.COMPLETED:
            raise Conflict(f"the permit is {self.status}; the deposit is settled after acceptance")
        deductions = [{**d, "amount": cents(d["amount"])} for d in deductions]
        deducted = sum((d["amount"] for d in deductions), Decimal("0.00"))
        if deducted > self.deposit:
            raise Invalid(f"deductions {deducted} exceed the deposit {self.deposit}",
                          field="deductions")  # fmt: skip
        self._deposit_settled(deposit=self.deposit, deductions=deductions,
                              refunded=self.deposit - deducted, at=at)  # fmt: skip

    @event("DepositSettled")
    def _deposit_settled(self, deposit: Decimal, deductions: list[dict[str, Any]],
                         refunded: Decimal, at: datetime) -> None:  # fmt: skip
        self.status = FitOutStatus.SETTLED
        self.deductions = deductions
        self.refunded = refunded

    @property
    def open_findings(self) -> list[dict[str, Any]]:
        """The last inspection's findings that opened a repair or a violation."""
        if not self.inspections:
            return []
        return [f for f in self.inspections[-1]["findings"] if f["action"] != "none"]


class TenantFile(SiteAggregate):
    """A file of the tenant records (用户档案), one per number at a site. Seed 001 "用户档案
    资料整理程序": each file is logged with "文件编号、文件名称及内容、页数、存档日期、存档人、
    归属档类"; "如需提用,需由文秘提取,使用人复印后归还原件" with a borrowing register
    (借阅登记 ... 注销借阅登记)."""

    number: str

    class Event(SiteAggregate.Event):
        number: str  # every file event names the file's number

    class Created(Event, SiteAggregate.Created):
        pass

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("number", self.number)
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def create_id(cls, site_id: UUID, number: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:tenancy:file:{site_id}:{number}")

    @event("Filed")
    def __init__(self, site_id: UUID, number: str, title: str, pages: int, filed_on: date,
                 filed_by: str, category: str, unit: str | None, at: datetime) -> None:  # fmt: skip
        self.site_id = site_id
        self.number = number
        self.title = title
        self.pages = pages
        self.filed_on = filed_on
        self.filed_by = filed_by
        self.category = category
        self.unit = unit
        self.borrower: str | None = None
        self.borrowed_on: date | None = None
        self.due_back_on: date | None = None

    def borrow(self, *, borrower: str, borrowed_on: date, due_back_on: date, at: datetime) -> None:
        """借阅登记: one borrower at a time, from the filing date on, due back on or after
        the day it is taken."""
        if self.borrower is not None:
            raise Conflict(f"file {self.number} is out with {self.borrower}")
        if borrowed_on < self.filed_on:
            raise Invalid("a file cannot be borrowed before it was filed", field="borrowed_on")
        if due_back_on < borrowed_on:
            raise Invalid("due back before it was borrowed", field="due_back_on")
        self._borrowed(borrower=borrower, borrowed_on=borrowed_on, due_back_on=due_back_on, at=at)

    @event("Borrowed")
    def _borrowed(self, borrower: str, borrowed_on: date, due_back_on: date, at: datetime) -> None:
        self.borrower = borrower
        self.borrowed_on = borrowed_on
        self.due_back_on = due_back_on

    def give_back(self, *, returned_on: date, at: datetime) -> None:
        """注销借阅登记: the original comes back, not before it was taken."""
        if self.borrower is None or self.borrowed_on is None:
            raise Conflict(f"file {self.number} is not out")
        if returned_on < self.borrowed_on:
            raise Invalid("returned before it was borrowed", field="returned_on")
        self._returned(returned_on=returned_on, at=at)

    @event("Returned")
    def _returned(self, returned_on: date, at: datetime) -> None:
        self.borrower = None
        self.borrowed_on = None
        self.due_back_on = None
