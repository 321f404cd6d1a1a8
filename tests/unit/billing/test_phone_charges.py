"""Phone charges from the verified call-charge list (电话费统计表), not rate x lines."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from runtime.errors import Conflict, Forbidden
from services.billing.domain import FeeType
from services.billing.money import Period
from services.billing.phone_charges import (
    CallCharge,
    PhoneBilling,
    PhoneChargeList,
    without_phone_rate,
)

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
NOV, DEC = Period(2026, 11), Period(2026, 12)
RATES = {FeeType.MANAGEMENT: Decimal("30"), FeeType.PHONE: Decimal("50")}


def test_a_site_bills_phone_by_rate_until_its_first_lists_month() -> None:
    billing = PhoneBilling(site_id=uuid4(), lists_from=str(DEC), at=NOW)
    assert without_phone_rate(RATES, None, DEC) == RATES
    assert without_phone_rate(RATES, billing, NOV) == RATES
    assert without_phone_rate(RATES, billing, DEC) == {FeeType.MANAGEMENT: Decimal("30")}
    with pytest.raises(Conflict, match="rate x lines"):
        billing.require_by_lists(NOV)


def test_a_list_is_replaced_until_verified_by_another_person_then_fixed() -> None:
    charges = PhoneChargeList(site_id=uuid4(), period=str(DEC), at=NOW)
    charges.enter(units={"12A": [CallCharge("021-6888 0001", 3, 10, Decimal("9"))]},
                  by="desk", at=NOW)  # fmt: skip
    charges.enter(units={"12A": [CallCharge("021-6888 0001", 35, 120, Decimal("48.6")),
                                 CallCharge("021-6888 0002", 0, 0, Decimal("0"))]},
                  by="desk", at=NOW)  # fmt: skip
    assert charges.status == "entered"
    with pytest.raises(Forbidden):
        charges.verify(by="desk", at=NOW)
    charges.verify(by="supervisor", at=NOW)
    assert (charges.status, charges.verified_by) == ("verified", "supervisor")
    with pytest.raises(Conflict):
        charges.verify(by="other", at=NOW)
    with pytest.raises(Conflict, match="adjustments"):
        charges.enter(units={}, by="desk", at=NOW)
    # One charge per line number that cost anything, its detail in the description.
    (line,) = charges.charge_lines("12A")
    assert (line.fee_type, line.amount, line.ref) == (FeeType.PHONE, Decimal("48.60"),
                                                      "021-6888 0001")  # fmt: skip
    assert line.description == "phone 2026-12: 021-6888 0001, 35 calls, 120 min"
    assert charges.charge_lines("15C") == []
    charges.mark_posted(posted_in={"12A": "2026-12"}, at=NOW)
    assert charges.status == "posted"
