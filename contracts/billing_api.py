"""Commands of the billing service (gateway JSON and gRPC payloads)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.fields import (
    BusinessDate,
    Name,
    Period,
    PositiveMoney,
    Reference,
    SignedMoney,
    Text,
    UnitNumber,
)

PeriodText = Period
FeeTypeName = Literal["management", "parking", "water", "phone", "other_service"]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SetRate(Command):
    fee_type: FeeTypeName
    amount_per_unit: Annotated[Decimal, Field(ge=0, le=Decimal("1000000"), decimal_places=4)]
    effective_from: PeriodText


class UnitSpec(Command):
    unit: UnitNumber
    area_m2: Annotated[Decimal, Field(gt=0, le=Decimal("1000000"), decimal_places=2)]
    parking_spaces: Annotated[int, Field(ge=0, le=1000)] = 0
    phone_lines: Annotated[int, Field(ge=0, le=1000)] = 0
    other_services: dict[Name, Annotated[Decimal, Field(ge=0, decimal_places=2)]] = Field(
        default_factory=dict
    )


class RegisterUnits(Command):
    units: list[UnitSpec] = Field(min_length=1, max_length=200_000)


class RecordWater(Command):
    period: PeriodText
    readings: dict[UnitNumber, Annotated[Decimal, Field(ge=0, decimal_places=3)]] = Field(
        min_length=1
    )


class LateFeeTerms(Command):
    kind: Literal["percent", "fixed"]
    value: Annotated[Decimal, Field(ge=0, le=Decimal("1000000"), decimal_places=4)]
    cap: Annotated[Decimal, Field(ge=0, decimal_places=2)] | None = None


class ConfigureBilling(Command):
    days_to_pay: Annotated[int, Field(ge=1, le=120)] = 15
    grace_days: Annotated[int, Field(ge=0, le=120)] = 5
    late_fee: LateFeeTerms | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"


class IssueStatements(Command):
    due_date: BusinessDate | None = None  # default: issue date + the site's days to pay


class ReceivePayment(Command):
    reference: Reference
    amount: PositiveMoney
    method: Literal["cash", "bank_transfer", "card", "wechat_pay", "alipay", "cheque", "other"]


class ReversePayment(Command):
    reason: Text


class Adjust(Command):
    adjustment_id: Reference
    amount: SignedMoney
    reason: Text
    period: PeriodText
    charge_id: str | None = None

    @model_validator(mode="after")
    def _not_zero(self) -> Adjust:
        if self.amount == 0:
            raise ValueError("an adjustment must not be zero")
        return self


class SweepOverdue(Command):
    as_of: BusinessDate | None = None
