"""Billing domain: fee schedules, unit accounts, the monthly run, arrears (no I/O).

Rules cited from DOMAIN.md "Billing" (fees, receivables, arrears). Pure and
deterministic: every time comes in as an argument, nothing reads a clock.

A unit account is a small ledger. Debit lines are charges, late fees and positive
adjustments; money sources are payments and credit adjustments. Money always goes
to the oldest open line first (due date, then posting order; lines not yet on a
statement come last); what a source cannot place is credit, and credit is placed
as soon as a line opens, so an account never holds credit and open lines at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal, NamedTuple, get_args
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from contracts.billing_api import (
    MAX_AREA_M2,
    MAX_COUNT,
    MAX_LATE_FEE_PERCENT,
    MAX_RATE,
    MAX_SERVICES,
    MAX_WATER_M3,
    SEED_APPROVAL_CHAIN,
    ApproverRole,
)
from contracts.fields import MAX_AMOUNT
from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Forbidden, Invalid, NotFound
from services.billing.money import (
    DEFAULT_CURRENCY,
    ZERO,
    Period,
    currency_code,
    money,
    quantity,
    unit_rate,
    within,
)


class FeeType(StrEnum):
    MANAGEMENT = "management"  # rate per m2 per month x unit area
    PARKING = "parking"  # per space per month
    WATER = "water"  # per m3 metered in the month
    PHONE = "phone"  # per line per month
    OTHER_SERVICE = "other_service"  # laundry, catering, business centre
    PAID_REPAIR = "paid_repair"  # from verified work orders
    LATE_FEE = "late_fee"  # per site policy on overdue statements
    # building services signed for at the desk (visitor events), one-off charges
    LAUNDRY = "laundry"
    CATERING = "catering"
    BUSINESS_CENTRE = "business_centre"


SCHEDULED_FEES = frozenset(
    {FeeType.MANAGEMENT, FeeType.PARKING, FeeType.WATER, FeeType.PHONE, FeeType.OTHER_SERVICE}
)


class PaymentMethod(StrEnum):
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    WECHAT_PAY = "wechat_pay"
    ALIPAY = "alipay"
    CHEQUE = "cheque"
    OTHER = "other"


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise Invalid("times must be timezone-aware", field="at")


def _required(text: str, field: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise Invalid(f"{field} is required", field=field)
    return text.strip()


def _enum(kind: type[StrEnum], value: str, field: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise Invalid(f"{value!r} is not one of {choices}", field=field) from None


# ----------------------------------------------------------------------------- fee schedule


class FeeSchedule(SiteAggregate):
    """A site's fee rates; a rate change applies from its effective month on."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        """One schedule per site, found by the site id."""
        return uuid5(NAMESPACE_URL, f"concierge:billing:fee-schedule:{site_id}")

    @event("Opened")
    def __init__(self, site_id: UUID, currency: str, at: datetime) -> None:
        self.site_id = site_id
        self.currency = currency
        self.rates: dict[FeeType, dict[Period, Decimal]] = {}

    @classmethod
    def open(cls, *, site_id: UUID, at: datetime, currency: str = DEFAULT_CURRENCY) -> FeeSchedule:
        """Currency per group, CNY unless the group says otherwise."""
        _require_aware(at)
        return cls(site_id=site_id, currency=currency_code(currency), at=at)

    def set_rate(
        self,
        *,
        fee_type: FeeType | str,
        amount_per_unit: Decimal | int | str,
        effective_from: Period,
        at: datetime,
    ) -> bool:
        """Set a rate from a month on (rate >= 0); False when that rate is already set.

        Only scheduled fees have rates: paid repairs are priced by work orders and late
        fees by the site's late-fee policy.
        """
        _require_aware(at)
        kind: FeeType = _enum(FeeType, fee_type, "fee_type")
        if kind not in SCHEDULED_FEES:
            raise Invalid(f"{kind} has no scheduled rate", field="fee_type")
        rate = within(unit_rate(amount_per_unit), MAX_RATE, "amount_per_unit")
        if rate < 0:
            raise Invalid("a rate must not be negative", field="amount_per_unit")
        if self.rates.get(kind, {}).get(effective_from) == rate:
            return False
        self._rate_set(
            fee_type=kind.value, amount_per_unit=rate, effective_from=str(effective_from), at=at
        )
        return True

    @event("RateSet")
    def _rate_set(
        self, fee_type: str, amount_per_unit: Decimal, effective_from: str, at: datetime
    ) -> None:
        self.rates.setdefault(FeeType(fee_type), {})[Period.parse(effective_from)] = amount_per_unit

    def rate_for(self, fee_type: FeeType | str, period: Period) -> Decimal | None:
        """The latest rate effective on or before `period`, or None (fee not charged)."""
        history = self.rates.get(_enum(FeeType, fee_type, "fee_type"), {})
        effective = [start for start in history if start <= period]
        return history[max(effective)] if effective else None

    def rates_for(self, period: Period) -> dict[FeeType, Decimal]:
        """Every rate in force in `period`."""
        found = {kind: self.rate_for(kind, period) for kind in self.rates}
        return {kind: rate for kind, rate in found.items() if rate is not None}


# ------------------------------------------------------------------------ monthly charges


@dataclass(frozen=True)
class UnitProfile:
    """What a unit is billed on for one month, inside the bounds of
    `contracts.billing_api` (so no charge computed from it exceeds `MAX_AMOUNT`)."""

    area_m2: Decimal
    parking_spaces: int = 0
    water_m3: Decimal = ZERO  # metered consumption in the period
    phone_lines: int = 0
    other_services: Mapping[str, Decimal] = field(default_factory=dict)  # name -> amount

    def __post_init__(self) -> None:
        area = quantity(self.area_m2, field="area_m2", at_most=MAX_AREA_M2)
        object.__setattr__(self, "area_m2", area)
        water = quantity(self.water_m3, field="water_m3", at_most=MAX_WATER_M3)
        object.__setattr__(self, "water_m3", water)
        for name in ("parking_spaces", "phone_lines"):
            count = getattr(self, name)
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise Invalid(f"{name} must be a whole number >= 0", field=name)
            within(Decimal(count), MAX_COUNT, name)
        services = {
            _required(service, "other_services"): within(
                money(amount, field="other_services"), MAX_AMOUNT, "other_services"
            )
            for service, amount in self.other_services.items()
        }
        if any(amount < 0 for amount in services.values()):
            raise Invalid("a service amount must not be negative", field="other_services")
        if len(services) > MAX_SERVICES:
            raise Invalid(f"at most {MAX_SERVICES} services a month", field="other_services")
        object.__setattr__(self, "other_services", services)


class ChargeLine(NamedTuple):
    """One charge of a unit's month; `ref` tells apart charges of one fee type."""

    fee_type: FeeType
    amount: Decimal
    description: str
    ref: str = ""


# The monthly fees that follow the days a tenant occupies the unit (metered water and
# the services a tenant used are charged as measured, whatever the days).
PRORATED = (FeeType.MANAGEMENT, FeeType.PARKING, FeeType.PHONE, FeeType.OTHER_SERVICE)


def prorated(amount: Decimal, days: int, days_in_month: int) -> Decimal:
    """A month's fee for the days occupied: amount x days occupied / days in the month,
    rounded to the cent half-up (issue 11: charges start on the move-in date and stop at
    move-out, prorated by day for a partial month)."""
    share = Decimal(amount) * days / days_in_month
    return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def days_occupied(spans: Iterable[tuple[date, date | None]], period: Period) -> int:
    """The days of `period` inside any tenancy span, each span from its billing start to
    its move-out date, both days included (the tenant holds the keys on both); an open
    span runs on. A day two spans share counts once."""
    days: set[date] = set()
    for start, until in spans:
        first = max(start, period.first_day)
        last = min(until or period.last_day, period.last_day)
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return len(days)


