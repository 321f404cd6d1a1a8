"""The tenancy service's methods: commands (gateway JSON and gRPC payloads), their
requests and answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Generic
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from contracts.fields import (
    BusinessDate,
    Extension,
    Label,
    MeterReading,
    Money,
    Name,
    OptionalName,
    Phone,
    PositiveMoney,
    Reference,
    Text,
    UnitNumber,
)
from contracts.methods import Method, P, SiteCommand, SiteRequest
from contracts.operations_api import ping, set_clock
from contracts.tenancy import (
    Department,
    FindingAction,
    MoveOutNoticeGiven,
    TenantDetailsChanged,
    TenantKind,
    TenantMovedIn,
    TenantMovedOut,
)


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactIn(Command):
    name: Name
    phone: Phone | None = None
    email: EmailStr | None = None
    extension: Extension | None = None


class ChecklistItemIn(Command):
    item: Label
    ok: bool
    note: Label | None = None


class MeterReadIn(Command):
    meter: Label
    reading: MeterReading


class KeysIn(Command):
    label: Label
    count: Annotated[int, Field(ge=1, le=1000)]


class FindingIn(Command):
    finding: Label
    action: FindingAction = FindingAction.NONE


class DeductionIn(Command):
    reason: Label
    amount: PositiveMoney


class TenantDetails(Command):
    """The master record (seed 001: 中英文名称、单元号、联络人、联络电话、紧急联络人)."""

    kind: TenantKind
    name_zh: Name
    name_en: OptionalName = None
    contact: ContactIn
    emergency_contact: ContactIn | None = None


class MoveIn(TenantDetails):
    unit: UnitNumber
    moved_in_on: BusinessDate
    billing_starts_on: BusinessDate
    checklist: list[ChecklistItemIn] = Field(min_length=1, max_length=100)
    meter_readings: list[MeterReadIn] = Field(default_factory=list, max_length=20)
    keys_issued: list[KeysIn] = Field(default_factory=list, max_length=50)


class GiveNotice(Command):
    notice_on: BusinessDate
    moving_out_on: BusinessDate


class MoveOut(Command):
    moved_out_on: BusinessDate
    meter_readings: list[MeterReadIn] = Field(default_factory=list, max_length=20)
    inspection: list[FindingIn] = Field(min_length=1, max_length=100)
    keys_returned: list[KeysIn] = Field(default_factory=list, max_length=50)
    forwarding_address: Text | None = None
    settlement_reference: Reference


class ApplyFitOut(Command):
    tenancy_id: UUID
    plans: list[Label] = Field(min_length=1, max_length=50)
    contractor: Name
    contractor_phone: Phone
    starts_on: BusinessDate
    ends_on: BusinessDate
    deposit: Money


class InspectFitOut(Command):
    inspector: Name
    findings: list[FindingIn] = Field(min_length=1, max_length=100)


class CompleteFitOut(Command):
    accepted_by: Name


class SettleFitOutDeposit(Command):
    deductions: list[DeductionIn] = Field(default_factory=list, max_length=50)


class FileDocument(Command):
    """A line of the filing log (seed 001: 文件编号、文件名称及内容、页数、存档日期、存档人、
    归属档类)."""

    number: Reference
    title: Label
    pages: Annotated[int, Field(ge=1, le=100000)]
    filed_on: BusinessDate
    filed_by: Name
    category: Name
    unit: UnitNumber | None = None


class BorrowFile(Command):
    borrower: Name
    borrowed_on: BusinessDate
    due_back_on: BusinessDate


class ReturnFile(Command):
    returned_on: BusinessDate


# -- views -------------------------------------------------------------------------------


class View(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactView(View):
    name: str
    phone: str | None
    email: str | None
    extension: str | None


class ChecklistItemView(View):
    item: str
    ok: bool
    note: str | None


class MeterReadView(View):
    meter: str
    reading: Decimal


class KeysView(View):
    label: str
    count: int


class FindingView(View):
    finding: str
    action: FindingAction


class DeductionView(View):
    reason: str
    amount: Decimal


class TenancyView(View):
    tenancy_id: UUID
    site_id: UUID
    unit: str
    status: str  # in_residence, notice_given, moved_out
    kind: TenantKind
    name_zh: str
    name_en: str | None
    contact: ContactView
    emergency_contact: ContactView | None
    moved_in_on: date
    billing_starts_on: date
    checklist: list[ChecklistItemView]
    meter_readings_in: list[MeterReadView]
    keys_issued: list[KeysView]
    notice_on: date | None
    moving_out_on: date | None
    moved_out_on: date | None
    meter_readings_out: list[MeterReadView]
    inspection: list[FindingView]
    keys_returned: list[KeysView]
    keys_missing: list[KeysView]
    forwarding_address: str | None
    settlement_reference: str | None
    version: int


class TenancyChange(View):
    """One entry of a tenancy's history: the change and its published event, as every
    other context and BI see it (contracts/tenancy.py)."""

    version: int
    change: str
    at: datetime
    details: TenantMovedIn | TenantDetailsChanged | MoveOutNoticeGiven | TenantMovedOut


class RosterEntry(View):
    """One line of the roster sent to every department."""

    tenancy_id: UUID
    unit: str
    status: str
    kind: TenantKind
    name_zh: str
    name_en: str | None
    contact: ContactView
    emergency_contact: ContactView | None
    moved_in_on: date
    moving_out_on: date | None


class Approval(View):
    department: Department
    approver: str
    at: datetime


class FitOutView(View):
    permit_id: UUID
    site_id: UUID
    tenancy_id: UUID
    unit: str
    status: str  # applied, approved, completed, settled
    plans: list[str]
    contractor: str
    contractor_phone: str
    starts_on: date
    ends_on: date
    deposit: Decimal
    approvals: list[Approval]
    inspections: int
    last_inspection_passed: bool | None
    open_findings: list[FindingView]
    accepted_by: str | None
    deductions: list[DeductionView]
    refunded: Decimal | None
    version: int


class TenantFileView(View):
    file_id: UUID
    site_id: UUID
    number: str
    title: str
    pages: int
    filed_on: date
    filed_by: str
    category: str
    unit: str | None
    borrower: str | None
    borrowed_on: date | None
    due_back_on: date | None
    version: int


class OverdueBorrowing(View):
    file_id: UUID
    number: str
    title: str
    borrower: str
    borrowed_on: date
    due_back_on: date
    days_overdue: int


class FitOutLine(View):
    """One permit in the site's list of fit-outs."""

    permit_id: UUID
    tenancy_id: UUID
    unit: str
    status: str
    contractor: str
    starts_on: date
    ends_on: date
    deposit: Decimal
    approvals: int
    last_inspection_passed: bool | None
    refunded: Decimal | None
    deducted: Decimal | None


