from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from runtime.errors import Invalid
from services.billing.domain import (
    AGEING_BUCKETS,
    LateFeePolicy,
    OpenItem,
    ageing,
    ageing_bucket,
    is_overdue,
)
from services.billing.money import Period

DUE = date(2026, 10, 31)
D = Decimal


def test_overdue_after_due_date_plus_grace_days() -> None:
    assert not is_overdue(DUE, 0, DUE)
    assert is_overdue(DUE, 0, DUE + timedelta(days=1))
    assert not is_overdue(DUE, 5, DUE + timedelta(days=5))
    assert is_overdue(DUE, 5, DUE + timedelta(days=6))
    with pytest.raises(Invalid):
        is_overdue(DUE, -1, DUE)


@pytest.mark.parametrize(
    ("policy", "overdue", "fee"),
    [
        (LateFeePolicy(kind="percent", value=D(5)), D("123.45"), D("6.17")),  # 6.1725
        (LateFeePolicy(kind="percent", value=D("0.5"), cap=D(10)), D("5000"), D("10.00")),
        (LateFeePolicy(kind="fixed", value=D(30), cap=D(20)), D("1"), D("20.00")),
        (LateFeePolicy(kind="fixed", value=D(30)), D("1"), D("30.00")),
        (LateFeePolicy(kind="fixed", value=D(30)), D("0"), D("0.00")),
    ],
)
def test_late_fee_policy(policy: LateFeePolicy, overdue: Decimal, fee: Decimal) -> None:
    assert policy.fee_for(overdue) == fee


@pytest.mark.parametrize(
    ("kind", "value", "cap", "field"),
    [("daily", D(1), None, "kind"), ("percent", D(-1), None, "value"),
     ("fixed", D(5), D(-1), "cap")],
)  # fmt: skip
def test_bad_late_fee_policies(kind: str, value: Decimal, cap: Decimal | None, field: str) -> None:
    with pytest.raises(Invalid) as err:
        LateFeePolicy(kind=kind, value=value, cap=cap)  # type: ignore[arg-type]
    assert err.value.field == field


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [(-1, "current"), (0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
     (90, "61-90"), (91, "90+"), (400, "90+")],
)  # fmt: skip
def test_ageing_buckets_by_days_past_due(days_past_due: int, bucket: str) -> None:
    assert ageing_bucket(DUE, DUE + timedelta(days=days_past_due)) == bucket
    assert ageing_bucket(None, DUE) == "current"


def test_ageing_sums_open_items_in_every_bucket() -> None:
    items = [
        OpenItem("a", Period(2026, 10), "water", DUE, D("10.00")),
        OpenItem("b", Period(2026, 10), "phone", DUE, D("5.50")),
        OpenItem("c", Period(2026, 12), "management", None, D("1.00")),
    ]
    row = ageing(items, DUE + timedelta(days=45))
    assert list(row) == list(AGEING_BUCKETS)
    assert row == {"current": D(1), "0-30": D(0), "31-60": D("15.50"), "61-90": D(0), "90+": D(0)}
    assert ageing([], DUE) == dict.fromkeys(AGEING_BUCKETS, D("0.00"))
