"""Commands of the work-order service (gateway JSON and gRPC payloads)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.fields import Label, Name, Text, UnitNumber
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
