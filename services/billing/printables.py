"""What the printed payment notice (缴费通知单) and receipt (收据) say (no I/O, no layout).

Seed 001, 物业管理费催/收缴程序: "客服部文秘将多种费用统计汇总做出下月应收表 ... 并据此打印
物业管理缴费单; 下月日前客服部将物业管理缴费单发致用户; 用户应在前到财务部交费". So a
notice is printed for a month whose statements are issued (the table signed off), one per
unit, with each fee of the month, what is still owed from before, and the date to pay by.

Issue 11: "every payment gets a receipt numbered continuously per site (voided receipts
kept with their reason)"; seed 001 (商务中心): "不准私自处理收费单据, 报废单据必需经过主管签字
才有效": a voided receipt is printed, marked void, with its reason, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from runtime.errors import Conflict
from services.billing.capital_numerals import rmb_in_words
from services.billing.domain import (
    PRORATED,
    FeeType,
    LedgerLine,
    UnitAccount,
    UnitProfile,
    monthly_charges,
)
from services.billing.money import ZERO, Period

# What each scheduled fee is measured in, from the unit's profile for the month.
MEASURES: dict[FeeType, tuple[str, str]] = {
    FeeType.MANAGEMENT: ("area_m2", "m²"),
    FeeType.PARKING: ("parking_spaces", "space"),
    FeeType.WATER: ("water_m3", "m³"),
    FeeType.PHONE: ("phone_lines", "line"),
}


class TenantName(NamedTuple):
    """The tenant as the tenancy roster names it (the company or the resident)."""

    name_zh: str
    name_en: str | None


@dataclass(frozen=True)
class Heading:
    """The site as the letterhead names it, in the notice's language where set."""

    site_name: str
    payee: str | None
    how_to_pay: str


@dataclass(frozen=True)
class NoticeLine:
    """One charge of the month: quantity x rate (x days / days in the month) where the
    month's run computed it from them, else the amount alone."""

    fee_type: str  # management, water, ... late_fee, or adjustment
    description: str
    quantity: Decimal | None
    measure: str | None
    rate: Decimal | None
    days: tuple[int, int] | None  # (days occupied, days in the month) when prorated
    amount: Decimal
    paid: Decimal


@dataclass(frozen=True)
class PaymentNotice:
    heading: Heading
    unit: str
    tenant: TenantName | None
    period: Period
    due_date: date
    currency: str
    lines: tuple[NoticeLine, ...]
    charged: Decimal  # the month's lines
    paid: Decimal  # already paid on them
    previous_balance: Decimal  # still owed on earlier months
    credit: Decimal  # money received and not yet placed on a line
    total_due: Decimal  # charged - paid + previous balance - credit, never below 0
    printed_on: date


@dataclass(frozen=True)
class ReceiptSlip:
    heading: Heading
    number: int
    issued_at: datetime
    unit: str
    payer: TenantName | None
    reference: str
    method: str
    amount: Decimal
    amount_in_words: str  # 人民币大写
    pays_for: tuple[str, ...]  # the months whose lines the payment was placed on
    unplaced: Decimal  # what of it is still credit for the next statement
    cashier: str | None
    currency: str
    voided_at: datetime | None
    void_reason: str | None


def payment_notice(account: UnitAccount, period: Period, rates: Mapping[FeeType, Decimal],
                   heading: Heading, tenant: TenantName | None,
                   printed_on: date) -> PaymentNotice:  # fmt: skip
    """The unit's notice of `period`; Conflict while the month's statement is not issued.

    The lines are every debit of the month as booked (charges, late fees joined to it,
    adjustments); the previous balance is what is still open on earlier months; the
    total due is what the account owes up to this month, less its credit."""
    due_date = account.statements.get(period)
    if due_date is None:
        raise Conflict(f"the {period} payment notices are not issued yet for unit {account.unit}")
    booked = account.lines()
    month = [line for line in booked if line.period == period]
    earlier = [line for line in booked if line.period < period]
    how = _how_measured(account, period, rates)
    lines = tuple(_notice_line(line, how) for line in month)
    charged = sum((line.amount for line in month), ZERO)
    paid = sum((line.paid for line in month), ZERO)
    previous = sum((line.amount - line.paid for line in earlier), ZERO)
    credit = account.credit
    return PaymentNotice(
        heading=heading, unit=account.unit, tenant=tenant, period=period, due_date=due_date,
        currency=account.currency, lines=lines, charged=charged, paid=paid,
        previous_balance=previous, credit=credit,
        total_due=max(charged - paid + previous - credit, ZERO), printed_on=printed_on,
    )  # fmt: skip


def _how_measured(account: UnitAccount, period: Period, rates: Mapping[FeeType, Decimal]
                  ) -> dict[str, tuple[Any, ...]]:  # fmt: skip
    """Description -> (amount, quantity, measure, rate, days) of each scheduled charge the
    month's run would post from today's profile and rates: a booked line with the same
    description and amount was computed from them, so its quantity and rate are known."""
    profile: UnitProfile | None = account.billing_profile(period)
    if profile is None:
        return {}
    occupied = account.occupied_days(period)
    in_month = period.last_day.day
    found = {}
    for line in monthly_charges(rates, profile, period, occupied):
        measure = MEASURES.get(line.fee_type)
        if line.ref or measure is None:
            continue  # a flat monthly fee or a service used: its amount says it all
        field, unit_name = measure
        partial = occupied is not None and occupied < in_month and line.fee_type in PRORATED
        found[line.description] = (line.amount, Decimal(getattr(profile, field)), unit_name,
                                   rates[line.fee_type],
                                   (occupied, in_month) if partial else None)  # fmt: skip
    return found


def _notice_line(line: LedgerLine, how: dict[str, tuple[Any, ...]]) -> NoticeLine:
    fee_type = line.fee_type or line.kind
    known = how.get(line.description) if line.kind == "charge" else None
    if known is not None and known[0] == line.amount:
        _, quantity, measure, rate, days = known
        return NoticeLine(fee_type, line.description, quantity, measure, rate, days,
                          line.amount, line.paid)  # fmt: skip
    return NoticeLine(fee_type, line.description, None, None, None, None, line.amount, line.paid)


def receipt_slip(receipt: Mapping[str, Any], heading: Heading, payer: TenantName | None,
                 placed: Mapping[Period, Decimal], unplaced: Decimal,
                 currency: str) -> ReceiptSlip:  # fmt: skip
    """The printed receipt of one entry of the site's receipt book; `placed`: the months
    the payment paid (see `UnitAccount.placed`), `unplaced`: what it left as credit."""
    return ReceiptSlip(
        heading=heading, number=receipt["number"], issued_at=receipt["issued_at"],
        unit=receipt["unit"], payer=payer, reference=receipt["reference"],
        method=receipt["method"], amount=receipt["amount"],
        amount_in_words=rmb_in_words(receipt["amount"]),
        pays_for=tuple(str(p) for p in sorted(placed)), unplaced=unplaced,
        cashier=receipt.get("cashier"), currency=currency, voided_at=receipt["voided_at"],
        void_reason=receipt["void_reason"],
    )  # fmt: skip
