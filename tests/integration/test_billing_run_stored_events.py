"""The monthly run stores exactly the events it stored before it was made fast.

`billing_run_stored_events.json` was recorded from the run as it was before the bulk
path (commit 5fd8b7f: every event through eventsourcing's `@event` command methods, the
library's JSON encoder, one `save` per chunk through `Application.save`). The same run
done now must store the same events: same aggregates, versions, topics and stored JSON
state (only `timestamp`, the wall clock at the save, differs), so the relay publishes
the same contract events and old events load as before.

Regenerate only on purpose: `python -m tests.integration.test_billing_run_stored_events`.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch
from uuid import UUID

import pytest

from contracts import billing_api as api
from runtime.clock import clock
from services.billing.application import BillingApplication
from services.billing.domain import SEED_APPROVAL_CHAIN
from services.billing.money import Period
from tests.integration.fixtures import billing_app

GOLDEN = Path(__file__).with_name("billing_run_stored_events.json")
SITE = UUID("5a1e0000-0000-4000-8000-000000000014")
PERIOD = Period.parse("2033-01")
AT = datetime(2033, 1, 1, 2, 0, tzinfo=UTC)


def a_month(app: BillingApplication) -> None:
    """Rates, units of every shape, a tenancy from mid-month, water, a payment before
    the run (credit placed on the charges as they post), a re-run, sign-off, issue."""
    with patch.object(clock, "now", return_value=AT):  # stands still: `at` fields compare
        rates = {"management": "3.80", "parking": "350", "phone": "25", "water": "4.5",
                 "other_service": "12"}  # fmt: skip
        for fee_type, rate in rates.items():
            rate_cmd = api.SetRate(
                fee_type=fee_type, amount_per_unit=rate, effective_from=str(PERIOD)
            )
            app.set_rate(SITE, rate_cmd, f"rate-{fee_type}")
        specs = [
            api.UnitSpec(
                unit=f"U{i:03d}",
                area_m2=str(60 + i * 7 % 140) + ".25",
                parking_spaces=i % 3,
                phone_lines=i % 4 // 2,
                other_services={"laundry": "30"} if i % 5 == 0 else {},
            )
            for i in range(24)
        ]
        app.register_units(SITE, api.RegisterUnits(units=specs), "register")
        water = api.RecordWater(period=str(PERIOD), readings={"U001": "3.5", "U002": "0"})
        app.record_water(SITE, water, "water")
        app.begin_tenancy(SITE, "U003", UUID("7e000000-0000-4000-8000-000000000003"),
                          date(2033, 1, 16), AT, "move-in")  # fmt: skip
        app.receive_payment(SITE, "U004", api.ReceivePayment(reference="PRE-1", amount="5000",
                                                             method="cash"), "prepaid")  # fmt: skip
        app.run_month(SITE, PERIOD, "run")
        app.run_month(SITE, PERIOD, "rerun")  # posts nothing twice
        for role in SEED_APPROVAL_CHAIN:
            app.approve(SITE, PERIOD, role, f"{role}-signer", f"approve-{role}")
        app.issue(SITE, PERIOD, None, "issue")


def stored_events(app: BillingApplication) -> list[dict[str, Any]]:
    """Every stored event in notification order; the state as stored (raw JSON, the
    transcoder's type wrappers included), without the save's wall-clock timestamp."""
    recorder: Any = app.recorder
    rows = []
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(
            f'SELECT originator_id, originator_version, topic, state FROM "{recorder.datastore.schema}"'
            f'."{recorder.events_table_name}" ORDER BY notification_id'
        )
        for row in curs.fetchall():
            state = json.loads(bytes(row["state"]))
            state.pop("timestamp")
            rows.append({"originator_id": str(row["originator_id"]),
                         "originator_version": row["originator_version"],
                         "topic": row["topic"], "state": state})  # fmt: skip
    return rows


@pytest.mark.parametrize("chunk_size", [1000, 5])
def test_the_run_stores_the_same_events_as_before(infra, chunk_size: int) -> None:  # type: ignore[no-untyped-def]
    """In one chunk, and in chunks of 5 saved behind (`saved_behind`): the same
    events in the same order."""
    with billing_app(infra, f"{infra.namespace}golden_run_{chunk_size}_") as app:
        app.chunk_size = chunk_size
        a_month(app)
        stored = stored_events(app)
        app.account(SITE, "U000")  # the stored events load with the store's transcoder
    golden = json.loads(GOLDEN.read_text())
    assert [(e["originator_id"], e["originator_version"], e["topic"]) for e in stored] == [
        (e["originator_id"], e["originator_version"], e["topic"]) for e in golden
    ]
    for now, before in zip(stored, golden, strict=True):
        assert now == before


if __name__ == "__main__":
    from uuid import uuid4

    from tests.conftest import Infra

    infra = Infra(os.environ["DATABASE_URL"], os.environ["KAFKA_BOOTSTRAP_SERVERS"],
                  f"golden_{uuid4().hex[:8]}_")  # fmt: skip
    with billing_app(infra, infra.namespace) as app:
        a_month(app)
        GOLDEN.write_text(json.dumps(stored_events(app), indent=1, sort_keys=True) + "\n")
