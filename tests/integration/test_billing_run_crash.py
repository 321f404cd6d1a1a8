"""Kill the billing service in the middle of a monthly run, run it again: every unit
is charged exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter
from decimal import Decimal
from uuid import uuid4

import psycopg

from contracts import billing_api as api
from contracts.methods import Empty
from runtime.errors import ServiceUnavailable
from runtime.rpc import RpcClient
from services.billing.application import BillingApplication, BillingSettings
from services.billing.domain import FeeType, UnitAccount, UnitProfile, monthly_charges
from services.billing.money import Period
from tests.infra import free_port, process
from tests.integration.fixtures import this_month

UNITS = 3000
PERIOD = str(this_month())


def charges_posted(database_url: str, schema: str) -> Counter[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            f'SELECT originator_id::text, count(*) FROM "{schema}".billing_events'
            " WHERE topic LIKE '%ChargePosted' GROUP BY 1"
        ).fetchall()
    return Counter({r[0]: r[1] for r in rows})


def wait_until_answering(port: int, seconds: float = 120) -> None:
    """The service answers Ping (a fixed sleep is too short on a loaded machine)."""

    async def ping() -> None:
        client = RpcClient(f"127.0.0.1:{port}", "billing", timeout=2)
        try:
            deadline = time.monotonic() + seconds
            while True:
                try:
                    await client(api.PING, Empty())
                    return
                except ServiceUnavailable:
                    assert time.monotonic() < deadline, "the billing service never answered"
                    await asyncio.sleep(0.2)
        finally:
            await client.close()

    asyncio.run(ping())


def run_month(port: int, site: str, outcome: dict) -> None:
    async def call() -> None:
        client = RpcClient(f"127.0.0.1:{port}", "billing", timeout=120)
        try:
            outcome["result"] = await client(
                api.RUN_MONTH, api.PeriodRef(site_id=site, period=PERIOD)
            )
        except Exception as exc:  # the kill ends this call one way or another
            outcome["error"] = exc
        finally:
            await client.close()

    asyncio.run(call())


def test_a_killed_run_charges_every_unit_exactly_once(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}billcrash_"
    settings = BillingSettings(database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
                               concierge_namespace=namespace)  # fmt: skip
    app = BillingApplication(settings)
    site = uuid4()
    for fee_type, rate in (("management", "4.00"), ("parking", "300")):
        app.set_rate(
            site, api.SetRate(fee_type=fee_type, amount_per_unit=rate, effective_from=PERIOD), None
        )
    units = [
        api.UnitSpec(unit=f"K{i:05d}", area_m2=str(50 + i % 100), parking_spaces=i % 2)
        for i in range(UNITS)
    ]
    app.register_units(site, api.RegisterUnits(units=units), None)
    schema = f"{namespace}billing"
    port = free_port()
    env = infra.env(
        CONCIERGE_NAMESPACE=namespace, BILLING_GRPC_PORT=str(port), BILLING_CHUNK_SIZE="100"
    )

    with process(["-m", "services.billing", "--only", "api"], env, "billing-crash") as service:
        wait_until_answering(port)
        outcome: dict = {}
        caller = threading.Thread(target=run_month, args=(port, str(site), outcome))
        caller.start()
        deadline = time.monotonic() + 120
        while sum(charges_posted(infra.database_url, schema).values()) < 1000:
            assert time.monotonic() < deadline, f"the run never started: {outcome}"
            time.sleep(0.02)
        os.kill(service.pid, signal.SIGKILL)
        service.wait()
        caller.join()
    partial = sum(charges_posted(infra.database_url, schema).values())
    assert "error" in outcome and partial < UNITS * 1.5, "the run finished before the kill"

    with process(["-m", "services.billing", "--only", "api"], env, "billing-crash-rerun"):
        wait_until_answering(port)
        outcome = {}
        run_month(port, str(site), outcome)
    assert "result" in outcome, outcome
    assert outcome["result"].units == UNITS

    rates = {FeeType.MANAGEMENT: Decimal(4), FeeType.PARKING: Decimal(300)}
    expected = {
        str(UnitAccount.create_id(site, u.unit)): len(monthly_charges(
            rates,
            UnitProfile(area_m2=u.area_m2, parking_spaces=u.parking_spaces), Period.parse(PERIOD),
        ))
        for u in units
    }  # fmt: skip
    assert charges_posted(infra.database_url, schema) == Counter(expected)
    print(f"killed after {partial} of {sum(expected.values())} charges; rerun completed the rest")