class TenantFileLine(View):
    """One line of the filing log, with who has the file out."""

    file_id: UUID
    number: str
    title: str
    pages: int
    filed_on: date
    filed_by: str
    category: str
    unit: str | None
    borrower: str | None
    borrowed_on: date | None
    due_back_on: date | None


# -- requests and methods ----------------------------------------------------------------


class TenancyRef(SiteRequest):
    tenancy_id: UUID


class OnTenancy(TenancyRef, Generic[P]):
    payload: P


class PermitRef(SiteRequest):
    permit_id: UUID


class OnPermit(PermitRef, Generic[P]):
    payload: P


class FileRef(SiteRequest):
    file_id: UUID


class OnFile(FileRef, Generic[P]):
    payload: P


SERVICE = "tenancy"
PING = ping(SERVICE)
SET_CLOCK = set_clock(SERVICE)
MOVE_IN = Method(SERVICE, "MoveIn", SiteCommand[MoveIn], TenancyView)
CHANGE_DETAILS = Method(SERVICE, "ChangeDetails", OnTenancy[TenantDetails], TenancyView)
GIVE_NOTICE = Method(SERVICE, "GiveNotice", OnTenancy[GiveNotice], TenancyView)
MOVE_OUT = Method(SERVICE, "MoveOut", OnTenancy[MoveOut], TenancyView)
GET_TENANCY = Method(SERVICE, "GetTenancy", TenancyRef, TenancyView, read=True)
TENANCY_HISTORY = Method(SERVICE, "TenancyHistory", TenancyRef, list[TenancyChange], read=True)
ROSTER = Method(SERVICE, "Roster", SiteRequest, list[RosterEntry], read=True)
APPLY_FIT_OUT = Method(SERVICE, "ApplyFitOut", SiteCommand[ApplyFitOut], FitOutView)
APPROVE_FIT_OUT = Method(SERVICE, "ApproveFitOut", PermitRef, FitOutView)
INSPECT_FIT_OUT = Method(SERVICE, "InspectFitOut", OnPermit[InspectFitOut], FitOutView)
COMPLETE_FIT_OUT = Method(SERVICE, "CompleteFitOut", OnPermit[CompleteFitOut], FitOutView)
SETTLE_FIT_OUT_DEPOSIT = Method(
    SERVICE, "SettleFitOutDeposit", OnPermit[SettleFitOutDeposit], FitOutView
)
GET_FIT_OUT = Method(SERVICE, "GetFitOut", PermitRef, FitOutView, read=True)
FIT_OUTS = Method(SERVICE, "FitOuts", SiteRequest, list[FitOutLine], read=True)
FILE_DOCUMENT = Method(SERVICE, "FileDocument", SiteCommand[FileDocument], TenantFileView)
BORROW_FILE = Method(SERVICE, "BorrowFile", OnFile[BorrowFile], TenantFileView)
RETURN_FILE = Method(SERVICE, "ReturnFile", OnFile[ReturnFile], TenantFileView)
GET_FILE = Method(SERVICE, "GetFile", FileRef, TenantFileView, read=True)
FILES = Method(SERVICE, "Files", SiteRequest, list[TenantFileLine], read=True)
OVERDUE_BORROWINGS = Method(
    SERVICE, "OverdueBorrowings", SiteRequest, list[OverdueBorrowing], read=True
)
