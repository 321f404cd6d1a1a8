"""Collection follow-up (催缴) on the real store and read model: the sweep's notice at the
policy's days, calls and promises, the final letter, escalation, the units to chase."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from contracts import billing_api as api
from runtime.clock import clock
from runtime.errors import Conflict, Invalid, NotFound
from services.billing.application import BillingApplication
from services.billing.money import Period
from tests.integration.fixtures import billing_app, billing_tables, sign_off

MARCH = Period(2040, 3)
LEVELS = {"notice": 8, "phone_reminder": 9, "final_letter": 15, "escalation": 20}


def on(day: int, hour: int = 2) -> datetime:
    return datetime(2040, 3, day, hour, tzinfo=UTC)  # 10:00 in Shanghai


def call(app: BillingApplication, site: UUID, unit: str, outcome: str,
         promised: date | None = None, at: datetime | None = None) -> dict:  # fmt: skip
    cmd = api.RecordPhoneReminder(outcome=outcome, promised_on=promised, called_at=at)
    return app.record_phone_reminder(site, unit, cmd, "cs-rep-li", None)


def chased_site(app: BillingApplication) -> UUID:
    """Four units billed for March 2040, due 10 March, 5 grace days; 104 pays on time."""
    site = uuid4()
    clock.set(on(1))
    app.configure(site, api.ConfigureBilling(grace_days=5), None)
    app.set_collection_policy(site, api.SetCollectionPolicy(**LEVELS), "fm-zhao", None)
    rate = api.SetRate(fee_type="management", amount_per_unit="2", effective_from="2040-01")
    app.set_rate(site, rate, None)
    units = [api.UnitSpec(unit=u, area_m2=a) for u, a in
             (("101", "100"), ("102", "50"), ("103", "150"), ("104", "10"))]  # fmt: skip
    app.register_units(site, api.RegisterUnits(units=units), None)
    app.run_month(site, MARCH, None)
    sign_off(app, site, MARCH)
    app.issue(site, MARCH, date(2040, 3, 10), None)
    clock.set(on(9))
    app.receive_payment(site, "104", api.ReceivePayment(
        reference="BT-104", amount="20.00", method="cash"), None)  # fmt: skip
    return site


async def test_a_chase_through_the_levels_as_the_write_side_and_read_model_show_it(infra) -> None:  # type: ignore[no-untyped-def]
    with billing_app(infra, f"{infra.namespace}chase_") as app:
        try:
            site = chased_site(app)
            clock.set(on(16))  # 6 days past due: overdue, the notice is due on day 8
            assert app.sweep_overdue(site, None, None, "acct-wu") == {"overdue": 3}
            clock.set(on(18))
            assert app.sweep_overdue(site, None, None) == {"dunning_notices": 3}
            clock.set(on(20))
            with pytest.raises(Invalid) as early:  # before the chase began (due 10 March)
                call(app, site, "101", "refused", at=on(5))
            assert early.value.field == "called_at"
            with pytest.raises(Invalid):
                call(app, site, "101", "refused", at=on(21))  # not after now
            with pytest.raises(Conflict, match="nothing overdue"):
                call(app, site, "104", "refused")
            with pytest.raises(NotFound):
                call(app, site, "999", "refused")
            view = call(app, site, "101", "promised", date(2040, 3, 28))
            assert (view["promise"], view["levels_done"]) == ("pending", ["notice",
                                                                          "phone_reminder"])  # fmt: skip
            call(app, site, "102", "promised", date(2040, 3, 22))
            call(app, site, "103", "unreachable", at=on(20, 1))
            clock.set(on(25))
            letter = app.send_final_letter(site, "103", api.SendFinalLetter(note="by courier"),
                                           "cs-sup-he", None)  # fmt: skip
            assert letter["entries"][-1]["by"] == "cs-sup-he"
            with pytest.raises(Conflict):
                app.send_final_letter(site, "103", api.SendFinalLetter(), "cs-sup-he", None)
            clock.set(on(26))
            app.receive_payment(site, "101", api.ReceivePayment(
                reference="BT-101", amount="200.00", method="cash"), None)  # fmt: skip
            clock.set(on(30))  # 20 days past due: 102 and 103 go to the CS manager
            assert app.sweep_overdue(site, None, None, "acct-wu") == {"escalations": 2}
            assert app.sweep_overdue(site, None, None, "acct-wu") == {}
            written = app.unit_collection(site, "103")
        finally:
            clock.reset()
        runner, queries = await billing_tables(app, infra)
        try:
            assert runner.dlq_sent == 0

            async def today(day: int) -> list[tuple[str, str | None, str | None]]:
                found = await queries.collection_today(site, LEVELS, 5, date(2040, 3, day))
                return [(c["unit"], c["next_level"], c["promise"]) for c in found["units"]]

            # 17 March: overdue, the notice not yet due (day 8): nobody to chase yet.
            assert await today(17) == []
            assert await today(18) == []  # the sweep sent the notices that morning
            # 19 March: the calls are due (day 9), the largest amount first.
            assert await today(19) == [("103", "phone_reminder", None),
                                       ("101", "phone_reminder", None),
                                       ("102", "phone_reminder", None)]  # fmt: skip
            # 23 March: 101's promise is to come; 102's (22 March) is broken.
            assert await today(23) == [("102", None, "broken")]
            # 25 March: the final letter is due (day 15): largest amount first.
            assert await today(25) == [("102", "final_letter", "broken")]  # 103's letter sent
            assert await today(31) == [("102", "final_letter", "broken")]
            kept = await queries.unit_collection(site, "101", LEVELS, 5, date(2040, 3, 31))
            assert (kept["promise"], kept["amount_overdue"]) == ("kept", Decimal("0.00"))
            assert [e["action"] for e in kept["entries"]] == ["notice", "phone_reminder"]
            read = await queries.unit_collection(site, "103", LEVELS, 5, date(2040, 3, 30))
            assert read == written
            assert read["escalated"] and read["next_level"] is None
            assert [(e["action"], e["by"]) for e in read["entries"]] == [
                ("notice", None), ("phone_reminder", "cs-rep-li"),
                ("final_letter", "cs-sup-he"), ("escalation", "acct-wu"),
            ]  # fmt: skip
        finally:
            await runner.close()