def monthly_charges(
    rates: Mapping[FeeType, Decimal],
    unit: UnitProfile,
    period: Period,
    occupied: int | None = None,
) -> list[ChargeLine]:
    """A unit's charges for a month from the site's rates in force (`rates_for(period)`).

    Management = rate x area, parking = rate x spaces, water = rate x m3, phone =
    rate x lines, each rounded to cents; an other_service rate is a flat monthly
    charge, and each service used (laundry, catering, ...) is charged at its amount.
    Fees without a rate, and zero amounts, are left out.

    `occupied`: the days of the month a tenant occupied the unit (see `days_occupied`),
    None for a unit billed without a tenancy (the whole month, as before tenancies). A
    unit nobody occupied that month is charged nothing; a partial month's management,
    parking, phone and flat service fees are `prorated`.
    """
    if occupied == 0:
        return []
    in_month = (period.last_day - period.first_day).days + 1
    partial = occupied is not None and occupied < in_month
    measured: list[tuple[FeeType, Decimal, str]] = [
        (FeeType.MANAGEMENT, unit.area_m2, "m2"),
        (FeeType.PARKING, Decimal(unit.parking_spaces), "space(s)"),
        (FeeType.WATER, unit.water_m3, "m3"),
        (FeeType.PHONE, Decimal(unit.phone_lines), "line(s)"),
        (FeeType.OTHER_SERVICE, Decimal(1), "month"),
    ]
    lines = []
    for kind, amount_of, unit_name in measured:
        rate = rates.get(kind)
        if rate is None:
            continue
        amount = money(rate * amount_of)
        text = f"{kind} {period}: {amount_of} {unit_name} x {rate}"
        if partial and kind in PRORATED:
            assert occupied is not None
            amount = prorated(amount, occupied, in_month)
            text += f" x {occupied}/{in_month} days"
        if amount > 0:
            lines.append(ChargeLine(kind, amount, text))
    for service, amount in sorted(unit.other_services.items()):
        if amount > 0:
            text = f"{service} {period}"
            lines.append(ChargeLine(FeeType.OTHER_SERVICE, money(amount), text, ref=service))
    return lines


# ------------------------------------------------------------------- overdue and late fees


def is_overdue(due_date: date, grace_days: int, today: date) -> bool:
    """Overdue once the due date plus the site's grace days has passed."""
    if grace_days < 0:
        raise Invalid("grace days must not be negative", field="grace_days")
    return today > due_date + timedelta(days=grace_days)


@dataclass(frozen=True)
class LateFeePolicy:
    """A site's late fee: `value` percent (at most 100) of the overdue amount, or a fixed
    `value`; capped by the site, and never above `MAX_AMOUNT` (one posting's most)."""

    kind: Literal["percent", "fixed"]
    value: Decimal
    cap: Decimal | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("percent", "fixed"):
            raise Invalid("a late fee is 'percent' or 'fixed'", field="kind")
        as_number = unit_rate if self.kind == "percent" else money
        object.__setattr__(self, "value", as_number(self.value, field="value"))
        if self.value < 0:
            raise Invalid("a late fee must not be negative", field="value")
        within(self.value, MAX_LATE_FEE_PERCENT if self.kind == "percent" else MAX_AMOUNT, "value")
        if self.cap is not None:
            object.__setattr__(self, "cap", within(money(self.cap, field="cap"), MAX_AMOUNT, "cap"))
            if self.cap < 0:
                raise Invalid("a late fee cap must not be negative", field="cap")

    def fee_for(self, overdue_amount: Decimal) -> Decimal:
        """The late fee on an overdue amount, never above the cap nor `MAX_AMOUNT` (a
        statement may sum many postings; one posting is at most that); nothing overdue,
        no fee."""
        if overdue_amount <= 0:
            return ZERO
        fee = money(overdue_amount * self.value / 100) if self.kind == "percent" else self.value
        return min(fee, MAX_AMOUNT if self.cap is None else self.cap)  # cap <= MAX_AMOUNT


# -------------------------------------------------------------------------------- ageing

AGEING_BUCKETS = ("current", "0-30", "31-60", "61-90", "90+")


class LedgerLine(NamedTuple):
    """A debit line of a unit account as booked, with what has been paid on it."""

    charge_id: str
    kind: str  # "charge", "late_fee" or "adjustment"
    period: Period
    fee_type: str | None
    description: str
    due_date: date | None
    amount: Decimal
    paid: Decimal


class OpenItem(NamedTuple):
    """An open line of a unit account: what is still owed on it."""

    charge_id: str
    period: Period
    fee_type: str | None  # None for an adjustment not tied to a charge
    due_date: date | None  # None until the line is on a statement
    open_amount: Decimal


def ageing_bucket(due_date: date | None, as_of: date) -> str:
    """Days past the due date: "current" when not yet due (or not yet billed), the due
    date itself is day 0 of "0-30", then "31-60", "61-90" and "90+" (91 days and more)."""
    if due_date is None or as_of < due_date:
        return "current"
    days = (as_of - due_date).days
    return "0-30" if days <= 30 else "31-60" if days <= 60 else "61-90" if days <= 90 else "90+"


def ageing(items: Iterable[OpenItem], as_of: date) -> dict[str, Decimal]:
    """The arrears table row: open amounts per ageing bucket; the buckets sum to the total
    outstanding (DOMAIN.md "Billing", month end)."""
    buckets = dict.fromkeys(AGEING_BUCKETS, ZERO)
    for item in items:
        buckets[ageing_bucket(item.due_date, as_of)] += item.open_amount
    return buckets


# --------------------------------------------------------------------------- unit account


@dataclass
class _Line:
    """A debit line: a charge, a late fee or a positive adjustment."""

    line_id: str
    kind: Literal["charge", "late_fee", "adjustment"]
    period: Period
    fee_type: str | None
    amount: Decimal
    description: str
    due_date: date | None
    seq: int
    paid: Decimal = ZERO

    @property
    def open_amount(self) -> Decimal:
        return self.amount - self.paid

    @property
    def order(self) -> tuple[bool, date, int]:
        """Oldest first: by due date, then posting order; unbilled lines last."""
        return (self.due_date is None, self.due_date or date.max, self.seq)

    def as_ledger_line(self) -> LedgerLine:
        return LedgerLine(self.line_id, self.kind, self.period, self.fee_type, self.description,
                          self.due_date, self.amount, self.paid)  # fmt: skip


@dataclass
class _Source:
    """Money that pays lines: a payment, or a credit (negative) adjustment."""

    kind: Literal["payment", "adjustment"]
    ref: str
    amount: Decimal
    method: str | None
    allocated: dict[str, Decimal] = field(default_factory=dict)
    reversed: bool = False

    @property
    def remaining(self) -> Decimal:
        return ZERO if self.reversed else self.amount - sum(self.allocated.values(), ZERO)


@lru_cache(maxsize=1 << 18)
def _account_id(site_id: UUID, unit: str) -> UUID:
    """`UnitAccount.create_id`, remembered: every bulk job names every unit's account
    again (and the relay each account event's), and a name-based UUID costs a SHA-1
    and a UUID object each time: a sixth of the monthly run's main thread (py-spy)."""
    return uuid5(NAMESPACE_URL, f"concierge:billing:account:{site_id}:{unit}")


