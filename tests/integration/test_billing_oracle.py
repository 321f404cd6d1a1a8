"""Oracle: a generated year of billing for two sites; the arrears table at every month
end equals an independent computation from the raw events on Kafka."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from contracts import billing_api as api
from contracts.envelope import Envelope
from contracts.topics import BILLING
from runtime.clock import clock
from services.billing.application import BillingApplication
from services.billing.money import Period
from tests.infra import read_topic
from tests.integration.fixtures import billing_app, billing_tables, sign_off

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = 2035
UNITS = 8


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def generate_year(app: BillingApplication, sites: list, rng: random.Random) -> None:
    for n, site in enumerate(sites):
        clock.set(at(date(YEAR, 1, 1), 8))
        late_fee = {"kind": "percent", "value": "2", "cap": "30"} if n == 0 else None
        app.configure(
            site, api.ConfigureBilling(days_to_pay=14, grace_days=3, late_fee=late_fee), None
        )
        for fee_type, rate in (("management", "3.30"), ("parking", "280"), ("water", "4.10")):
            app.set_rate(
                site,
                api.SetRate(fee_type=fee_type, amount_per_unit=rate, effective_from=f"{YEAR}-01"),
                None,
            )
        app.set_rate(
            site,
            api.SetRate(fee_type="management", amount_per_unit="3.60", effective_from=f"{YEAR}-07"),
            None,
        )
        units = [
            api.UnitSpec(
                unit=f"{n}{i:02d}",
                area_m2=str(rng.randint(40, 300)),
                parking_spaces=rng.randint(0, 2),
            )
            for i in range(UNITS)
        ]
        app.register_units(site, api.RegisterUnits(units=units), None)
    for month in range(1, 13):
        period = Period(YEAR, month)
        first = date(YEAR, month, 1)
        for site in sites:
            clock.set(at(first, 8))
            readings = {
                f"{sites.index(site)}{i:02d}": Decimal(rng.randint(0, 30)) for i in range(UNITS)
            }
            app.record_water(site, api.RecordWater(period=str(period), readings=readings), None)
            app.run_month(site, period, None)
            sign_off(app, site, period)
            app.issue(site, period, None, None)
        for day in sorted(rng.sample(range(2, 28), 6)):
            clock.set(at(first + timedelta(days=day - 1), rng.randint(9, 17)))
            for site in sites:
                # Unit 7 never pays and unit 6 rarely does: debts age past 90 days.
                payers = [i for i in range(UNITS) if i != 7 and (i != 6 or rng.random() < 0.2)]
                for i in rng.sample(payers, 3):
                    unit = f"{sites.index(site)}{i:02d}"
                    owed = app.account(site, unit).outstanding()
                    amount = rng.choice([owed, owed / 2, owed + 50, Decimal(rng.randint(1, 900))])
                    amount = max(Decimal("1.00"), amount.quantize(Decimal("0.01")))
                    ref = f"P{month}-{day}-{unit}"
                    app.receive_payment(
                        site,
                        unit,
                        api.ReceivePayment(reference=ref, amount=amount, method="wechat_pay"),
                        None,
                    )
                    if rng.random() < 0.1:
                        app.reverse_payment(
                            site, unit, ref, api.ReversePayment(reason="bounced"), None
                        )
                    if rng.random() < 0.05:
                        app.adjust(
                            site,
                            unit,
                            api.Adjust(
                                adjustment_id=f"A{month}-{unit}",
                                amount=Decimal(rng.choice([-40, 25])),
                                reason="meter",
                                period=str(period),
                            ),
                            None,
                        )
        clock.set(at(date(YEAR, month, 26)))
        for site in sites:
            app.sweep_overdue(site, None, None)
        clock.set(at(period.last_day, 20))
        for site in sites:
            app.close_period(site, period, None)


def oracle(events: list[Envelope], site, as_of: date) -> dict[str, dict[str, Decimal]]:
    """Arrears per unit as of the end of `as_of`, from the raw events only."""
    cutoff = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    lines: dict[str, dict[str, Any]] = {}
    credit: dict[str, Decimal] = defaultdict(Decimal)
    for env in sorted(
        (e for e in events if e.site == site),
        key=lambda e: (e.time, e.subject, e.aggregate_version),
    ):
        e: Any = env.data
        if e.occurred_at >= cutoff:
            continue
        kind = type(e).__name__
        if kind == "ChargePosted" or kind == "LateFeeAssessed":
            lines[e.charge_id] = {"unit": e.unit, "open": e.amount, "due": e.due_date}
        elif kind == "ChargeAdjusted" and e.amount > 0:
            lines[e.adjustment_id] = {"unit": e.unit, "open": e.amount, "due": e.due_date}
        elif kind == "ChargeAdjusted":
            credit[e.unit] += -e.amount
        elif kind == "StatementIssued":
            for charge_id in e.charge_ids:
                lines[charge_id]["due"] = e.due_date
        elif kind == "PaymentReceived":
            credit[e.unit] += e.amount
        elif kind == "PaymentAllocated":
            lines[e.charge_id]["open"] -= e.amount
            credit[e.unit] -= e.amount
        elif kind == "PaymentReversed":
            for item in e.released:
                lines[item.charge_id]["open"] += item.amount
            # the payment's amount leaves the credit pool; what it had placed came back
            credit[e.unit] -= e.amount - sum((i.amount for i in e.released), Decimal(0))
    table: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines.values():
        if line["open"] <= 0:
            continue
        due = line["due"]
        if due is None or as_of < due:
            bucket = "current"
        else:
            days = (as_of - due).days
            bucket = (
                "0-30"
                if days <= 30
                else "31-60"
                if days <= 60
                else "61-90"
                if days <= 90
                else "90+"
            )
        table[line["unit"]][bucket] += line["open"]
    for unit, amount in credit.items():
        if amount > 0:
            table[unit]["credit"] += amount
    return {unit: {k: v for k, v in buckets.items() if v} for unit, buckets in table.items()}


async def test_arrears_at_every_month_end_equal_an_oracle_from_raw_events(infra) -> None:  # type: ignore[no-untyped-def]
    with billing_app(infra, f"{infra.namespace}oracle_") as app:
        await check_a_year(app, infra)


async def check_a_year(app: BillingApplication, infra) -> None:  # type: ignore[no-untyped-def]
    sites = [uuid4(), uuid4()]
    try:
        generate_year(app, sites, random.Random(2035))
    finally:
        clock.reset()
    topic = f"{app.settings.concierge_namespace}{BILLING}"
    runner, queries = await billing_tables(app, infra)
    events = [Envelope.parse(m.headers, m.value) for m in await read_topic(infra.kafka, topic)]
    checked = 0
    january_due = date(YEAR, 1, 15)
    boundaries = [january_due + timedelta(days=d) for d in (0, 30, 31, 60, 61, 90, 91)]
    for site in sites:
        for as_of in [*(Period(YEAR, m).last_day for m in range(1, 13)), *boundaries]:
            table = await queries.arrears(site, as_of)
            actual = {
                row["unit"]: {
                    k: v for k, v in row.items() if k not in ("unit", "outstanding") and v
                }
                for row in table["units"]
            }
            actual = {unit: buckets for unit, buckets in actual.items() if buckets}
            assert actual == oracle(events, site, as_of), f"site {site} as of {as_of}"
            checked += 1
        # The write side agrees with the read side at the end of the year.
        final = await queries.arrears(site, date(YEAR, 12, 31))
        for row in final["units"]:
            assert app.account(site, row["unit"]).outstanding() == row["outstanding"]
    await runner.close()
    assert checked == 2 * (12 + len(boundaries))
    buckets_seen = {k for row in final["units"] for k, v in row.items() if k != "unit" and v}
    assert {"90+", "credit"} <= buckets_seen, buckets_seen  # the year ages debts and holds credit
    assert any(type(e.data).__name__ == "LateFeeAssessed" for e in events)
    assert any(type(e.data).__name__ == "PaymentReversed" for e in events)
