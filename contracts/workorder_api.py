"""The work-order service's methods: commands (gateway JSON and gRPC payloads), their
requests and answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Generic, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.fields import BusinessDate, Label, Name, Period, Text, UnitNumber
from contracts.methods import JsonObject, Method, P, Rows, SiteCommand, SiteRequest
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


class BoardQuery(SiteRequest):
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


class SiteSettings(BaseModel):
    site_code: str
    sla_hours: dict[Urgency, int]


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
BOARD = Method(SERVICE, "Board", BoardQuery, Rows, read=True)
SLA_BREACHES = Method(SERVICE, "SlaBreaches", SiteRequest, JsonObject, read=True)
THREE_EQUALS = Method(SERVICE, "ThreeEquals", PeriodQuery, JsonObject, read=True)
WEEKLY = Method(SERVICE, "Weekly", WeekQuery, JsonObject, read=True)