class UnitAccount(SiteAggregate):
    """One unit's receivable at a site: charges, statements, payments, credit, arrears."""

    unit: str

    class Event(SiteAggregate.Event):
        unit: str  # every account event names its unit, so consumers need no lookup

    class Created(Event, SiteAggregate.Created):
        pass

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("unit", self.unit)
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def create_id(cls, site_id: UUID, unit: str) -> UUID:
        """One account per site and unit, found by both."""
        return _account_id(site_id, unit)

    @event("Opened")
    def __init__(self, site_id: UUID, unit: str, currency: str, at: datetime) -> None:
        self.site_id = site_id
        self.unit = unit
        self.currency = currency
        self._lines: dict[str, _Line] = {}
        self._sources: dict[tuple[str, str], _Source] = {}
        self.statements: dict[Period, date] = {}  # period -> due date
        self.closed_periods: set[Period] = set()
        self.overdue_periods: set[Period] = set()
        self.dunning_sent: set[tuple[Period, int]] = set()
        self.notices_sent: list[dict[str, Any]] = []  # the collection log's written notices
        self.late_fee_periods: set[Period] = set()
        self.profile: dict[str, Any] = {}
        self.water_m3: dict[str, Decimal] = {}  # period -> metered consumption
        # tenancy id -> [billing start, move-out date or None]: the days charges run
        self.tenancies: dict[str, list[date | None]] = {}
        # fit-out permit id -> the deposit held for it (a liability, never income)
        self.deposits: dict[str, Decimal] = {}
        self.final_settlements: dict[str, dict[str, Any]] = {}  # tenancy id -> statement

    def set_profile(self, *, profile: UnitProfile, at: datetime) -> bool:
        """What the unit is billed on from now on (area, spaces, lines, services).

        False when nothing changed, so re-registering the same units stores nothing."""
        _require_aware(at)
        fields: dict[str, Any] = {
            "area_m2": profile.area_m2,
            "parking_spaces": profile.parking_spaces,
            "phone_lines": profile.phone_lines,
            "other_services": dict(profile.other_services),
        }
        if fields == self.profile:
            return False
        self._profile_set(**fields, at=at)
        return True

    @event("ProfileSet")
    def _profile_set(
        self,
        area_m2: Decimal,
        parking_spaces: int,
        phone_lines: int,
        other_services: dict[str, Decimal],
        at: datetime,
    ) -> None:
        self.profile = {
            "area_m2": area_m2,
            "parking_spaces": parking_spaces,
            "phone_lines": phone_lines,
            "other_services": other_services,
        }

    def record_water(self, *, period: Period, water_m3: Decimal, at: datetime) -> bool:
        """The period's meter reading (consumption in m3); a correction replaces it until
        the month is billed (not after its statement). False when unchanged."""
        _require_aware(at)
        consumption = quantity(water_m3, field="water_m3", at_most=MAX_WATER_M3)
        if self.water_m3.get(str(period)) == consumption:
            return False
        self._require_open(period)
        self._require_unissued(period)
        if self.charge_id_for(period, FeeType.WATER) in self._lines:
            raise Conflict(f"water for {period} is already billed; adjust it instead")
        self._water_recorded(period=str(period), water_m3=consumption, at=at)
        return True

    @event("WaterRecorded")
    def _water_recorded(self, period: str, water_m3: Decimal, at: datetime) -> None:
        self.water_m3[period] = water_m3

    def billing_profile(self, period: Period) -> UnitProfile | None:
        """The unit as billed for `period`, or None before a profile is set."""
        if not self.profile:
            return None
        return UnitProfile(**self.profile, water_m3=self.water_m3.get(str(period), ZERO))

    # ---------------------------------------------------------------- tenancy

    def begin_tenancy(self, *, tenancy_id: UUID, billing_starts_on: date, at: datetime) -> bool:
        """Charges start on the tenancy's billing start date (its move-in, or later after a
        rent-free fit-out). False when this tenancy is known already (a redelivery)."""
        _require_aware(at)
        if str(tenancy_id) in self.tenancies:
            return False
        self._tenancy_began(tenancy_id=str(tenancy_id), billing_starts_on=billing_starts_on,
                            at=at)  # fmt: skip
        return True

    @event("TenancyBegan")
    def _tenancy_began(self, tenancy_id: str, billing_starts_on: date, at: datetime) -> None:
        self.tenancies[tenancy_id] = [billing_starts_on, None]

    def end_tenancy(self, *, tenancy_id: UUID, moved_out_on: date, at: datetime) -> bool:
        """Charges stop at the move-out date (billed up to and including it). False when
        already ended; a tenancy billing never heard of began is refused."""
        _require_aware(at)
        span = self.tenancies.get(str(tenancy_id))
        if span is None:
            raise NotFound(f"tenancy {tenancy_id} is not billed on unit {self.unit}")
        if span[1] is not None:
            return False
        self._tenancy_ended(tenancy_id=str(tenancy_id), moved_out_on=moved_out_on, at=at)
        return True

    @event("TenancyEnded")
    def _tenancy_ended(self, tenancy_id: str, moved_out_on: date, at: datetime) -> None:
        self.tenancies[tenancy_id][1] = moved_out_on

    def occupied_days(self, period: Period) -> int | None:
        """The days of `period` a tenant occupies the unit; None for a unit billed without
        any tenancy (the whole month)."""
        if not self.tenancies:
            return None
        spans = [(start, until) for start, until in self.tenancies.values() if start]
        return days_occupied(spans, period)

    def stop_charges(self, *, tenancy_id: UUID, period: Period, lines: Iterable[ChargeLine],
                     at: datetime) -> int:  # fmt: skip
        """After a move-out, a month already charged in full is corrected down to `lines`
        (the month's charges for the days occupied): a credit adjustment on each monthly
        charge, booked in the month (or the first open month after it when it is closed).
        Returns how many adjustments were made (none again on a redelivery)."""
        due = {self.charge_id_for(period, line.fee_type, line.ref): line.amount for line in lines}
        booked = period
        while booked in self.closed_periods:
            booked = booked.next()
        made = 0
        for kind in PRORATED:
            charge_id = self.charge_id_for(period, kind)
            posted = self._lines.get(charge_id)
            if posted is None or posted.amount <= due.get(charge_id, ZERO):
                continue
            made += self.adjust(
                adjustment_id=f"{charge_id}:moved-out:{tenancy_id}",
                amount=due.get(charge_id, ZERO) - posted.amount,
                reason=f"{kind} {period} after the move-out: days occupied only",
                period=booked, charge_id=charge_id, at=at,
            )  # fmt: skip
        return made

    def charged_monthly(self, period: Period) -> bool:
        """Whether the month's fees are posted (by its run, or at a move-out)."""
        return any(self.charge_id_for(period, kind) in self._lines for kind in PRORATED)

    def hold_deposit(self, *, permit_id: UUID, amount: Decimal, at: datetime) -> bool:
        """A fit-out deposit is held for the tenant: a liability until it is refunded or
        deducted, never income, so it is in no receivable table. False when known."""
        _require_aware(at)
        if str(permit_id) in self.deposits or amount <= 0:
            return False
        self._deposit_held(permit_id=str(permit_id), amount=money(amount), at=at)
        return True

    @event("DepositHeld")
    def _deposit_held(self, permit_id: str, amount: Decimal, at: datetime) -> None:
        self.deposits[permit_id] = amount

    def release_deposit(self, *, permit_id: UUID, refunded: Decimal, deducted: Decimal,
                        at: datetime) -> bool:  # fmt: skip
        """The deposit settled on the fit-out's acceptance: refunded to the tenant, the
        deductions kept (their reasons are the permit's). False when not held."""
        _require_aware(at)
        if self.deposits.get(str(permit_id), ZERO) == ZERO:
            return False
        self._deposit_released(permit_id=str(permit_id), refunded=money(refunded),
                               deducted=money(deducted), at=at)  # fmt: skip
        return True

    @event("DepositReleased")
    def _deposit_released(self, permit_id: str, refunded: Decimal, deducted: Decimal,
                          at: datetime) -> None:  # fmt: skip
        self.deposits[permit_id] = ZERO

    @property
    def deposits_held(self) -> Decimal:
        return sum(self.deposits.values(), ZERO)

    def draw_final_settlement(self, *, tenancy_id: UUID, reference: str, moved_out_on: date,
                              at: datetime) -> bool:  # fmt: skip
        """退租 final settlement: what the tenant owes (open charges) less their credit
        and the fit-out deposits still held; a negative balance is refunded to them.
        Drawn once per tenancy (False again)."""
        _require_aware(at)
        if str(tenancy_id) in self.final_settlements:
            return False
        outstanding, credit, deposits = self.outstanding(), self.credit, self.deposits_held
        self._final_settlement_drawn(
            tenancy_id=str(tenancy_id), reference=reference, moved_out_on=moved_out_on,
            outstanding=outstanding, credit=credit, deposits_held=deposits,
            balance=outstanding - credit - deposits, at=at,
        )  # fmt: skip
        return True

    @event("FinalSettlementDrawn")
    def _final_settlement_drawn(self, tenancy_id: str, reference: str, moved_out_on: date,
                                outstanding: Decimal, credit: Decimal, deposits_held: Decimal,
                                balance: Decimal, at: datetime) -> None:  # fmt: skip
        self.final_settlements[tenancy_id] = {
            "tenancy_id": tenancy_id, "reference": reference, "moved_out_on": moved_out_on,
            "outstanding": outstanding, "credit": credit, "deposits_held": deposits_held,
            "balance": balance, "drawn_at": at,
        }  # fmt: skip

    @classmethod
    def open(
        cls, *, site_id: UUID, unit: str, at: datetime, currency: str = DEFAULT_CURRENCY
    ) -> UnitAccount:
        """One account per unit, in the group's currency (CNY unless set otherwise)."""
        _require_aware(at)
        return cls(
            site_id=site_id, unit=_required(unit, "unit"), currency=currency_code(currency), at=at
        )

    def charge_id_for(self, period: Period, fee_type: FeeType | str, ref: str = "") -> str:
        """The charge's deterministic id: a rerun of the month names the same charges."""
        return str(uuid5(self.id, f"{period}:{fee_type}:{ref}"))

    # ---------------------------------------------------------------- postings

    def _require_open(self, period: Period) -> None:
        if period in self.closed_periods:
            raise Conflict(f"period {period} is closed; post an adjustment in an open period")

    def _require_unissued(self, period: Period) -> None:
        if period in self.statements:
            raise Conflict(f"the {period} statement is issued; a later charge joins the next "
                           "month not yet issued, a correction is an adjustment")  # fmt: skip

    def _due_date(self, period: Period, due_date: date | None) -> date | None:
        """An adjustment made after its period's statement is due with that statement."""
        return due_date if due_date is not None else self.statements.get(period)

    def post_charge(
        self,
        *,
        charge_id: str,
        period: Period,
        fee_type: FeeType | str,
        amount: Decimal | int | str,
        description: str,
        at: datetime,
        due_date: date | None = None,
    ) -> bool:
        """Post a charge once: the same charge id again is a no-op (False), so rerunning
        the month posts nothing twice. A period whose statement is issued (or closed)
        takes no new charge (Conflict): DOMAIN.md "A charge that arrives for a month
        already issued joins the next month not yet issued"."""
        _require_aware(at)
        kind: FeeType = _enum(FeeType, fee_type, "fee_type")
        if kind is FeeType.LATE_FEE:
            raise Invalid("late fees are assessed, not posted", field="fee_type")
        amount = within(money(amount), MAX_AMOUNT, "amount")  # so one adjustment undoes it
        if amount <= 0:
            raise Invalid("a charge must be positive; corrections are adjustments", field="amount")
        charge_id = _required(charge_id, "charge_id")
        known = self._lines.get(charge_id)
        if known is not None:
            posted = (known.kind, known.amount, known.period, known.fee_type)
            if posted != ("charge", amount, period, kind.value):
                raise Conflict(f"charge {charge_id} was posted otherwise; adjust it instead")
            return False
        self._require_open(period)
        self._require_unissued(period)
        self.trigger_event(
            self.ChargePosted,
            charge_id=charge_id,
            period=str(period),
            fee_type=kind.value,
            amount=amount,
            description=description,
            due_date=self._due_date(period, due_date),
            at=at,
        )
        self._apply_credit(at)
        return True

    def post_monthly_charges(
        self, *, lines: Iterable[ChargeLine], period: Period, at: datetime
    ) -> int:
        """Post the month's charges (see `monthly_charges`); returns how many were new."""
        return sum(
            self.post_charge(
                charge_id=self.charge_id_for(period, line.fee_type, line.ref),
                period=period,
                fee_type=line.fee_type,
                amount=line.amount,
                description=line.description,
                at=at,
            )
            for line in lines
        )

    class ChargePosted(Event):
        """A charge posted (`post_charge`). The monthly run posts one per charge line
        for every unit, so the hot events are explicit event classes, triggered with
        `trigger_event` and applied by their own `apply`: the library's `@event`
        command methods filter the keyword arguments against the method's signature
        twice per event (when triggered and when applied), a sixth of the run's CPU
        (py-spy). Same class name, fields and stored state as the decorated method's
        event it replaces (the billing run's stored-events equality test)."""

        charge_id: str
        period: str
        fee_type: str
        amount: Decimal
        description: str
        due_date: date | None
        at: datetime

        def apply(self, account: UnitAccount) -> None:
            account._add_line(self.charge_id, "charge", self.period, self.fee_type, self.amount,
                              self.description, self.due_date)  # fmt: skip

    def _add_line(
        self,
        line_id: str,
        kind: Literal["charge", "late_fee", "adjustment"],
        period: str,
        fee_type: str | None,
        amount: Decimal,
        description: str,
        due_date: date | None,
    ) -> None:
        self._lines[line_id] = _Line(
            line_id=line_id,
            kind=kind,
            period=Period.parse(period),
            fee_type=fee_type,
            amount=amount,
            description=description,
            due_date=due_date,
            seq=len(self._lines),
        )

    def adjust(
        self,
        *,
        adjustment_id: str,
        amount: Decimal | int | str,
        reason: str,
        period: Period,
        at: datetime,
        charge_id: str | None = None,
        due_date: date | None = None,
    ) -> bool:
        """A correction, booked in an open period (closed periods stay as they were).

        A positive amount is owed like a charge; a negative amount is credit, placed on
        the corrected charge (`charge_id`) first, then oldest first. The same adjustment
        id again is a no-op (False).
        """
        _require_aware(at)
        amount = money(amount)
        within(abs(amount), MAX_AMOUNT, "amount")
        if amount == 0:
            raise Invalid("an adjustment must not be zero", field="amount")
        reason = _required(reason, "reason")
        adjustment_id = _required(adjustment_id, "adjustment_id")
        line = self._lines.get(adjustment_id)
        credit = self._sources.get(("adjustment", adjustment_id))
        if line is not None or credit is not None:
            same = (credit is not None and -credit.amount == amount) or (
                line is not None and line.kind == "adjustment" and line.amount == amount
            )
            if not same:
                raise Conflict(f"{adjustment_id} already names another posting or adjustment")
            return False
        corrected = self._lines.get(charge_id) if charge_id is not None else None
        if charge_id is not None and corrected is None:
            raise Invalid(f"no charge {charge_id} on this account", field="charge_id")
        self._require_open(period)
        self._adjusted(
            adjustment_id=adjustment_id,
            amount=amount,
            reason=reason,
            period=str(period),
            charge_id=charge_id,
            fee_type=corrected.fee_type if corrected else None,
            due_date=self._due_date(period, due_date) if amount > 0 else None,
            at=at,
        )
        if corrected is not None and amount < 0 and corrected.open_amount > 0:
            source = self._sources[("adjustment", adjustment_id)]
            self._place(source, corrected, min(source.remaining, corrected.open_amount), at)
        self._apply_credit(at)
        return True

    @event("ChargeAdjusted")
    def _adjusted(
        self,
        adjustment_id: str,
        amount: Decimal,
        reason: str,
        period: str,
        charge_id: str | None,
        fee_type: str | None,
        due_date: date | None,
        at: datetime,
    ) -> None:
        if amount > 0:
            self._add_line(adjustment_id, "adjustment", period, fee_type, amount, reason, due_date)
        else:
            self._sources[("adjustment", adjustment_id)] = _Source(
                kind="adjustment", ref=adjustment_id, amount=-amount, method=None
            )

    # -------------------------------------------------------------- statements

    def issue_statement(self, *, period: Period, due_date: date, at: datetime) -> bool:
        """The payment notice for a period: its lines become due on `due_date`. Issued
        once per period (False when already issued); not for a closed period."""
        _require_aware(at)
        if period in self.statements:
            return False
        self._require_open(period)
        if due_date < period.first_day:
            raise Invalid("a statement falls due after its period starts", field="due_date")
        lines = [line for line in self._lines.values() if line.period == period]
        self.trigger_event(
            self.StatementIssued,
            period=str(period),
            due_date=due_date,
            charge_ids=[line.line_id for line in lines if line.due_date is None],
            amount_due=sum((line.open_amount for line in lines), ZERO),
            at=at,
        )
        return True

    class StatementIssued(Event):
        """A period's payment notice (`issue_statement`): its unbilled lines fall due.
        An explicit event class, as `ChargePosted` (one per unit in every issue)."""

        period: str
        due_date: date
        charge_ids: list[str]
        amount_due: Decimal
        at: datetime

        def apply(self, account: UnitAccount) -> None:
            account.statements[Period.parse(self.period)] = self.due_date
            for charge_id in self.charge_ids:
                account._lines[charge_id].due_date = self.due_date

    def close_period(self, *, period: Period, at: datetime) -> bool:
        """Month end: a closed period accepts no postings. False when already closed."""
        _require_aware(at)
        if period in self.closed_periods:
            return False
        self._period_closed(period=str(period), at=at)
        return True

    @event("PeriodClosed")
    def _period_closed(self, period: str, at: datetime) -> None:
        self.closed_periods.add(Period.parse(period))

    # ---------------------------------------------------------------- payments

    def receive_payment(
        self,
        *,
        reference: str,
        amount: Decimal | int | str,
        method: PaymentMethod | str,
        at: datetime,
    ) -> bool:
        """Record a payment once per reference (the same reference again is a no-op,
        False; with another amount or method it is a Conflict). The money goes to the
        oldest open charge first, partial payments included; any excess is credit for
        the next statement."""
        _require_aware(at)
        reference = _required(reference, "reference")
        amount = within(money(amount), MAX_AMOUNT, "amount")
        if amount <= 0:
            raise Invalid("a payment must be positive", field="amount")
        paid_by: PaymentMethod = _enum(PaymentMethod, method, "method")
        known = self._sources.get(("payment", reference))
        if known is not None:
            if (known.amount, known.method) != (amount, paid_by.value):
                raise Conflict(f"payment {reference} was recorded with another amount or method")
            return False
        self._payment_received(reference=reference, amount=amount, method=paid_by.value, at=at)
        self._apply_credit(at)
        return True

    @event("PaymentReceived")
    def _payment_received(self, reference: str, amount: Decimal, method: str, at: datetime) -> None:
        self._sources[("payment", reference)] = _Source(
            kind="payment", ref=reference, amount=amount, method=method
        )

    def reverse_payment(self, *, reference: str, reason: str, at: datetime) -> None:
        """Reverse a payment (bounced, mistaken): the charges it paid are open again, its
        unplaced credit is gone, and remaining credit is placed oldest first."""
        _require_aware(at)
        reason = _required(reason, "reason")
        payment = self._sources.get(("payment", reference))
        if payment is None:
            raise NotFound(f"no payment {reference} on this account")
        if payment.reversed:
            raise Conflict(f"payment {reference} is already reversed")
        self._payment_reversed(
            reference=reference,
            amount=payment.amount,
            reason=reason,
            released=[
                {"charge_id": charge_id, "amount": amount}
                for charge_id, amount in payment.allocated.items()
                if amount > 0
            ],
            at=at,
        )
        self._apply_credit(at)

    @event("PaymentReversed")
    def _payment_reversed(
        self,
        reference: str,
        amount: Decimal,
        reason: str,
        released: list[dict[str, Any]],
        at: datetime,
    ) -> None:
        payment = self._sources[("payment", reference)]
        for item in released:
            self._lines[item["charge_id"]].paid -= item["amount"]
        payment.allocated.clear()
        payment.reversed = True

    def _apply_credit(self, at: datetime) -> None:
        """Place every unplaced amount on open lines, oldest source on oldest line."""
        for source in list(self._sources.values()):
            for line in self._open_lines():
                if source.remaining <= 0:
                    break
                self._place(source, line, min(source.remaining, line.open_amount), at)

    def _place(self, source: _Source, line: _Line, amount: Decimal, at: datetime) -> None:
        self._payment_allocated(
            source_kind=source.kind,
            reference=source.ref,
            charge_id=line.line_id,
            amount=amount,
            at=at,
        )

    @event("PaymentAllocated")
    def _payment_allocated(
        self, source_kind: str, reference: str, charge_id: str, amount: Decimal, at: datetime
    ) -> None:
        source = self._sources[(source_kind, reference)]
        source.allocated[charge_id] = source.allocated.get(charge_id, ZERO) + amount
        self._lines[charge_id].paid += amount

    # --------------------------------------------------------- overdue and late fees

    def _overdue_lines(self, period: Period, as_of: date, grace_days: int) -> list[_Line]:
        return [
            line
            for line in self._open_lines()
            if line.period == period
            and line.kind != "late_fee"
            and line.due_date is not None
            and is_overdue(line.due_date, grace_days, as_of)
        ]

    def overdue_amount(self, period: Period, as_of: date, grace_days: int) -> Decimal:
        """What is still open on a period's statement once past due date + grace days
        (late fees themselves are not counted, so no fee is charged on a fee)."""
        lines = self._overdue_lines(period, as_of, grace_days)
        return sum((line.open_amount for line in lines), ZERO)

    def mark_overdue(self, *, period: Period, as_of: date, grace_days: int, at: datetime) -> bool:
        """An unpaid statement past its due date plus the site's grace days is overdue
        (FeeOverdue, once per period); False when nothing is overdue or already marked."""
        _require_aware(at)
        lines = self._overdue_lines(period, as_of, grace_days)
        if period in self.overdue_periods or not lines:
            return False
        due_date = min(line.due_date for line in lines if line.due_date is not None)
        self._fee_overdue(
            period=str(period),
            due_date=due_date,
            amount_overdue=sum((line.open_amount for line in lines), ZERO),
            days_overdue=(as_of - due_date).days,
            at=at,
        )
        return True

    @event("FeeOverdue")
    def _fee_overdue(
        self, period: str, due_date: date, amount_overdue: Decimal, days_overdue: int, at: datetime
    ) -> None:
        self.overdue_periods.add(Period.parse(period))

    def send_dunning_notice(
        self, *, period: Period, level: int, at: datetime, channel: str = "notice"
    ) -> bool:
        """Dunning follows an overdue statement: each level once (False when sent, or
        when the statement has been paid meanwhile)."""
        _require_aware(at)
        if period not in self.overdue_periods:
            raise Conflict(f"the statement for {period} is not overdue")
        if level < 1:
            raise Invalid("dunning levels start at 1", field="level")
        amount_due = sum(
            (line.open_amount for line in self._lines.values() if line.period == period), ZERO
        )
        if (period, level) in self.dunning_sent or amount_due <= 0:
            return False
        self._dunning_notice_sent(
            period=str(period),
            level=level,
            channel=_required(channel, "channel"),
            amount_due=amount_due,
            at=at,
        )
        return True

    @event("DunningNoticeSent")
    def _dunning_notice_sent(
        self, period: str, level: int, channel: str, amount_due: Decimal, at: datetime
    ) -> None:
        self.dunning_sent.add((Period.parse(period), level))
        self.notices_sent.append({"period": period, "level": level, "channel": channel,
                                  "amount": amount_due, "at": at})  # fmt: skip

    def assess_late_fee(
        self,
        *,
        period: Period,
        as_of: date,
        policy: LateFeePolicy,
        grace_days: int,
        at: datetime,
        book_in: Period | None = None,
    ) -> bool:
        """Late fee per site policy on a statement's overdue amount, once per period.

        The fee is booked in `book_in` (default: the month of `as_of`), a month whose
        statement is still to come, and is due with it. False when nothing is due.
        """
        _require_aware(at)
        if period in self.late_fee_periods:
            return False
        overdue = self.overdue_amount(period, as_of, grace_days)
        fee = policy.fee_for(overdue)
        if fee <= 0:
            return False
        booked = book_in or Period.of(as_of)
        self._require_open(booked)
        self._require_unissued(booked)
        self._late_fee_assessed(
            charge_id=self.charge_id_for(period, FeeType.LATE_FEE),
            period=str(period),
            booked_in=str(booked),
            overdue_amount=overdue,
            amount=fee,
            policy=policy.kind,
            due_date=None,  # due with `booked`'s statement, when it is issued
            at=at,
        )
        self._apply_credit(at)
        return True

    @event("LateFeeAssessed")
    def _late_fee_assessed(
        self,
        charge_id: str,
        period: str,
        booked_in: str,
        overdue_amount: Decimal,
        amount: Decimal,
        policy: str,
        due_date: date | None,
        at: datetime,
    ) -> None:
        self.late_fee_periods.add(Period.parse(period))
        description = f"late fee on {period} ({overdue_amount} overdue)"
        self._add_line(
            charge_id, "late_fee", booked_in, FeeType.LATE_FEE.value, amount, description, due_date
        )

    # ----------------------------------------------------------------- queries

    def _open_lines(self) -> list[_Line]:
        return sorted(
            (line for line in self._lines.values() if line.open_amount > 0),
            key=lambda line: line.order,
        )

    def lines(self) -> list[LedgerLine]:
        """Every debit line, paid or not, oldest first (statement and paid table)."""
        return [
            line.as_ledger_line()
            for line in sorted(self._lines.values(), key=lambda line: line.order)
        ]

    def line(self, line_id: str) -> LedgerLine | None:
        """One debit line by its id (a charge, late fee or adjustment), or None."""
        found = self._lines.get(line_id)
        return None if found is None else found.as_ledger_line()

    def outstanding_items(self) -> list[OpenItem]:
        """Open lines, oldest first (the order money is placed in)."""
        return [
            OpenItem(line.line_id, line.period, line.fee_type, line.due_date, line.open_amount)
            for line in self._open_lines()
        ]

    def outstanding(self) -> Decimal:
        """Total still owed on open lines (credit is never held while lines are open)."""
        return sum((line.open_amount for line in self._lines.values()), ZERO)

    def arrears(self, as_of: date) -> dict[str, Decimal]:
        """This unit's row of the arrears table."""
        return ageing(self.outstanding_items(), as_of)

    @property
    def credit(self) -> Decimal:
        """Money received but not yet placed on a line; carried to the next statement."""
        return sum((source.remaining for source in self._sources.values()), ZERO)

    def balance(self) -> Decimal:
        """Owed minus credit: negative when the account is in credit."""
        return self.outstanding() - self.credit

    def placed(self, reference: str) -> tuple[dict[Period, Decimal], Decimal]:
        """Where a payment went: the amount placed per month, and what is still unplaced
        credit (nothing of either once it is reversed). NotFound for an unknown payment."""
        payment = self._sources.get(("payment", reference))
        if payment is None:
            raise NotFound(f"no payment {reference} on this account")
        months: dict[Period, Decimal] = {}
        for line_id, amount in payment.allocated.items():
            period = self._lines[line_id].period
            months[period] = months.get(period, ZERO) + amount
        return months, payment.remaining

    def _total(self, kind: str) -> Decimal:
        return sum((line.amount for line in self._lines.values() if line.kind == kind), ZERO)

    @property
    def total_charged(self) -> Decimal:
        return self._total("charge")

    @property
    def total_late_fees(self) -> Decimal:
        return self._total("late_fee")

    @property
    def total_adjustments(self) -> Decimal:
        """Signed: positive adjustments add, credit adjustments subtract."""
        credits = sum(
            (source.amount for source in self._sources.values() if source.kind == "adjustment"),
            ZERO,
        )
        return self._total("adjustment") - credits

    @property
    def total_paid(self) -> Decimal:
        """Payments received and not reversed."""
        return sum(
            (
                source.amount
                for source in self._sources.values()
                if source.kind == "payment" and not source.reversed
            ),
            ZERO,
        )

    def charged_in(self, period: Period) -> Decimal:
        """All lines booked in a period: the unit's row of the month's receivable table."""
        return sum((line.amount for line in self._lines.values() if line.period == period), ZERO)


