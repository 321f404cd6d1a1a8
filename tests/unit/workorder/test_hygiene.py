"""Hygiene (seed 001 客服部卫生检验制度: "班组每七天检验1次,管区半月检验1次,部门每个月检验一次";
内务主管: the vendors' monthly scores): intervals, scores, what an inspection publishes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.errors import Invalid
from services.workorder.contract import contract_for
from services.workorder.hygiene import (
    CleaningArea,
    HygieneInspection,
    Level,
    add_month,
    next_due,
    overall_score,
)

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 2)


def test_the_manuals_intervals() -> None:
    last = date(2026, 1, 31)
    assert next_due(Level.TEAM, last) == date(2026, 2, 7)
    assert next_due(Level.AREA, last) == date(2026, 2, 15)
    assert next_due(Level.DEPARTMENT, last) == date(2026, 2, 28)
    assert add_month(date(2026, 12, 15)) == date(2027, 1, 15)


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=50))
def test_the_overall_score_is_the_items_mean_to_one_place(scores: list[int]) -> None:
    score = overall_score(scores)
    assert min(scores) <= score <= max(scores)
    assert abs(score - Decimal(sum(scores)) / len(scores)) <= Decimal("0.05")


def test_an_inspection_counts_for_the_vendor_cleaning_the_area_then() -> None:
    area = CleaningArea(site_id=uuid4(), name="Lobby", vendor="Bright Clean Co.",
                        registered_on=TODAY, at=NOW)  # fmt: skip
    items = [{"item": "floor", "score": 90}, {"item": "bins", "score": 75}]
    args = {"area": area, "level": Level.TEAM, "today": TODAY, "inspector": "Li", "note": None,
            "at": NOW}  # fmt: skip
    with pytest.raises(Invalid) as ahead:
        HygieneInspection.inspect(inspected_on=date(2026, 11, 3), items=items, **args)
    assert ahead.value.field == "inspected_on"
    with pytest.raises(Invalid) as twice:
        HygieneInspection.inspect(inspected_on=TODAY, items=[*items, {"item": "Bins", "score": 1}],
                                  **args)  # fmt: skip
    assert twice.value.field == "items"
    first = HygieneInspection.inspect(inspected_on=TODAY, items=items, **args)
    area.change_vendor(vendor="Spotless Ltd.", at=NOW)
    second = HygieneInspection.inspect(inspected_on=TODAY, items=items, **args)
    assert (first.vendor, second.vendor) == ("Bright Clean Co.", "Spotless Ltd.")
    assert first.overall_score == Decimal("82.5")
    (published,) = [contract_for(e) for e in first.collect_events()]
    assert type(published).__name__ == "HygieneInspected"
    assert published.overall_score == Decimal("82.5")  # type: ignore[union-attr]
    assert [type(contract_for(e)).__name__ for e in area.collect_events()] == [
        "CleaningAreaRegistered", "CleaningVendorChanged",
    ]  # fmt: skip
