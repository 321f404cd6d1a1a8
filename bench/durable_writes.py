"""What one durable PostgreSQL primary takes: event-store saves per second with every
commit flushed to disk (fsync on, synchronous_commit on: the compose stack's server).

    DATABASE_URL=<the compose stack's admin URL> .venv/bin/python -m bench.durable_writes

Measured: one aggregate per transaction (a command) from WORKERS threads, and bulk
saves of BULK aggregates per transaction (a billing run's chunks). Baseline in the same
run on the same server: a bare one-row INSERT per transaction from as many threads,
the commit rate the disk allows. `make compose-test` prints these figures.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from runtime.aggregate import correlated
from services.visitor.application import VisitorApplication, VisitorSettings
from services.visitor.domain import Visit

WORKERS = 8
SECONDS = 15
BULK = 250


def visit(site: uuid.UUID, number: int) -> Visit:
    now = datetime.now(UTC)
    return Visit.pre_register(
        site_id=site, visitor_name=f"Visitor {number}", visitor_company=None, host_unit="12A",
        host_name="Host", purpose="bench", party_size=1, expected_from=now,
        expected_until=now + timedelta(hours=2), at=now,
    )  # fmt: skip


def in_threads(work: Any) -> int:
    """Run `work(stop)` in WORKERS threads for SECONDS; the total it counted."""
    stop = threading.Event()
    counts = [0] * WORKERS

    def run(index: int) -> None:
        while not stop.is_set():
            counts[index] += work()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts)


def measure(database_url: str) -> dict[str, Any]:
    namespace = f"bench_{uuid.uuid4().hex[:8]}_"
    app = VisitorApplication(
        VisitorSettings(database_url=database_url, concierge_namespace=namespace)
    )
    site = uuid.uuid4()

    def one_save() -> int:
        with correlated(None):
            app.save(visit(site, 0))
        return 1

    def bulk_save() -> int:
        with correlated(None):
            app.save(*(visit(site, i) for i in range(BULK)))
        return BULK

    saves = in_threads(one_save) / SECONDS
    bulk_events = in_threads(bulk_save) / SECONDS
    app.close()

    table = f'"{namespace}visitor".raw_commits'
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, at timestamptz)")
        settings = dict(conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN"
            " ('fsync', 'synchronous_commit', 'full_page_writes')"
        ).fetchall())  # fmt: skip
    local = threading.local()

    def raw_commit() -> int:
        if not hasattr(local, "conn"):
            local.conn = psycopg.connect(database_url, autocommit=True)
        local.conn.execute(f"INSERT INTO {table} (at) VALUES (now())")
        return 1

    raw = in_threads(raw_commit) / SECONDS
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{namespace}visitor" CASCADE')
    return {
        "server": settings,
        "workers": WORKERS,
        "saves_per_second": round(saves),
        "bulk_events_per_second": round(bulk_events),
        "baseline_raw_commits_per_second": round(raw),
        "saves_vs_raw_commits": round(saves / raw, 2),
    }


if __name__ == "__main__":
    print("durable writes:", json.dumps(measure(os.environ["DATABASE_URL"])))