# --------------------------------------------------------------------------- billing run


class BillingRunStatus(StrEnum):
    OPEN = "open"  # not run yet; charges that arrived late for earlier months gather here
    DRAFTED = "drafted"
    APPROVED = "approved"
    ISSUED = "issued"
    CLOSED = "closed"


# Seed 001, 物业管理费催/收缴程序: 制作应收总表 -> 客服部经理审核签字 -> 总经理审核签字
# -> 财务部经理审核签字 -> 制作物业管理缴费单 (the receivable table is signed by the CS
# manager, then the general manager, then the finance manager, before the notices):
# `SEED_APPROVAL_CHAIN`, the default of every site.
APPROVER_ROLES = frozenset(get_args(ApproverRole))
_LEGACY_APPROVALS = frozenset({"cs_manager", "finance"})  # runs approved before the chain


def sign_off_chain(roles: Iterable[str] | None) -> tuple[str, ...]:
    """A site's sign-off chain: at least two steps, each an approver role once, in order.

    The cashier takes the money and never approves (seed 001); the seed's chain is the
    default.
    """
    chain = tuple(SEED_APPROVAL_CHAIN if roles is None else roles)
    if "cashier" in chain:
        raise Invalid("a cashier takes the money and never approves", field="approval_chain")
    unknown = sorted(set(chain) - APPROVER_ROLES)
    if unknown:
        raise Invalid(f"{', '.join(unknown)} cannot approve; approvers are "
                      f"{', '.join(sorted(APPROVER_ROLES))}", field="approval_chain")  # fmt: skip
    if len(chain) < 2 or len(set(chain)) != len(chain):
        raise Invalid("a chain has two or more steps, each role once", field="approval_chain")
    return chain


