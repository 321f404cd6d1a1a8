"""Published events of the billing context, topic `concierge.billing.v1`.

Money is a decimal string with 2 places; periods are `YYYY-MM`; every account event
names the site and the unit, so the receivable and arrears tables are built from the
stream alone.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.base import AwareDatetime, ContractEvent


class BillingEvent(ContractEvent):
    context: ClassVar[str] = "billing"

    occurred_at: AwareDatetime


class AccountEvent(BillingEvent):
    account_id: UUID
    unit: str


class ChargePosted(AccountEvent):
    charge_id: str
    period: str
    fee_type: str
    amount: Decimal
    description: str
    due_date: date | None


class ChargeAdjusted(AccountEvent):
    adjustment_id: str
    amount: Decimal  # positive: owed like a charge; negative: credit
    reason: str
    period: str
    charge_id: str | None
    fee_type: str | None
    due_date: date | None


class StatementIssued(AccountEvent):
    period: str
    due_date: date
    charge_ids: list[str]
    amount_due: Decimal


class PaymentReceived(AccountEvent):
    reference: str
    amount: Decimal
    method: str


class PaymentAllocated(AccountEvent):
    source_kind: str  # "payment" or "adjustment" (a credit)
    reference: str
    charge_id: str
    amount: Decimal


class ReleasedAllocation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    charge_id: str
    amount: Decimal


class PaymentReversed(AccountEvent):
    reference: str
    amount: Decimal
    reason: str
    released: list[ReleasedAllocation]


class FeeOverdue(AccountEvent):
    period: str
    due_date: date
    amount_overdue: Decimal
    days_overdue: int


class DunningNoticeSent(AccountEvent):
    period: str
    level: int
    channel: str
    amount_due: Decimal


class LateFeeAssessed(AccountEvent):
    charge_id: str
    period: str
    booked_in: str
    overdue_amount: Decimal
    amount: Decimal
    policy: str
    due_date: date | None


class PeriodClosed(BillingEvent):
    """A site's month is closed: it accepts no more postings."""

    period: str


EVENTS: tuple[type[BillingEvent], ...] = (
    ChargePosted,
    ChargeAdjusted,
    StatementIssued,
    PaymentReceived,
    PaymentAllocated,
    PaymentReversed,
    FeeOverdue,
    DunningNoticeSent,
    LateFeeAssessed,
    PeriodClosed,
)


# -- collection follow-up (催缴) ---------------------------------------------------------


class PhoneReminderRecorded(AccountEvent):
    """A collection call to a unit and its outcome; a promise to pay names its date."""

    called_at: AwareDatetime
    outcome: str  # "promised", "refused" or "unreachable"
    promised_on: date | None
    note: str | None
    by: str
    amount_overdue: Decimal


class FinalLetterSent(AccountEvent):
    """The last written demand of a unit's chase."""

    sent_at: AwareDatetime
    note: str | None
    by: str
    amount_overdue: Decimal


class CollectionEscalated(AccountEvent):
    """The overdue sweep handed a unit's chase to the manager after the site's days."""

    to_role: str
    escalated_on: date
    days_overdue: int
    amount_overdue: Decimal
    by: str


EVENTS = (*EVENTS, PhoneReminderRecorded, FinalLetterSent, CollectionEscalated)


# -- deposits, final settlements and receipts (the tenant's finance lifecycle) ------------


class DepositHeld(AccountEvent):
    """A fit-out deposit taken on the unit's account: held as a liability, never income
    (it appears in no receivable table)."""

    permit_id: str
    amount: Decimal


class DepositReleased(AccountEvent):
    """A held deposit given back: `refunded` to the tenant, `deducted` for damage or
    breaches (with reasons on the fit-out permit); the two make up the deposit."""

    permit_id: str
    refunded: Decimal
    deducted: Decimal


class FinalSettlementDrawn(AccountEvent):
    """The final settlement at a move-out: what the tenant owes, less credit, less the
    deposits still held; a negative `balance` is refunded to the tenant."""

    tenancy_id: str
    reference: str
    moved_out_on: date
    outstanding: Decimal
    credit: Decimal
    deposits_held: Decimal
    balance: Decimal


class ReceiptIssued(BillingEvent):
    """A payment's receipt, numbered continuously per site (1, 2, 3 ... no gap)."""

    number: int
    unit: str
    reference: str
    amount: Decimal
    method: str
    cashier: str | None = None


class ReceiptVoided(BillingEvent):
    """A reversed payment's receipt voided with the reason; it keeps its number."""

    number: int
    reason: str


EVENTS = (*EVENTS, DepositHeld, DepositReleased, FinalSettlementDrawn, ReceiptIssued, ReceiptVoided)
