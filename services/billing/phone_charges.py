"""Phone charges from the month's verified call-charge list (电话费统计表), not rate x lines
(no I/O).

Seed 001 (前台接待员): 每个月统计、核实大厦用户电话费,物业企业分机电话费,并制作费用明细表
(every month, tally and verify the tenants' phone charges and make the detailed list), and
the month's fee tables include 年月电话费统计表, summed into the receivable table. DOMAIN.md:
"Phone fees come from the month's verified call charges per unit (电话费统计表), not a flat
rate".

How a site's phone charges are chosen: a site bills phone at rate x lines until it enters
its first call-charge list; from that list's month on, the monthly run charges no phone
rate, and each month's list, once verified, posts one charge per line number on the
unit's account (a `ChargePosted`, fee type `phone`, as before). A list verified while
its month's table is unsigned joins that month; a list for a month already signed
(approved, issued or closed) joins the next month not yet signed, like other late charges.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Forbidden
from services.billing.domain import ChargeLine, FeeType
from services.billing.money import Period, money


class CallCharge(NamedTuple):
    """One line number's calls in the month: the detail of the list (明细)."""

    number: str
    calls: int
    minutes: int
    amount: Decimal


class PhoneBilling(SiteAggregate):
    """How a site bills phone: at rate x lines, or, from `lists_from` on, by lists."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:billing:phone-billing:{site_id}")

    @event("SwitchedToLists")
    def __init__(self, site_id: UUID, lists_from: str, at: datetime) -> None:
        self.site_id = site_id
        self.lists_from = Period.parse(lists_from)

    def by_lists(self, period: Period) -> bool:
        """Whether `period`'s phone charges come from its list (else rate x lines)."""
        return period >= self.lists_from

    def require_by_lists(self, period: Period) -> None:
        if not self.by_lists(period):
            raise Conflict(f"{period} is billed at rate x lines: this site's call-charge "
                           f"lists start with {self.lists_from}")  # fmt: skip


def without_phone_rate(rates: Mapping[FeeType, Decimal], billing: PhoneBilling | None,
                       period: Period) -> dict[FeeType, Decimal]:  # fmt: skip
    """The rates the monthly run applies: a month billed by its list has no phone rate."""
    if billing is None or not billing.by_lists(period):
        return dict(rates)
    return {kind: rate for kind, rate in rates.items() if kind is not FeeType.PHONE}


class PhoneChargeList(SiteAggregate):
    """A site's call-charge list for one month: per unit, each line number's calls,
    minutes and amount. Entered (again, replacing it) until verified; verified by someone
    other than who entered it; then posted, once, and never changed (a correction is an
    adjustment)."""

    @classmethod
    def create_id(cls, site_id: UUID, period: Period | str) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:billing:phone-charges:{site_id}:{period}")

    @event("Opened")
    def __init__(self, site_id: UUID, period: str, at: datetime) -> None:
        self.site_id = site_id
        self.period = Period.parse(period)
        self.units: dict[str, list[CallCharge]] = {}
        self.entered_by: str | None = None
        self.entered_at: datetime | None = None
        self.verified_by: str | None = None
        self.verified_at: datetime | None = None
        self.posted_in: dict[str, str] = {}  # unit -> the month its charges joined
        self.posted_at: datetime | None = None

    @property
    def status(self) -> str:
        return "posted" if self.posted_at else "verified" if self.verified_by else "entered"

    def enter(self, *, units: Mapping[str, list[CallCharge]], by: str, at: datetime) -> None:
        """The month's list as tallied, replacing what was entered before verification."""
        if self.verified_by is not None:
            raise Conflict(f"the {self.period} list is verified; correct it by adjustments")
        detail = {
            unit: [{"number": c.number, "calls": c.calls, "minutes": c.minutes,
                    "amount": money(c.amount)} for c in lines]
            for unit, lines in units.items()
        }  # fmt: skip
        self._entered(units=detail, by=by, at=at)

    @event("Entered")
    def _entered(self, units: dict[str, list[dict[str, Any]]], by: str, at: datetime) -> None:
        self.units = {unit: [CallCharge(**line) for line in lines] for unit, lines in units.items()}
        self.entered_by, self.entered_at = by, at

    def verify(self, *, by: str, at: datetime) -> None:
        """核实: checked by a second person; once."""
        if self.verified_by is not None:
            raise Conflict(f"the {self.period} list was verified by {self.verified_by}")
        if by == self.entered_by:
            raise Forbidden("the list is verified by someone other than who entered it")
        self._verified(by=by, at=at)

    @event("Verified")
    def _verified(self, by: str, at: datetime) -> None:
        self.verified_by, self.verified_at = by, at

    def charge_lines(self, unit: str) -> list[ChargeLine]:
        """The unit's phone charges of the month: one per line number that cost anything."""
        return [
            ChargeLine(FeeType.PHONE, c.amount,
                       f"phone {self.period}: {c.number}, {c.calls} calls, {c.minutes} min",
                       ref=c.number)
            for c in self.units.get(unit, []) if c.amount > 0
        ]  # fmt: skip

    def mark_posted(self, *, posted_in: dict[str, str], at: datetime) -> None:
        self._posted(posted_in=posted_in, at=at)

    @event("Posted")
    def _posted(self, posted_in: dict[str, str], at: datetime) -> None:
        self.posted_in, self.posted_at = dict(posted_in), at