class BillingRun(SiteAggregate):
    """A site's monthly run: the receivable table drafted, signed off along the site's
    chain (each step by a different person, in order), statements issued with a due
    date, then the period closed.

    The table (fee type -> amount) holds the month's charges and late fees; a charge
    that arrives once the month is run joins it, in the same transaction as it is
    posted, until the table is signed (see `join`); corrections are adjustments. A
    month not yet run may be opened by such a charge (status "open").
    """

    class Opened(SiteAggregate.Created):
        period: str
        at: datetime

        def apply(self, run: BillingRun) -> None:
            run.status = BillingRunStatus.OPEN

    @classmethod
    def create_id(cls, site_id: UUID, period: str | Period) -> UUID:
        """One run per site and period."""
        return uuid5(NAMESPACE_URL, f"concierge:billing:run:{site_id}:{period}")

    @event("Drafted")
    def __init__(
        self,
        site_id: UUID,
        period: str,
        at: datetime,
        receivable: dict[str, Decimal] | None = None,
        approval_chain: list[str] | None = None,
    ) -> None:
        self.site_id = site_id
        self.period = Period.parse(period)
        self.receivable = dict(receivable or {})
        self.status = BillingRunStatus.DRAFTED
        self.approvals: dict[str, str] = {}  # role -> approver, in the order signed
        # Runs drafted before the chain was a setting follow the seed's.
        self.approval_chain = tuple(approval_chain or SEED_APPROVAL_CHAIN)
        self.due_date: date | None = None

    @classmethod
    def draft(
        cls,
        *,
        site_id: UUID,
        period: Period,
        receivable: Mapping[str, Decimal | int | str],
        at: datetime,
        approval_chain: Iterable[str] | None = None,
    ) -> BillingRun:
        """The month's receivable table (fee type -> amount) drafted after the charges
        are posted, to be signed off along `approval_chain` (the seed's by default)."""
        _require_aware(at)
        return cls(site_id=site_id, period=str(period), receivable=_table(receivable), at=at,
                   approval_chain=list(sign_off_chain(approval_chain)))  # fmt: skip

    @classmethod
    def open(cls, *, site_id: UUID, period: Period, at: datetime) -> BillingRun:
        """A month not yet run, opened by a charge that joins it before its run."""
        _require_aware(at)
        run: BillingRun = cls._create(
            cls.Opened, id=cls.create_id(site_id, period), site_id=site_id,
            period=str(period), at=at,
        )  # fmt: skip
        return run

    @property
    def total_receivable(self) -> Decimal:
        return sum(self.receivable.values(), ZERO)

    @property
    def takes_charges(self) -> bool:
        """Charges may still join the month: its table is not yet signed."""
        return self.status in (BillingRunStatus.OPEN, BillingRunStatus.DRAFTED)

    def join(self, *, fee_type: FeeType | str, amount: Decimal, at: datetime) -> None:
        """A charge posted into the month once it is run, or before (a paid repair, a
        late fee), joins its table. DOMAIN.md: "A charge that arrives for a month
        already issued joins the next month not yet issued"; an approved (signed) or
        issued table changes only through adjustments, so this is refused then. The
        approvals given so far no longer count: the table they signed has changed."""
        _require_aware(at)
        if not self.takes_charges:
            raise Conflict(f"the {self.period} table is {self.status}; adjust it instead")
        kind: FeeType = _enum(FeeType, fee_type, "fee_type")
        self._charge_joined(fee_type=kind.value, amount=money(amount), at=at)

    @event("ChargeJoined")
    def _charge_joined(self, fee_type: str, amount: Decimal, at: datetime) -> None:
        self.receivable[fee_type] = self.receivable.get(fee_type, ZERO) + amount
        self.approvals = {}

    @property
    def awaiting(self) -> str | None:
        """The role whose signature comes next, None once approved."""
        if self.status != BillingRunStatus.DRAFTED:
            return None
        return self.approval_chain[len(self.approvals)]

    def redraft(
        self,
        *,
        receivable: Mapping[str, Decimal | int | str],
        at: datetime,
        approval_chain: Iterable[str] | None = None,
    ) -> None:
        """A draft can be redone until fully approved (an open month is drafted for the
        first time); approvals given to the old draft no longer count, and the site's
        chain as it is now applies."""
        _require_aware(at)
        if not self.takes_charges:
            raise Conflict(f"run is {self.status}; only a draft can be redrafted")
        self._redrafted(receivable=_table(receivable), at=at,
                        approval_chain=list(sign_off_chain(approval_chain)))  # fmt: skip

    @event("Redrafted")
    def _redrafted(
        self, receivable: dict[str, Decimal], at: datetime, approval_chain: list[str] | None = None
    ) -> None:
        self.receivable = dict(receivable)
        self.approvals = {}
        self.status = BillingRunStatus.DRAFTED
        if approval_chain is not None:
            self.approval_chain = tuple(approval_chain)

    def approve(self, *, role: str, approver: str, at: datetime) -> None:
        """Sign the table off: the next role of the chain signs, each step by a different
        person (seed 001: CS manager, then general manager, then finance manager); the
        run is approved when the last step has signed. A cashier never approves."""
        _require_aware(at)
        approver = _required(approver, "approver")
        if role not in self.approval_chain:
            chain = " -> ".join(self.approval_chain)
            raise Forbidden(f"role {role!r} does not sign this table off ({chain})")
        if self.status == BillingRunStatus.OPEN:
            raise Conflict(f"{self.period} has not been run yet; run the month first")
        if self.status != BillingRunStatus.DRAFTED:
            raise Conflict(f"run is {self.status}; it is already approved")
        if role in self.approvals:
            raise Conflict(f"{role} has already approved this run")
        if role != self.awaiting:
            raise Conflict(f"{self.awaiting} signs before {role}")
        if approver in self.approvals.values():
            raise Conflict("each step is signed by a different person")
        completes = len(self.approvals) + 1 == len(self.approval_chain)
        self._approved(role=role, approval=role, approver=approver, at=at, completes=completes)

    @event("Approved")
    def _approved(
        self, role: str, approval: str, approver: str, at: datetime, completes: bool | None = None
    ) -> None:
        self.approvals[approval] = approver
        if completes or (completes is None and self.approvals.keys() >= _LEGACY_APPROVALS):
            self.status = BillingRunStatus.APPROVED

    def issue(self, *, due_date: date, at: datetime) -> None:
        """Statements are issued only after full approval, once, with a due date."""
        _require_aware(at)
        if self.status == BillingRunStatus.OPEN:
            raise Conflict(f"{self.period} has not been run yet; run the month first")
        if self.status == BillingRunStatus.DRAFTED:
            missing = [role for role in self.approval_chain if role not in self.approvals]
            raise Conflict(f"cannot issue before approval; missing: {', '.join(missing)}")
        if self.status != BillingRunStatus.APPROVED:
            raise Conflict(f"run is {self.status}; statements were already issued")
        if due_date < self.period.first_day:
            raise Invalid("statements fall due after their period starts", field="due_date")
        self._issued(due_date=due_date, at=at)

    @event("Issued")
    def _issued(self, due_date: date, at: datetime) -> None:
        self.status = BillingRunStatus.ISSUED
        self.due_date = due_date

    def close(self, *, at: datetime) -> None:
        """Period close after issue; corrections then go into an open period."""
        _require_aware(at)
        if self.status != BillingRunStatus.ISSUED:
            raise Conflict(f"run is {self.status}; only an issued run can be closed")
        self._period_closed(period=str(self.period), at=at)

    @event("PeriodClosed")
    def _period_closed(self, period: str, at: datetime) -> None:
        self.status = BillingRunStatus.CLOSED


