"""How a billing event becomes rows of the kit's ledger (pure: no Kafka, no database).

The kit keeps the ledger as it happened, like the suite's billing read model: debit
lines (charges, late fees, positive adjustments), money sources (payments and credit
adjustments) and allocations of money to lines. Every row carries its instant (UTC)
and its business date: the day it happened at the site, in the site's own time zone.
The finance tables are queries over these rows "as of" a business date (tables.sql).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from bi.messages import Event, Rejected

DEFAULT_TIMEZONE = "Asia/Shanghai"  # the suite's default for a site without its own zone
BILLING_V1 = "concierge.billing."
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LARGEST = Decimal(10) ** 36


class SiteCalendar:
    """Which day it was at a site: the zone set for the site, else the default zone."""

    def __init__(self, zones: dict[str, str] | None = None, default: str = DEFAULT_TIMEZONE):
        self.zones = {str(UUID(site)): zone for site, zone in (zones or {}).items()}
        self.default = default
        self._zone = {site: ZoneInfo(zone) for site, zone in self.zones.items()}
        self._default = ZoneInfo(default)

    def business_date(self, site_id: UUID, instant: datetime) -> date:
        return instant.astimezone(self._zone.get(str(site_id), self._default)).date()

    def describe(self) -> str:
        """The zones as canonical JSON, kept with the tables they cut days for."""
        return json.dumps({"default": self.default, "sites": dict(sorted(self.zones.items()))})


@dataclass
class Postings:
    """What one event adds to the ledger (rows) or changes in it (due dates, reversals).

    Each row is a tuple in the column order of its table in tables.sql."""

    lines: list[tuple[Any, ...]] = field(default_factory=list)
    sources: list[tuple[Any, ...]] = field(default_factory=list)
    allocations: list[tuple[Any, ...]] = field(default_factory=list)
    due_dates: list[tuple[Any, ...]] = field(default_factory=list)
    reversals: list[tuple[Any, ...]] = field(default_factory=list)


def postings_of(event: Event, calendar: SiteCalendar) -> Postings:
    """The ledger rows of a billing event; none for events the tables do not need
    (FeeOverdue, DunningNoticeSent, PeriodClosed, other contexts). Rejected when a
    value cannot be read (an amount with more than 2 places, a time without offset)."""
    postings = Postings()
    if not (event.type.startswith(BILLING_V1) and event.type.endswith(".v1")):
        return postings
    d = event.data
    if "account_id" not in d:  # PeriodClosed: a site's event, no account
        return postings
    try:
        _fold(event, calendar, postings)
    except ValueError as exc:
        raise Rejected(str(exc)) from None
    return postings


def _fold(event: Event, calendar: SiteCalendar, postings: Postings) -> None:
    d = event.data
    site, account = UUID(d["site_id"]), UUID(d["account_id"])
    who = (site, account, d["unit"])
    instant = _instant(d["occurred_at"])
    at, on = instant.astimezone(UTC).replace(tzinfo=None), calendar.business_date(site, instant)
    amount = _money(d, "amount") if "amount" in d else ZERO
    due = _date(d.get("due_date"))

    def line(line_id: str, kind: str, period: str, fee_type: str, text: str) -> None:
        # A line posted with its due date (after its period's statement) is due from now.
        due_set_on = on if due is not None else None
        row = (*who, line_id, kind, period, fee_type, amount, text, at, on, due, due_set_on)
        postings.lines.append((*row, event.id))

    def source(kind: str, reference: str, period: str | None, method: str | None,
               money: Decimal) -> None:  # fmt: skip
        row = (*who, kind, reference, period, method, money, at, on, None, None, None)
        postings.sources.append((*row, event.id))

    match event.name:
        case "ChargePosted":
            line(d["charge_id"], "charge", d["period"], d["fee_type"], d["description"])
        case "ChargeAdjusted" if amount > 0:
            fee_type = d["fee_type"] or "adjustment"
            line(d["adjustment_id"], "adjustment", d["period"], fee_type, d["reason"])
        case "ChargeAdjusted":
            source("adjustment", d["adjustment_id"], d["period"], None, -amount)
        case "LateFeeAssessed":
            text = f"late fee on {d['period']}"
            line(d["charge_id"], "late_fee", d["booked_in"], "late_fee", text)
        case "StatementIssued":
            postings.due_dates.extend((site, account, i, due, on) for i in d["charge_ids"])
        case "PaymentReceived":
            source("payment", d["reference"], None, d["method"], amount)
        case "PaymentAllocated":
            row = (d["charge_id"], d["source_kind"], d["reference"], amount, at, on)
            postings.allocations.append((*who, event.id, *row, event.id))
        case "PaymentReversed":
            postings.allocations.extend(
                (*who, f"{event.id}:{i}", item["charge_id"], "payment", d["reference"],
                 -_money(item, "amount"), at, on, event.id)
                for i, item in enumerate(d["released"])
            )  # fmt: skip
            postings.reversals.append(
                (site, account, "payment", d["reference"], at, on, d["reason"])
            )


def _money(data: dict[str, Any], name: str) -> Decimal:
    """Money is a decimal string with at most 2 places (the published contract); the
    tables hold up to 36 digits before the point."""
    with localcontext() as exact:
        exact.prec = 80
        try:
            amount = Decimal(data[name])
            if amount.is_finite() and abs(amount) < LARGEST and amount == amount.quantize(CENT):
                return amount.quantize(CENT)
        except InvalidOperation:
            pass
    raise ValueError(f"{name}: {data[name]!r} is not an amount with at most 2 decimals")


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.utcoffset() is None:
        raise ValueError(f"occurred_at: {text!r} is not a date-time with a UTC offset")
    return instant


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)
