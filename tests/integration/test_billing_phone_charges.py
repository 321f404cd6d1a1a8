"""Phone charges from the verified call-charge list (电话费统计表): how a site switches, the
run without a phone rate, the list posted on verification, late lists joining the next
month not yet signed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from contracts import billing_api as api
from runtime.clock import clock
from runtime.errors import Conflict, Forbidden, Invalid
from services.billing.application import BillingApplication
from services.billing.domain import BillingRunStatus
from services.billing.money import Period
from tests.integration.fixtures import billing_app, sign_off

APRIL, MAY, JUNE, JULY = Period(2041, 4), Period(2041, 5), Period(2041, 6), Period(2041, 7)


def on(month: int, day: int) -> datetime:
    return datetime(2041, month, day, 2, tzinfo=UTC)


def phone_list(*units: tuple[str, list[tuple[str, int, int, str]]]) -> api.EnterPhoneCharges:
    return api.EnterPhoneCharges(units=[
        api.UnitCallCharges(unit=unit, lines=[
            api.LineCharges(number=n, calls=c, minutes=m, amount=a) for n, c, m, a in lines])
        for unit, lines in units
    ])  # fmt: skip


def phone_lines(
    app: BillingApplication, site: UUID, unit: str
) -> list[tuple[Period, str, Decimal]]:
    return [(line.period, line.description, line.amount) for line in app.account(site, unit).lines()
            if line.fee_type == "phone"]  # fmt: skip


@pytest.fixture
def app(infra):  # type: ignore[no-untyped-def]
    with billing_app(infra, f"{infra.namespace}phone_") as billing:
        yield billing
    clock.reset()


def test_a_site_switches_to_lists_from_its_first_list_and_the_run_charges_no_phone_rate(
    app: BillingApplication,
) -> None:
    site = uuid4()
    clock.set(on(5, 2))
    for fee, rate in (("management", "2"), ("phone", "50")):
        app.set_rate(site, api.SetRate(fee_type=fee, amount_per_unit=rate,
                                       effective_from="2041-01"), None)  # fmt: skip
    units = [api.UnitSpec(unit="201", area_m2="100", phone_lines=2),
             api.UnitSpec(unit="202", area_m2="50", phone_lines=1)]  # fmt: skip
    app.register_units(site, api.RegisterUnits(units=units), None)
    app.run_month(site, MAY, None)  # May: rate x lines, as before
    assert phone_lines(app, site, "201") == [(MAY, "phone 2041-05: 2 line(s) x 50.0000",
                                              Decimal("100.00"))]  # fmt: skip
    detail = ("201", [("021-6888 0001", 35, 120, "48.60"), ("021-6888 0002", 2, 5, "0.00")])
    with pytest.raises(Conflict, match="rate x lines"):  # May was charged by the rate
        app.enter_phone_charges(site, MAY, phone_list(detail), "desk-li", None)
    with pytest.raises(Conflict, match="2041-05 or later"):  # before this month
        app.enter_phone_charges(site, APRIL, phone_list(detail), "desk-li", None)
    with pytest.raises(Invalid) as unknown:
        app.enter_phone_charges(site, JUNE, phone_list(detail, ("999", [("021-5555 1111", 1, 1, "1.00")])),
                                "desk-li", None)  # fmt: skip
    assert unknown.value.field == "units.1.unit"
    entered = app.enter_phone_charges(site, JUNE, phone_list(detail), "desk-li", None)
    assert (entered["status"], entered["entered_by"], entered["total"]) == (
        "entered", "desk-li", Decimal("48.60"))  # fmt: skip
    # June is run before its list is verified: no phone rate for anyone.
    june = app.run_month(site, JUNE, None)
    assert "phone" not in june["receivable"]
    assert phone_lines(app, site, "202") == [(MAY, "phone 2041-05: 1 line(s) x 50.0000",
                                              Decimal("50.00"))]  # fmt: skip
    with pytest.raises(Forbidden):
        app.verify_phone_charges(site, JUNE, "desk-li", None)
    verified = app.verify_phone_charges(site, JUNE, "sup-he", None)
    assert (verified["status"], verified["verified_by"]) == ("posted", "sup-he")
    assert verified["units"][0]["posted_in"] == "2041-06"
    assert phone_lines(app, site, "201")[1:] == [
        (JUNE, "phone 2041-06: 021-6888 0001, 35 calls, 120 min", Decimal("48.60"))]  # fmt: skip
    assert app.billing_run(site, JUNE).receivable["phone"] == Decimal("48.60")
    with pytest.raises(Conflict, match="verified"):
        app.enter_phone_charges(site, JUNE, phone_list(detail), "desk-li", None)
    # A rerun of June posts nothing twice and keeps the list's charges in the table.
    assert app.run_month(site, JUNE, None)["receivable"]["phone"] == Decimal("48.60")


def test_a_list_for_a_signed_month_joins_the_next_month_not_yet_signed(
    app: BillingApplication,
) -> None:
    site = uuid4()
    clock.set(on(6, 28))
    app.set_rate(site, api.SetRate(fee_type="management", amount_per_unit="2",
                                   effective_from="2041-01"), None)  # fmt: skip
    app.register_units(site, api.RegisterUnits(units=[api.UnitSpec(unit="301", area_m2="10")]),
                       None)  # fmt: skip
    app.enter_phone_charges(site, JULY, phone_list(("301", [("0571-8888 1234", 9, 31, "12.30")])),
                            "desk-li", None)  # fmt: skip
    app.run_month(site, JULY, None)
    sign_off(app, site, JULY)  # July's table is signed before the list is verified
    app.verify_phone_charges(site, JULY, "sup-he", None)
    august = Period(2041, 8)
    assert phone_lines(app, site, "301") == [
        (august, "phone 2041-07: 0571-8888 1234, 9 calls, 31 min", Decimal("12.30"))]  # fmt: skip
    run = app.billing_run(site, august)
    assert (run.status, run.receivable) == (BillingRunStatus.OPEN, {"phone": Decimal("12.30")})
    assert app.billing_run(site, JULY).receivable == {"management": Decimal("20.00")}
    assert app.phone_charges(site, JULY).posted_in == {"301": "2041-08"}
