"""What leaves the tenancy service: the roster's events, fit-out permits, tenant files.
The unit occupancy is internal (it only keeps one tenant per unit)."""

from __future__ import annotations

from typing import Any

from contracts import tenancy as published
from contracts import topics
from contracts.base import ContractEvent
from services.tenancy.domain import FitOutPermit, Tenancy, TenantFile

TOPIC = topics.TENANCY


def contract_for(e: Any) -> ContractEvent | None:
    """The published form of a domain event, or None for internal events."""
    if isinstance(e, Tenancy.Event):
        return _tenancy(e)
    if isinstance(e, FitOutPermit.Event):
        return _fit_out(e)
    if isinstance(e, TenantFile.Event):
        return _file(e)
    return None


def _tenancy(e: Any) -> ContractEvent | None:
    common = {"site_id": e.site_id, "tenancy_id": e.originator_id, "occurred_at": e.at}
    match e:
        case Tenancy.MovedIn():
            return published.TenantMovedIn(
                **common, unit=e.unit, kind=e.kind, name_zh=e.name_zh, name_en=e.name_en,
                contact=e.contact, emergency_contact=e.emergency_contact,
                moved_in_on=e.moved_in_on, billing_starts_on=e.billing_starts_on,
                checklist=e.checklist, meter_readings=e.meter_readings, keys_issued=e.keys_issued,
            )  # fmt: skip
    unit = e.unit
    match e:
        case Tenancy.DetailsChanged():
            return published.TenantDetailsChanged(
                **common, unit=unit, kind=e.kind, name_zh=e.name_zh, name_en=e.name_en,
                contact=e.contact, emergency_contact=e.emergency_contact,
            )  # fmt: skip
        case Tenancy.NoticeGiven():
            return published.MoveOutNoticeGiven(
                **common, unit=unit, notice_on=e.notice_on, moving_out_on=e.moving_out_on
            )
        case Tenancy.MovedOut():
            return published.TenantMovedOut(
                **common, unit=unit, moved_out_on=e.moved_out_on,
                meter_readings=e.meter_readings, inspection=e.inspection,
                keys_returned=e.keys_returned, keys_missing=e.keys_missing,
                forwarding_address=e.forwarding_address,
                settlement_reference=e.settlement_reference,
            )  # fmt: skip
    return None


def _fit_out(e: Any) -> ContractEvent | None:
    common = {"site_id": e.site_id, "permit_id": e.originator_id, "tenancy_id": e.tenancy_id,
              "unit": e.unit, "occurred_at": e.at}  # fmt: skip
    match e:
        case FitOutPermit.Applied():
            return published.FitOutApplied(
                **common, plans=e.plans, contractor=e.contractor,
                contractor_phone=e.contractor_phone, starts_on=e.starts_on, ends_on=e.ends_on,
                deposit=e.deposit,
            )  # fmt: skip
        case FitOutPermit.Approved():
            return published.FitOutApproved(**common, department=e.department,
                                            approver=e.approver,
                                            fully_approved=e.fully_approved)  # fmt: skip
        case FitOutPermit.Inspected():
            return published.FitOutInspected(**common, inspector=e.inspector,
                                             findings=e.findings, passed=e.passed)  # fmt: skip
        case FitOutPermit.Completed():
            return published.FitOutCompleted(**common, accepted_by=e.accepted_by)
        case FitOutPermit.DepositSettled():
            return published.FitOutDepositSettled(
                **common, deposit=e.deposit, deductions=e.deductions, refunded=e.refunded
            )
    return None


def _file(e: Any) -> ContractEvent | None:
    common = {"site_id": e.site_id, "file_id": e.originator_id, "number": e.number,
              "occurred_at": e.at}  # fmt: skip
    match e:
        case TenantFile.Filed():
            return published.TenantFileFiled(
                **common, title=e.title, pages=e.pages, filed_on=e.filed_on,
                filed_by=e.filed_by, category=e.category, unit=e.unit,
            )  # fmt: skip
        case TenantFile.Borrowed():
            return published.TenantFileBorrowed(**common, borrower=e.borrower,
                                                borrowed_on=e.borrowed_on,
                                                due_back_on=e.due_back_on)  # fmt: skip
        case TenantFile.Returned():
            return published.TenantFileReturned(**common, returned_on=e.returned_on)
    return None
