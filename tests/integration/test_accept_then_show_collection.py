"""Whatever collection follow-up and the call-charge lists accept, the read side shows
(issue 11 items 5 and 6a).

Valid commands drawn from `contracts.billing_api` (a collection policy, a month billed
and issued, an overdue sweep days later, calls with any outcome, note and promised date,
final letters, a sweep again; a call-charge list for next month, entered and verified)
go through the service, the published contract and the billing projection. Then each
unit's log and chase read from the read model equal what the write side answered, the
units to chase are those whose chase says so, and the list's lines are the units' phone
charges, one posting per line number, in the receivable table.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import billing_api as api
from runtime.clock import clock
from runtime.sites import site_timezone
from services.billing.api import build_api
from services.billing.application import BillingApplication, BillingSettings
from services.billing.contract import contract_for
from services.billing.projections import BillingQueries, BillingReadModel
from tests.command_strategies import clock_moments, command, zones
from tests.integration.pipeline import PROPERTY, Pipeline, business_day, unless_refused

SIGNERS = ("cs_manager", "general_manager", "finance_manager")


@pytest.fixture(scope="module")
async def billing(infra) -> AsyncIterator[Pipeline]:  # type: ignore[no-untyped-def]
    app = BillingApplication(BillingSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
        concierge_namespace=f"{infra.namespace}accept_chase_",
    ))  # fmt: skip
    async with Pipeline.open(app, contract_for, [BillingReadModel()], infra.database_url) as pipe:
        pipe.service = build_api(app, BillingQueries(pipe.pool))
        yield pipe


def drawn(data: st.DataObject) -> dict[str, Any]:
    units = data.draw(command(api.RegisterUnits), label="units")
    names = list(dict.fromkeys(spec.unit for spec in units.units))
    on_unit = st.sampled_from(names)
    now_or_drawn = st.booleans()
    calls = st.lists(st.tuples(on_unit, command(api.RecordPhoneReminder), now_or_drawn),
                     max_size=4)  # fmt: skip
    letters = st.lists(st.tuples(on_unit, command(api.SendFinalLetter), now_or_drawn),
                       max_size=2)  # fmt: skip
    listed = data.draw(command(api.EnterPhoneCharges), label="phone list")
    on_units = [entry.model_copy(update={"unit": unit})
                for entry, unit in zip(listed.units, names, strict=False)]  # fmt: skip
    return {
        "policy": data.draw(command(api.SetCollectionPolicy), label="policy"),
        "rate": data.draw(command(api.SetRate), label="rate"),
        "units": units,
        "due": data.draw(command(api.IssueStatements), label="due"),
        "days later": data.draw(st.integers(0, 60), label="days later"),
        "calls": data.draw(calls, label="calls"),
        "letters": data.draw(letters, label="letters"),
        "days after": data.draw(st.integers(0, 40), label="days after"),
        # The drawn list, given to the site's units.
        "phone list": listed.model_copy(update={"units": on_units}),
    }


async def chase(pipe: Pipeline, site: UUID, steps: dict[str, Any]) -> str:
    """The month billed, issued, swept, chased; next month's list entered and verified."""
    await unless_refused(pipe.call(api.SET_COLLECTION_POLICY, site, steps["policy"],
                                   actor="finance"))  # fmt: skip
    await pipe.call(api.SET_RATE, site, steps["rate"])
    await pipe.call(api.REGISTER_UNITS, site, steps["units"])
    period = f"{clock.today(site_timezone(site)):%Y-%m}"
    upcoming = f"{clock.today(site_timezone(site)).replace(day=28) + timedelta(days=4):%Y-%m}"
    await pipe.call(api.RUN_MONTH, site, period=period)
    for role in SIGNERS:
        await pipe.call(api.APPROVE, site, role=role, actor=role, period=period)
    await unless_refused(pipe.call(api.ISSUE, site, steps["due"], period=period))
    await unless_refused(pipe.call(api.ENTER_PHONE_CHARGES, site, steps["phone list"],
                                   actor="desk", period=upcoming))  # fmt: skip
    await unless_refused(pipe.call(api.VERIFY_PHONE_CHARGES, site, actor="supervisor",
                                   period=upcoming))  # fmt: skip
    clock.advance(timedelta(days=steps["days later"]))
    await pipe.call(api.SWEEP_OVERDUE, site, api.SweepOverdue(), actor="accountant")
    for unit, cmd, now in steps["calls"]:
        cmd = cmd.model_copy(update={"called_at": None}) if now else cmd
        await unless_refused(pipe.call(api.RECORD_PHONE_REMINDER, site, cmd, unit=unit))
    for unit, cmd, now in steps["letters"]:
        cmd = cmd.model_copy(update={"sent_at": None}) if now else cmd
        await unless_refused(pipe.call(api.SEND_FINAL_LETTER, site, cmd, unit=unit))
    clock.advance(timedelta(days=steps["days after"]))
    await pipe.call(api.SWEEP_OVERDUE, site, api.SweepOverdue(), actor="accountant")
    return upcoming


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_step_and_phone_charge_is_shown(
    billing: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = billing, uuid4()
    with business_day(site, zone, now):
        steps = drawn(data)
        start = pipe.mark()
        upcoming = await chase(pipe, site, steps)
        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 50), label="batch")
        )
        app: Any = pipe.app
        units = list(dict.fromkeys(spec.unit for spec in steps["units"].units))
        logs = {unit: await pipe.call(api.COLLECTION_LOG, site, unit=unit) for unit in units}
        for unit in units:
            written = api.CollectionLogView.model_validate(app.unit_collection(site, unit))
            assert logs[unit] == written.model_dump(mode="json"), unit
        listed = await pipe.call(api.COLLECTION_TODAY, site)
        chased = {u for u, log in logs.items() if log["overdue_since"] and log["promise"] !=
                  "pending" and (log["next_level"] or log["promise"] == "broken")}  # fmt: skip
        assert {row["unit"] for row in listed["units"]} == chased
        amounts = [(-Decimal(r["amount_overdue"]), -r["days_overdue"]) for r in listed["units"]]
        assert amounts == sorted(amounts)

        found = await unless_refused(pipe.call(api.GET_PHONE_CHARGES, site, period=upcoming))
        if found:
            entered = {e.unit: [(x.number, x.calls, x.minutes, x.amount) for x in e.lines]
                       for e in steps["phone list"].units}  # fmt: skip
            shown = {u["unit"]: [(x["number"], x["calls"], x["minutes"], Decimal(x["amount"]))
                                 for x in u["lines"]] for u in found["units"]}  # fmt: skip
            assert shown == entered
            for entry in found["units"]:
                account = await pipe.call(api.GET_ACCOUNT, site, unit=entry["unit"])
                phone = [(line["description"], Decimal(line["amount"])) for line in
                         account["lines"] if line["fee_type"] == "phone" and
                         f"phone {upcoming}:" in line["description"]]  # fmt: skip
                assert phone == [
                    (f"phone {upcoming}: {line['number']}, {line['calls']} calls, "
                     f"{line['minutes']} min", Decimal(line["amount"]))
                    for line in entry["lines"] if Decimal(line["amount"]) > 0
                ], entry["unit"]  # fmt: skip
            table = await pipe.call(api.RECEIVABLE, site, period=upcoming)
            assert Decimal(table["totals"].get("phone", "0")) == Decimal(found["total"])
