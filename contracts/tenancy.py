"""Published events of the tenancy context, topic `concierge.tenancy.v1`.

The tenant roster every department follows (seed 001: "定时整理大厦入住用户名单并分发给对应
部门"): who occupies which unit, from the move-in to the move-out, with the contacts the
front desk must know (中英文名称、单元号、联络人、联络电话、紧急联络人); fit-out permits
(二次装修) with their deposit; the tenant files and their borrowing register.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.base import AwareDatetime, ContractEvent


class TenantKind(StrEnum):
    COMPANY = "company"
    RESIDENT = "resident"


class Department(StrEnum):
    """The two departments that approve a fit-out permit."""

    CUSTOMER_SERVICE = "customer_service"
    ENGINEERING = "engineering"


class FindingAction(StrEnum):
    """What an inspection finding opens: nothing, a repair, or a violation to correct."""

    NONE = "none"
    REPAIR = "repair"
    VIOLATION = "violation"


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(Part):
    name: str
    phone: str | None
    email: str | None
    extension: str | None


class ChecklistItem(Part):
    item: str
    ok: bool
    note: str | None


class MeterRead(Part):
    meter: str
    reading: Decimal


class Keys(Part):
    """Keys or access cards of one kind, by label (`front door`, `card`)."""

    label: str
    count: int


class Finding(Part):
    finding: str
    action: FindingAction


class Deduction(Part):
    reason: str
    amount: Decimal


class TenancyEvent(ContractEvent):
    context: ClassVar[str] = "tenancy"

    occurred_at: AwareDatetime


class TenantEvent(TenancyEvent):
    """An event of one tenancy: a tenant's occupation of one unit."""

    tenancy_id: UUID
    unit: str


class TenantMovedIn(TenantEvent):
    kind: TenantKind
    name_zh: str
    name_en: str | None
    contact: Contact
    emergency_contact: Contact | None
    moved_in_on: date
    billing_starts_on: date
    checklist: list[ChecklistItem]
    meter_readings: list[MeterRead]
    keys_issued: list[Keys]


class TenantDetailsChanged(TenantEvent):
    kind: TenantKind
    name_zh: str
    name_en: str | None
    contact: Contact
    emergency_contact: Contact | None


class MoveOutNoticeGiven(TenantEvent):
    notice_on: date
    moving_out_on: date


class TenantMovedOut(TenantEvent):
    moved_out_on: date
    meter_readings: list[MeterRead]
    inspection: list[Finding]
    keys_returned: list[Keys]
    keys_missing: list[Keys]
    forwarding_address: str | None
    settlement_reference: str


class FitOutEvent(TenancyEvent):
    permit_id: UUID
    tenancy_id: UUID
    unit: str


class FitOutApplied(FitOutEvent):
    plans: list[str]
    contractor: str
    contractor_phone: str
    starts_on: date
    ends_on: date
    deposit: Decimal


class FitOutApproved(FitOutEvent):
    department: Department
    approver: str
    fully_approved: bool  # both departments have now approved: works may start


class FitOutInspected(FitOutEvent):
    inspector: str
    findings: list[Finding]
    passed: bool


class FitOutCompleted(FitOutEvent):
    accepted_by: str


class FitOutDepositSettled(FitOutEvent):
    deposit: Decimal
    deductions: list[Deduction]
    refunded: Decimal


class TenantFileEvent(TenancyEvent):
    file_id: UUID
    number: str


class TenantFileFiled(TenantFileEvent):
    title: str
    pages: int
    filed_on: date
    filed_by: str
    category: str
    unit: str | None


class TenantFileBorrowed(TenantFileEvent):
    borrower: str
    borrowed_on: date
    due_back_on: date


class TenantFileReturned(TenantFileEvent):
    returned_on: date


EVENTS: tuple[type[TenancyEvent], ...] = (
    TenantMovedIn,
    TenantDetailsChanged,
    MoveOutNoticeGiven,
    TenantMovedOut,
    FitOutApplied,
    FitOutApproved,
    FitOutInspected,
    FitOutCompleted,
    FitOutDepositSettled,
    TenantFileFiled,
    TenantFileBorrowed,
    TenantFileReturned,
)