def _table(receivable: Mapping[str, Decimal | int | str]) -> dict[str, Decimal]:
    table = {_required(unit, "receivable"): money(amount) for unit, amount in receivable.items()}
    if any(amount < 0 for amount in table.values()):
        raise Invalid("a receivable must not be negative", field="receivable")
    return table


# ----------------------------------------------------------------------- receipts


class ReceiptBook(SiteAggregate):
    """The site's receipts. DOMAIN.md: "Every payment gets a receipt, numbered
    continuously per site; voided receipts are kept": numbers run 1, 2, 3 ... per site
    with no gap, a reversed payment's receipt is voided with the reversal's reason and
    keeps its number."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:billing:receipts:{site_id}")

    @event("Opened")
    def __init__(self, site_id: UUID, at: datetime) -> None:
        self.site_id = site_id
        self.receipts: list[dict[str, Any]] = []
        self._by_payment: dict[tuple[str, str], int] = {}  # (unit, reference) -> number

    def issue(self, *, unit: str, reference: str, amount: Decimal, method: str,
              at: datetime, cashier: str | None = None) -> dict[str, Any]:  # fmt: skip
        """The receipt of a payment, numbered next; the same payment's receipt again.
        `cashier`: who took the payment (printed on the receipt)."""
        _require_aware(at)
        known = self._by_payment.get((unit, reference))
        if known is None:
            self._receipt_issued(number=len(self.receipts) + 1, unit=unit, reference=reference,
                                 amount=money(amount), method=method, at=at,
                                 cashier=cashier)  # fmt: skip
            known = len(self.receipts)
        return self.receipts[known - 1]

    @event("ReceiptIssued")
    def _receipt_issued(self, number: int, unit: str, reference: str, amount: Decimal,
                        method: str, at: datetime, cashier: str | None = None) -> None:  # fmt: skip
        self.receipts.append({
            "number": number, "unit": unit, "reference": reference, "amount": amount,
            "method": method, "issued_at": at, "voided_at": None, "void_reason": None,
            "cashier": cashier,
        })  # fmt: skip
        self._by_payment[(unit, reference)] = number

    def void(self, *, unit: str, reference: str, reason: str, at: datetime) -> bool:
        """Void the receipt of a reversed payment, with the reason; kept, never renumbered.
        False when the payment has no receipt (taken before receipts) or it is void."""
        _require_aware(at)
        number = self._by_payment.get((unit, reference))
        if number is None or self.receipts[number - 1]["voided_at"] is not None:
            return False
        self._receipt_voided(number=number, reason=_required(reason, "reason"), at=at)
        return True

    @event("ReceiptVoided")
    def _receipt_voided(self, number: int, reason: str, at: datetime) -> None:
        self.receipts[number - 1] = {**self.receipts[number - 1], "voided_at": at,
                                     "void_reason": reason}  # fmt: skip


# ----------------------------------------------------------------------- site policy


class BillingPolicy(SiteAggregate):
    """A site's billing settings: days to pay, grace days, late fee, currency, and the
    chain that signs the receivable table off (the seed's unless the site sets one)."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:billing:policy:{site_id}")

    @event("Configured")
    def __init__(
        self,
        site_id: UUID,
        days_to_pay: int,
        grace_days: int,
        late_fee: dict[str, Any] | None,
        currency: str,
        at: datetime,
        approval_chain: list[str] | None = None,
    ) -> None:
        self.site_id = site_id
        self._set(days_to_pay, grace_days, late_fee, currency, approval_chain)

    @classmethod
    def defaults(cls, site_id: UUID, at: datetime) -> BillingPolicy:
        """15 days to pay, 5 grace days, no late fee, CNY, the seed's sign-off chain."""
        return cls(site_id=site_id, days_to_pay=15, grace_days=5, late_fee=None,
                   currency=DEFAULT_CURRENCY, at=at)  # fmt: skip

    def change(
        self,
        *,
        days_to_pay: int,
        grace_days: int,
        late_fee: LateFeePolicy | None,
        currency: str,
        at: datetime,
        approval_chain: Iterable[str] | None = None,
    ) -> None:
        if days_to_pay < 1:
            raise Invalid("at least one day to pay", field="days_to_pay")
        if grace_days < 0:
            raise Invalid("grace days must not be negative", field="grace_days")
        fee = None if late_fee is None else {
            "kind": late_fee.kind, "value": late_fee.value, "cap": late_fee.cap,
        }  # fmt: skip
        self._changed(days_to_pay=days_to_pay, grace_days=grace_days, late_fee=fee,
                      currency=currency_code(currency), at=at,
                      approval_chain=list(sign_off_chain(approval_chain)))  # fmt: skip

    @event("Changed")
    def _changed(
        self,
        days_to_pay: int,
        grace_days: int,
        late_fee: dict[str, Any] | None,
        currency: str,
        at: datetime,
        approval_chain: list[str] | None = None,
    ) -> None:
        self._set(days_to_pay, grace_days, late_fee, currency, approval_chain)

    def _set(self, days_to_pay: int, grace_days: int, late_fee: dict[str, Any] | None,
             currency: str, approval_chain: list[str] | None) -> None:  # fmt: skip
        self.days_to_pay = days_to_pay
        self.grace_days = grace_days
        self.late_fee_terms = late_fee
        self.currency = currency
        self.approval_chain = tuple(approval_chain or SEED_APPROVAL_CHAIN)

    @property
    def late_fee(self) -> LateFeePolicy | None:
        if self.late_fee_terms is None:
            return None
        return LateFeePolicy(**self.late_fee_terms)


class UnitRegister(SiteAggregate):
    """The units billed at a site, so the monthly run reaches every one of them."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:billing:units:{site_id}")

    @event("Opened")
    def __init__(self, site_id: UUID, at: datetime) -> None:
        self.site_id = site_id
        self.units: dict[str, None] = {}  # insertion-ordered set

    def register(self, *, units: Iterable[str], at: datetime) -> list[str]:
        """Add units not yet billed here; returns the new ones (none: nothing stored)."""
        new = list(dict.fromkeys(u for u in units if u not in self.units))
        if new:
            self._registered(units=new, at=at)
        return new

    @event("Registered")
    def _registered(self, units: list[str], at: datetime) -> None:
        self.units.update(dict.fromkeys(units))


class PaymentReference(SiteAggregate):
    """A payment reference (bank transfer, cheque, receipt) used at a site.

    DOMAIN.md "Billing": payments are idempotent by reference. A reference names one
    payment of one unit: the same reference on another unit would count the money
    twice. This claim is saved in the same transaction as the payment it names, so
    of two requests racing with one reference only one can win.
    """

    @classmethod
    def create_id(cls, site_id: UUID, reference: str) -> UUID:
        """One claim per site and reference, found by both."""
        return uuid5(NAMESPACE_URL, f"concierge:billing:payment-reference:{site_id}:{reference}")

    @event("Claimed")
    def __init__(self, site_id: UUID, reference: str, unit: str, at: datetime) -> None:
        self.site_id = site_id
        self.reference = reference
        self.unit = unit

    @classmethod
    def claim(cls, *, site_id: UUID, reference: str, unit: str, at: datetime) -> PaymentReference:
        _require_aware(at)
        return cls(site_id=site_id, reference=_required(reference, "reference"),
                   unit=_required(unit, "unit"), at=at)  # fmt: skip

    def require_unit(self, unit: str) -> None:
        """The reference may be used again only for the same unit's same payment."""
        if unit != self.unit:
            raise Conflict(
                f"reference {self.reference} is already used by a payment of unit {self.unit}"
            )


class ParkedRepair(NamedTuple):
    """A verified paid repair waiting for finance to name the unit it is charged to."""

    work_order_id: UUID
    number: str
    unit: str | None  # as the work order named it (none, or a unit billing does not know)
    fee: Decimal
    verified_at: datetime


class UnbilledRepairs(SiteAggregate):
    """A site's verified paid repairs that name no unit billing knows.

    DOMAIN.md: a verified paid work order becomes a charge for the monthly run. When
    the work order names no unit, or one not registered for billing, the repair is
    still a fact the suite accepted: it is neither dropped nor dead-lettered but parked
    here, listed for finance, until they assign it to the unit to charge.
    """

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:billing:unbilled-repairs:{site_id}")

    @event("Opened")
    def __init__(self, site_id: UUID, at: datetime) -> None:
        self.site_id = site_id
        self.parked: dict[UUID, ParkedRepair] = {}
        self.assigned: dict[UUID, str] = {}  # work order -> the unit finance charged

    def knows(self, work_order_id: UUID) -> bool:
        """Parked or assigned already: finance decides, a redelivery changes nothing."""
        return work_order_id in self.parked or work_order_id in self.assigned

    def park(self, *, work_order_id: UUID, number: str, unit: str | None, fee: Decimal,
             verified_at: datetime, at: datetime) -> bool:  # fmt: skip
        """List a paid repair no known unit can be charged for (False: listed before)."""
        _require_aware(at)
        if self.knows(work_order_id):
            return False
        self._repair_parked(work_order_id=work_order_id, number=number, unit=unit,
                            fee=money(fee), verified_at=verified_at, at=at)  # fmt: skip
        return True

    @event("RepairParked")
    def _repair_parked(self, work_order_id: UUID, number: str, unit: str | None, fee: Decimal,
                       verified_at: datetime, at: datetime) -> None:  # fmt: skip
        self.parked[work_order_id] = ParkedRepair(work_order_id, number, unit, fee, verified_at)

    def assign(self, *, work_order_id: UUID, unit: str, at: datetime) -> ParkedRepair:
        """Finance names the unit a parked repair is charged to; once."""
        _require_aware(at)
        if work_order_id in self.assigned:
            raise Conflict(f"the repair was already charged to unit {self.assigned[work_order_id]}")
        repair = self.parked.get(work_order_id)
        if repair is None:
            raise NotFound(f"no unbilled paid repair {work_order_id} at this site")
        self._repair_assigned(work_order_id=work_order_id, unit=_required(unit, "unit"), at=at)
        return repair

    @event("RepairAssigned")
    def _repair_assigned(self, work_order_id: UUID, unit: str, at: datetime) -> None:
        del self.parked[work_order_id]
        self.assigned[work_order_id] = unit

    def waiting(self) -> list[ParkedRepair]:
        """The parked repairs, oldest verification first."""
        return sorted(self.parked.values(), key=lambda repair: repair.verified_at)
