"""The work-order service's methods: commands (gateway JSON and gRPC payloads), their
requests and answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Generic, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.fields import BusinessDate, Label, Name, Period, Text, UnitNumber
from contracts.methods import Answer, Method, P, Page, SiteCommand, SiteRequest
from contracts.operations_api import ping, set_clock
from contracts.workorder import Category, Source, Urgency

Money = Annotated[Decimal, Field(ge=0, le=Decimal("1000000"), decimal_places=2)]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReportRepair(Command):
    source: Source
    category: Category
    location: Label
    unit: UnitNumber | None = None
    tenant: Name | None = None
    content: Text
    reporter: Name
    complaint_id: UUID | None = Field(
        default=None,
        description="With source `complaint`: an open complaint of the same site (a complaint"
        " reaches work orders from the feedback topic within seconds of its registration).",
    )

    @model_validator(mode="after")
    def _complaint_named(self) -> ReportRepair:
        if (self.source == Source.COMPLAINT) != (self.complaint_id is not None):
            raise ValueError("complaint_id is given exactly when the source is a complaint")
        return self


class DispatchRepair(Command):
    team: Name
    technician: Name | None = None
    urgency: Urgency
    paid: bool = False
    work_content: Text | None = None


class StartRepair(Command):
    technician: Name


class MaterialUsed(Command):
    name: Name
    quantity: Annotated[Decimal, Field(gt=0, le=Decimal("100000"), decimal_places=3)]
    cost: Money


class CompleteRepair(Command):
    result: Text
    labour_hours: Annotated[Decimal, Field(ge=0, le=Decimal("1000"), decimal_places=2)]
    materials: list[MaterialUsed] = Field(default_factory=list, max_length=100)
    fee: Money = Decimal("0")


class VerifyRepair(Command):
    passed: bool
    method: Literal["on_site", "phone"]
    notes: Text | None = None


class VoidWorkOrder(Command):
    reason: Text


SiteCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9]{2,8}$")]


class ConfigureSite(Command):
    site_code: SiteCode
    sla_hours: dict[Urgency, Annotated[int, Field(ge=1, le=2000)]] = Field(default_factory=dict)


# -- requests and answers ----------------------------------------------------------------

Status = Literal["reported", "dispatched", "in_progress", "completed", "reopened", "closed",
                 "voided"]  # fmt: skip


class WorkOrderRef(SiteRequest):
    work_order_id: UUID


class OnWorkOrder(WorkOrderRef, Generic[P]):
    """A step of one work order's life: the work order and the caller's body."""

    payload: P


class BoardQuery(SiteRequest, Page):
    status: Status | None = None
    category: Category | None = None
    team: Name | None = None
    urgency: Urgency | None = None


class PeriodQuery(SiteRequest):
    period: Period


class WeekQuery(SiteRequest):
    week_start: BusinessDate


class WorkOrderView(BaseModel):
    """One work order as it stands after its last event (`version`)."""

    work_order_id: UUID
    site_id: UUID
    number: str | None
    status: Status
    source: Source
    category: Category
    department: str | None
    location: str
    unit: str | None
    tenant: str | None
    content: str
    reporter: str
    complaint_id: UUID | None
    reported_at: datetime
    team: str | None
    technician: str | None
    urgency: Urgency | None
    paid: bool
    deadline: datetime | None
    completed_at: datetime | None
    fee: Decimal
    verified_at: datetime | None
    reopen_count: int
    void_reason: str | None
    version: int
    patrol_round_id: UUID | None = None  # the patrol round whose finding opened it


class SiteSettings(BaseModel):
    site_code: str
    sla_hours: dict[Urgency, int]


class WorkOrderRow(Answer):
    """One work order on the board and in the reports: its read-model row (every step's
    time, unlike the view, which is read from its events)."""

    work_order_id: UUID
    site_id: UUID
    number: str | None
    status: Status
    source: Source
    category: Category
    department: str
    location: str
    unit: str | None
    tenant: str | None
    content: str
    reporter: str
    complaint_id: UUID | None
    reported_at: AwareDatetime
    team: str | None
    technician: str | None
    urgency: Urgency | None
    paid: bool
    deadline: AwareDatetime | None
    dispatched_at: AwareDatetime | None
    started_at: AwareDatetime | None
    completed_at: AwareDatetime | None
    completed_late: bool | None
    labour_hours: Decimal | None
    fee: Decimal | None
    verified_at: AwareDatetime | None
    reopen_count: int
    last_reopen_reason: str | None
    voided_at: AwareDatetime | None
    void_reason: str | None
    patrol_round_id: UUID | None = None


class SlaBreaches(Answer):
    """Open past their deadline (soonest deadline first), and completed after it."""

    as_of: AwareDatetime
    open_past_deadline: list[WorkOrderRow]
    completed_late: list[WorkOrderRow]


class Mismatch(Answer):
    """One item the three-equals check does not balance: reported and not dispatched,
    issued and not returned, or a number missing from the issued sequence (then only
    `kind` and `number`)."""

    kind: Literal["reported_not_dispatched", "issued_not_returned", "number_missing"]
    number: str | None
    work_order_id: UUID | None = None
    status: Status | None = None
    category: Category | None = None
    reported_at: AwareDatetime | None = None


class ThreeEquals(Answer):
    """Reported = dispatched = issued; returned = issued; voided apart."""

    period: str
    reported: int
    reported_by_source: dict[Source, int]
    dispatched: int
    issued: int
    returned: int
    voided_before_dispatch: int
    voided_after_dispatch: int
    reported_equals_dispatched: bool
    issued_equals_returned: bool
    mismatches: list[Mismatch]


class WeeklyReport(Answer):
    week_start: date
    reported: int
    completed: int
    open: int
    long_unresolved: list[WorkOrderRow]
    reported_by_category: dict[Category, int]
    open_by_category: dict[Category, int]
    open_by_team: dict[str, int]  # "(not dispatched)" for open items without a team


SERVICE = "workorder"
PING = ping(SERVICE)
SET_CLOCK = set_clock(SERVICE)
REPORT = Method(SERVICE, "Report", SiteCommand[ReportRepair], WorkOrderView)
DISPATCH = Method(SERVICE, "Dispatch", OnWorkOrder[DispatchRepair], WorkOrderView)
START = Method(SERVICE, "Start", OnWorkOrder[StartRepair], WorkOrderView)
COMPLETE = Method(SERVICE, "Complete", OnWorkOrder[CompleteRepair], WorkOrderView)
VERIFY = Method(SERVICE, "Verify", OnWorkOrder[VerifyRepair], WorkOrderView)
VOID = Method(SERVICE, "Void", OnWorkOrder[VoidWorkOrder], WorkOrderView)
GET_WORK_ORDER = Method(SERVICE, "GetWorkOrder", WorkOrderRef, WorkOrderView, read=True)
CONFIGURE_SITE = Method(SERVICE, "ConfigureSite", SiteCommand[ConfigureSite], SiteSettings)
BOARD = Method(SERVICE, "Board", BoardQuery, list[WorkOrderRow], read=True)
SLA_BREACHES = Method(SERVICE, "SlaBreaches", SiteRequest, SlaBreaches, read=True)
THREE_EQUALS = Method(SERVICE, "ThreeEquals", PeriodQuery, ThreeEquals, read=True)
WEEKLY = Method(SERVICE, "Weekly", WeekQuery, WeeklyReport, read=True)
