from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from runtime.errors import Invalid
from services.billing.domain import ChargeLine, FeeSchedule, FeeType, UnitProfile, monthly_charges
from services.billing.money import Period

NOW = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
SITE = uuid4()
OCT, NOV, DEC = Period(2026, 10), Period(2026, 11), Period(2026, 12)


def schedule() -> FeeSchedule:
    fees = FeeSchedule.open(site_id=SITE, at=NOW)
    fees.set_rate(fee_type="management", amount_per_unit="3.5", effective_from=OCT, at=NOW)
    fees.set_rate(fee_type=FeeType.PARKING, amount_per_unit=300, effective_from=OCT, at=NOW)
    fees.set_rate(fee_type="water", amount_per_unit="4.215", effective_from=OCT, at=NOW)
    fees.set_rate(fee_type="phone", amount_per_unit="25", effective_from=OCT, at=NOW)
    return fees


def test_one_schedule_per_site_in_cny_by_default() -> None:
    fees = FeeSchedule.open(site_id=SITE, at=NOW)
    assert fees.id == FeeSchedule.create_id(SITE)
    assert fees.currency == "CNY"
    assert FeeSchedule.open(site_id=SITE, at=NOW, currency="HKD").currency == "HKD"


def test_a_rate_change_applies_from_its_month_on() -> None:
    fees = schedule()
    fees.set_rate(fee_type="management", amount_per_unit="4", effective_from=DEC, at=NOW)
    assert fees.rate_for("management", Period(2026, 9)) is None
    assert fees.rate_for("management", OCT) == Decimal("3.5")
    assert fees.rate_for("management", NOV) == Decimal("3.5")
    assert fees.rate_for(FeeType.MANAGEMENT, DEC) == Decimal("4")
    assert fees.rate_for("management", Period(2027, 6)) == Decimal("4")
    assert fees.rates_for(DEC)[FeeType.MANAGEMENT] == Decimal("4")
    assert FeeType.OTHER_SERVICE not in fees.rates_for(DEC)


def test_setting_the_same_rate_again_records_nothing() -> None:
    fees = FeeSchedule.open(site_id=SITE, at=NOW)
    assert fees.set_rate(fee_type="parking", amount_per_unit="300", effective_from=OCT, at=NOW)
    assert not fees.set_rate(
        fee_type="parking", amount_per_unit="300.00", effective_from=OCT, at=NOW
    )
    names = [type(e).__name__ for e in fees.collect_events()]
    assert names == ["Opened", "RateSet"]


@pytest.mark.parametrize(
    ("fee_type", "amount", "field"),
    [
        ("management", "-0.01", "amount_per_unit"),
        ("late_fee", "1", "fee_type"),  # priced by the late-fee policy
        ("paid_repair", "1", "fee_type"),  # priced by the work order
        ("gardening", "1", "fee_type"),
    ],
)
def test_bad_rates_are_refused(fee_type: str, amount: str, field: str) -> None:
    with pytest.raises(Invalid) as err:
        schedule().set_rate(fee_type=fee_type, amount_per_unit=amount, effective_from=OCT, at=NOW)
    assert err.value.field == field


def test_times_must_be_timezone_aware() -> None:
    with pytest.raises(Invalid) as err:
        FeeSchedule.open(site_id=SITE, at=datetime(2026, 10, 1))
    assert err.value.field == "at"


def test_monthly_charges_from_rates_and_unit_profile() -> None:
    unit = UnitProfile(
        area_m2=Decimal("120.55"),
        parking_spaces=2,
        water_m3=Decimal("13.3"),
        phone_lines=1,
        other_services={"laundry": Decimal("45.5"), "catering": Decimal("0")},
    )
    lines = monthly_charges(schedule().rates_for(NOV), unit, NOV)
    amounts = {(line.fee_type, line.ref): line.amount for line in lines}
    assert amounts == {
        (FeeType.MANAGEMENT, ""): Decimal("421.92"),  # 421.925 -> even cent
        (FeeType.PARKING, ""): Decimal("600.00"),
        (FeeType.WATER, ""): Decimal("56.06"),  # 56.0595
        (FeeType.PHONE, ""): Decimal("25.00"),
        (FeeType.OTHER_SERVICE, "laundry"): Decimal("45.50"),
    }
    assert all(line.amount.as_tuple().exponent == -2 for line in lines)
    assert "2026-11" in lines[0].description
    fee_type, amount, _description, _ref = lines[0]
    assert (fee_type, amount) == (FeeType.MANAGEMENT, Decimal("421.92"))


def test_fees_without_a_rate_or_a_quantity_are_left_out() -> None:
    fees = FeeSchedule.open(site_id=SITE, at=NOW)
    fees.set_rate(fee_type="management", amount_per_unit="3", effective_from=OCT, at=NOW)
    fees.set_rate(fee_type="parking", amount_per_unit="300", effective_from=OCT, at=NOW)
    fees.set_rate(fee_type="other_service", amount_per_unit="20", effective_from=OCT, at=NOW)
    lines = monthly_charges(fees.rates_for(OCT), UnitProfile(area_m2=Decimal(50)), OCT)
    assert lines == [
        ChargeLine(FeeType.MANAGEMENT, Decimal("150.00"), "management 2026-10: 50 m2 x 3.0000"),
        ChargeLine(
            FeeType.OTHER_SERVICE, Decimal("20.00"), "other_service 2026-10: 1 month x 20.0000"
        ),
    ]
    assert (
        monthly_charges(fees.rates_for(Period(2026, 9)), UnitProfile(area_m2=Decimal(50)), OCT)
        == []
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"area_m2": Decimal(-1)}, "area_m2"),
        ({"area_m2": Decimal(1), "parking_spaces": -1}, "parking_spaces"),
        ({"area_m2": Decimal(1), "water_m3": Decimal(-2)}, "water_m3"),
        ({"area_m2": Decimal(1), "phone_lines": -1}, "phone_lines"),
        ({"area_m2": Decimal(1), "other_services": {"laundry": Decimal(-5)}}, "other_services"),
        ({"area_m2": Decimal(1), "other_services": {" ": Decimal(5)}}, "other_services"),
    ],
)
def test_unit_profile_refuses_negative_quantities(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(Invalid) as err:
        UnitProfile(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_unit_profile_refuses_float_area() -> None:
    with pytest.raises(TypeError):
        UnitProfile(area_m2=120.5)  # type: ignore[arg-type]
