"""Money, unit rates and billing periods (no I/O).

Rules cited from DOMAIN.md "Billing": money is Decimal with 2 places and half-even
rounding; the currency is set per group (default CNY); charges belong to a month.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from runtime.errors import Invalid

DEFAULT_CURRENCY = "CNY"
CENT = Decimal("0.01")
RATE_STEP = Decimal("0.0001")
ZERO = Decimal("0.00")

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _decimal(value: Decimal | int | str, field: str) -> Decimal:
    """`value` as a finite Decimal; floats are refused (they cannot hold cents exactly)."""
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"{field} must be a Decimal, int or str, not {type(value).__name__}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise Invalid(f"not a number: {value!r}", field=field) from None
    if not number.is_finite():
        raise Invalid(f"not a finite number: {value!r}", field=field)
    return number


def _quantize(number: Decimal, step: Decimal, field: str) -> Decimal:
    try:
        result = number.quantize(step, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        raise Invalid(f"number out of range: {number}", field=field) from None
    return result if result != 0 else abs(result)  # never "-0.00"


def money(value: Decimal | int | str, *, field: str = "amount") -> Decimal:
    """An amount of money: Decimal, 2 places, rounded half-even (DOMAIN.md "Billing")."""
    return _quantize(_decimal(value, field), CENT, field)


def unit_rate(value: Decimal | int | str, *, field: str = "amount_per_unit") -> Decimal:
    """A price per unit (m2, space, m3, line): 4 places half-even, so water at 4.215/m3 fits.

    Only the amount charged (rate x quantity) is rounded to cents.
    """
    return _quantize(_decimal(value, field), RATE_STEP, field)


def quantity(value: Decimal | int | str, *, field: str, at_most: Decimal | int) -> Decimal:
    """A non-negative measured quantity (area, cubic metres, a count) up to its bound."""
    number = _decimal(value, field)
    if number < 0:
        raise Invalid(f"{field} must not be negative", field=field)
    return within(number, at_most, field)


def within(number: Decimal, bound: Decimal | int, field: str) -> Decimal:
    """`number`, unless it exceeds `bound` (the bounds of `contracts.billing_api`)."""
    if number > bound:
        raise Invalid(f"{field} must be at most {bound}", field=field)
    return number


def currency_code(code: str = DEFAULT_CURRENCY) -> str:
    """An ISO 4217 style currency code (three capital letters); the group default is CNY."""
    if not isinstance(code, str) or not _CURRENCY.match(code):
        raise Invalid(f"not a currency code: {code!r}", field="currency")
    return code


@dataclass(frozen=True, order=True)
class Period:
    """A billing month, written "2026-11"; ordered by time."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise Invalid(f"not a billing period: {self.year}-{self.month}", field="period")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise Invalid(f"a period is written YYYY-MM, not {text!r}", field="period")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        """The period a day falls in."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, monthrange(self.year, self.month)[1])
