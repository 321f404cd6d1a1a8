from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.errors import Invalid
from services.billing.money import (
    CENT,
    DEFAULT_CURRENCY,
    Period,
    currency_code,
    money,
    quantity,
    unit_rate,
)


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("0.125", "0.12"),  # tie: rounds to the even cent
        ("0.135", "0.14"),
        ("-0.125", "-0.12"),
        ("2.675", "2.68"),
        (Decimal("10"), "10.00"),
        (7, "7.00"),
        (" 3.1 ", "3.10"),
        ("1e2", "100.00"),
        ("-0.001", "0.00"),  # never "-0.00"
    ],
)
def test_money_is_two_places_half_even(given_value: Decimal | int | str, expected: str) -> None:
    assert str(money(given_value)) == expected


def test_money_refuses_floats_and_bools() -> None:
    with pytest.raises(TypeError):
        money(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        money(True)


@pytest.mark.parametrize("bad", ["", "ten", "NaN", "Infinity", "1e40"])
def test_money_refuses_what_is_not_an_amount(bad: str) -> None:
    with pytest.raises(Invalid) as err:
        money(bad, field="price")
    assert err.value.field == "price"


def test_unit_rate_keeps_four_places_and_quantity_is_bounded_both_ways() -> None:
    assert unit_rate("4.21555") == Decimal("4.2156")
    assert unit_rate("4.21565") == Decimal("4.2156")
    assert quantity("120.5", field="area_m2", at_most=1000) == Decimal("120.5")
    assert quantity("1000", field="area_m2", at_most=1000) == Decimal("1000")
    for bad in (-1, "1000.01", "1E+30"):
        with pytest.raises(Invalid) as err:
            quantity(bad, field="area_m2", at_most=1000)
        assert err.value.field == "area_m2"


def test_currency_defaults_to_cny_and_must_be_a_code() -> None:
    assert currency_code() == DEFAULT_CURRENCY == "CNY"
    assert currency_code("HKD") == "HKD"
    with pytest.raises(Invalid) as err:
        currency_code("rmb")
    assert err.value.field == "currency"


def test_period_parse_str_and_calendar() -> None:
    period = Period.parse("2026-11")
    assert period == Period(2026, 11)
    assert str(period) == "2026-11"
    assert period.next() == Period(2026, 12)
    assert Period(2026, 12).next() == Period(2027, 1)
    assert Period(2027, 1).previous() == Period(2026, 12)
    assert period.first_day == date(2026, 11, 1)
    assert period.last_day == date(2026, 11, 30)
    assert Period(2028, 2).last_day == date(2028, 2, 29)
    assert Period.of(date(2026, 11, 17)) == period
    assert Period(2025, 12) < Period(2026, 1) < Period(2026, 2)
    assert max([Period(2026, 3), Period(2025, 12)]) == Period(2026, 3)


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", ""])
def test_period_refuses_bad_text(bad: str) -> None:
    with pytest.raises(Invalid) as err:
        Period.parse(bad)
    assert err.value.field == "period"


# (e) property: money is 2 places, half-even, never more than half a cent away.
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12))
def test_money_rounding_property(value: Decimal) -> None:
    amount = money(value)
    assert amount.as_tuple().exponent == -2
    assert amount == value.quantize(CENT, rounding=ROUND_HALF_EVEN)
    assert abs(amount - value) <= Decimal("0.005")
    assert money(str(value)) == amount


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_money_ties_go_to_the_even_cent(cents: int) -> None:
    tie = Decimal(cents) / 100 + Decimal("0.005")
    rounded_cents = int(money(tie) * 100)
    assert rounded_cents % 2 == 0
    assert rounded_cents in (cents, cents + 1)
