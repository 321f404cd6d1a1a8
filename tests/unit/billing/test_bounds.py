"""What billing accepts is bounded so that the monthly run can bill it and one adjustment
can undo it: the largest accepted rates, areas, readings and services never produce a
charge above `MAX_AMOUNT`, never make the run fail, and every charge can be reversed."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts import billing_api as api
from contracts.fields import MAX_AMOUNT
from services.billing.contract import contract_for
from services.billing.domain import (
    BillingRun,
    FeeSchedule,
    LateFeePolicy,
    UnitAccount,
    UnitProfile,
    monthly_charges,
)
from services.billing.money import Period

NOW = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
PERIOD = Period(2030, 5)
FEES = ("management", "parking", "water", "phone", "other_service")

rates = st.decimals(min_value=0, max_value=api.MAX_RATE, places=4)
areas = st.decimals(min_value=Decimal("0.01"), max_value=api.MAX_AREA_M2, places=2)
readings = st.decimals(min_value=0, max_value=api.MAX_WATER_M3, places=3)
counts = st.integers(min_value=0, max_value=api.MAX_COUNT)
services = st.dictionaries(
    st.sampled_from(["laundry", "catering", "business centre", "fax", "typing"]),
    st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2),
    max_size=5,
)
late_fees = st.one_of(
    st.builds(dict, kind=st.just("percent"),
              value=st.decimals(min_value=0, max_value=api.MAX_LATE_FEE_PERCENT, places=4)),
    st.builds(dict, kind=st.just("fixed"),
              value=st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2)),
)  # fmt: skip

LARGEST = {
    "rates": dict.fromkeys(FEES, str(api.MAX_RATE)),
    "unit": {"unit": "PH", "area_m2": str(api.MAX_AREA_M2), "parking_spaces": api.MAX_COUNT,
             "phone_lines": api.MAX_COUNT,
             "other_services": {f"service {i}": str(MAX_AMOUNT) for i in range(api.MAX_SERVICES)}},
    "water": str(api.MAX_WATER_M3),
    "late_fee": {"kind": "percent", "value": "100"},
}  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries({fee: rates for fee in FEES}),
    st.fixed_dictionaries(
        {"unit": st.just("12A"), "area_m2": areas, "parking_spaces": counts,
         "phone_lines": counts, "other_services": services}
    ),
    readings,
    late_fees,
)  # fmt: skip
@example(LARGEST["rates"], LARGEST["unit"], LARGEST["water"], LARGEST["late_fee"])
def test_the_largest_accepted_inputs_bill_within_the_cap_and_can_be_undone(
    rate_values: dict[str, Any], unit: dict[str, Any], water: Any, late_fee: dict[str, Any]
) -> None:
    # What the gateway accepts (the commands validate) ...
    set_rates = [
        api.SetRate.model_validate(
            {"fee_type": fee, "amount_per_unit": str(rate), "effective_from": str(PERIOD)}
        )
        for fee, rate in rate_values.items()
    ]
    spec = api.UnitSpec.model_validate(unit)
    reading = api.RecordWater.model_validate({"period": str(PERIOD), "readings": {"12A": water}})
    terms = api.LateFeeTerms.model_validate(late_fee)
    # ... the domain takes, and the monthly run bills without failing.
    site = uuid4()
    schedule = FeeSchedule.open(site_id=site, at=NOW)
    for cmd in set_rates:
        schedule.set_rate(fee_type=cmd.fee_type, amount_per_unit=cmd.amount_per_unit,
                          effective_from=Period.parse(cmd.effective_from), at=NOW)  # fmt: skip
    account = UnitAccount.open(site_id=site, unit=spec.unit, at=NOW)
    account.set_profile(profile=UnitProfile(
        area_m2=spec.area_m2, parking_spaces=spec.parking_spaces, phone_lines=spec.phone_lines,
        other_services=spec.other_services), at=NOW)  # fmt: skip
    account.record_water(period=PERIOD, water_m3=reading.readings["12A"], at=NOW)
    profile = account.billing_profile(PERIOD)
    assert profile is not None
    lines = monthly_charges(schedule.rates_for(PERIOD), profile, PERIOD)
    account.post_monthly_charges(lines=lines, period=PERIOD, at=NOW)
    assert all(0 < line.amount <= MAX_AMOUNT for line in lines)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        totals[line.fee_type] += line.amount
    BillingRun.draft(site_id=site, period=PERIOD, receivable=totals, at=NOW)
    # Overdue, the late fee is within the cap too.
    account.issue_statement(period=PERIOD, due_date=date(2030, 5, 15), at=NOW)
    policy = LateFeePolicy(kind=terms.kind, value=terms.value, cap=terms.cap)
    account.assess_late_fee(period=PERIOD, as_of=date(2030, 6, 30), policy=policy,
                            grace_days=5, book_in=PERIOD.next(), at=NOW)  # fmt: skip
    booked = account.lines()
    assert all(line.amount <= MAX_AMOUNT for line in booked)
    # Everything booked leaves the service as a valid published event ...
    for e in account.collect_events():
        contract_for(e)
    # ... and every line can be undone by one adjustment the gateway accepts.
    for n, line in enumerate(booked):
        undo = api.Adjust(adjustment_id=f"UNDO-{n}", amount=-line.amount, reason="undo",
                          period=str(PERIOD.next()), charge_id=line.charge_id)  # fmt: skip
        account.adjust(adjustment_id=undo.adjustment_id, amount=undo.amount, reason=undo.reason,
                       period=Period.parse(undo.period), charge_id=undo.charge_id, at=NOW)  # fmt: skip
    assert account.outstanding() == 0


@pytest.mark.parametrize(
    ("model", "payload", "field"),
    [
        (api.UnitSpec, {"unit": "1", "area_m2": "1", "other_services": {"x": "1E+20"}}, "other_services"),
        (api.UnitSpec, {"unit": "1", "area_m2": "10000.01"}, "area_m2"),
        (api.UnitSpec, {"unit": "1", "area_m2": "1", "parking_spaces": 1001}, "parking_spaces"),
        (api.UnitSpec, {"unit": "1", "area_m2": "1", "other_services": {f"s{i}": "1" for i in range(51)}}, "other_services"),
        (api.RecordWater, {"period": "2030-05", "readings": {"1": "1E+30"}}, "readings"),
        (api.SetRate, {"fee_type": "water", "amount_per_unit": "10000.0001", "effective_from": "2030-05"}, "amount_per_unit"),
        (api.LateFeeTerms, {"kind": "percent", "value": "100.0001"}, "value"),
        (api.LateFeeTerms, {"kind": "fixed", "value": "100000000.01"}, "value"),
        (api.LateFeeTerms, {"kind": "fixed", "value": "10", "cap": "1E+9"}, "cap"),
    ],
)  # fmt: skip
def test_amounts_and_quantities_past_their_bound_are_refused_naming_the_field(
    model: type[api.Command], payload: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        model.model_validate(payload)
    assert err.value.errors()[0]["loc"][0] == field
