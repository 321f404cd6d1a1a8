"""A front desk under load while a fault happens, and what became of every command.

Each worker pre-registers a visitor and checks them in, over and over, never retrying
a refused command (a retry could double it). Afterwards the read models and the topic
are compared with what the gateway accepted.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import httpx
import psycopg

from contracts.topics import VISITOR
from runtime.auth import Role
from tests.compose.cluster import ComposeStack
from tests.helpers import bearer
from tests.infra import read_topic


@dataclass(frozen=True)
class Tally:
    fault: str
    accepted: int  # check-ins the gateway answered 200
    refused: int  # answered otherwise (503 while the fault lasts); never retried
    lost: int  # accepted, yet not checked in by the read model after recovery
    doubled: int  # applied more than once in a read model (visits, hourly counts)
    republished: int  # events on the topic more than once (same ce_id)

    def __str__(self) -> str:
        return (
            f"FAULT {self.fault}: accepted={self.accepted} refused={self.refused} "
            f"lost={self.lost} doubled={self.doubled} republished={self.republished}"
        )


@dataclass
class FrontDeskLoad:
    stack: ComposeStack
    workers: int = 4
    site: UUID = field(default_factory=uuid4)
    run: str = field(default_factory=lambda: uuid4().hex[:8])
    accepted: list[str] = field(default_factory=list)
    refused: int = 0

    @property
    def host(self) -> str:
        return f"Host {self.run}"

    async def during(self, fault: Callable[[], None], before: float, after: float) -> None:
        """Load for `before` seconds, do `fault` (in a thread), load `after` more seconds."""
        stop = asyncio.Event()
        headers = bearer(Role.RECEPTIONIST, [self.site])
        async with httpx.AsyncClient(
            base_url=self.stack.gateway_url, headers=headers, timeout=15
        ) as client:
            workers = [
                asyncio.create_task(self._desk(client, w, stop)) for w in range(self.workers)
            ]
            await asyncio.sleep(before)
            await asyncio.to_thread(fault)
            await asyncio.sleep(after)
            stop.set()
            await asyncio.gather(*workers)

    async def _desk(self, client: httpx.AsyncClient, worker: int, stop: asyncio.Event) -> None:
        base = f"/sites/{self.site}/visits"
        number = 0
        while not stop.is_set():
            number += 1
            now = datetime.now(UTC)
            visit = {
                "visitor_name": f"Load {self.run} {worker} {number}",
                "host_unit": "12A",
                "host_name": self.host,
                "purpose": "fault test",
                "expected_from": now.isoformat(),
                "expected_until": (now + timedelta(hours=2)).isoformat(),
            }
            try:
                created = await client.post(f"{base}/pre-registrations", json=visit)
                if created.status_code != 201:
                    self.refused += 1
                    continue
                visit_id = created.json()["visit_id"]
                checked_in = await client.post(f"{base}/{visit_id}/check-in", json={})
                if checked_in.status_code == 200:
                    self.accepted.append(visit_id)
                else:
                    self.refused += 1
            except httpx.HTTPError:
                self.refused += 1
            await asyncio.sleep(0.05)

    def tally(self, fault: str, timeout: float = 180) -> Tally:
        """Wait (up to `timeout`) for every accepted check-in to reach the read model,
        then count what was lost, doubled and re-published."""
        deadline = time.monotonic() + timeout
        while True:
            checked_in, visits, names, hourly = self._read_model()
            lost = len(set(self.accepted) - checked_in)
            if lost == 0 or time.monotonic() > deadline:
                break
            time.sleep(2)
        doubled = (hourly - len(checked_in)) + (visits - names)
        messages = asyncio.run(read_topic(self.stack.kafka, f"{namespace()}{VISITOR}", 120))
        ce_ids = Counter(
            dict(m.headers)["ce_id"]
            for m in messages
            if dict(m.headers).get("site") == str(self.site).encode()
        )
        republished = sum(count - 1 for count in ce_ids.values())
        return Tally(fault, len(self.accepted), self.refused, lost, doubled, republished)

    def _read_model(self) -> tuple[set[str], int, int, int]:
        schema = f"{namespace()}visitor_read"
        with psycopg.connect(self.stack.database_url) as conn:
            rows = conn.execute(
                f'SELECT visit_id, status, visitor_name FROM "{schema}".visits WHERE site_id = %s',
                [self.site],
            ).fetchall()
            hourly = conn.execute(
                f'SELECT coalesce(sum(check_ins), 0) FROM "{schema}".host_hourly'
                " WHERE site_id = %s AND host_name = %s",
                [self.site, self.host],
            ).fetchone()
        checked_in = {str(r[0]) for r in rows if r[1] == "checked_in"}
        return checked_in, len(rows), len({r[2] for r in rows}), int(hourly[0] if hourly else 0)


def namespace() -> str:
    return os.environ.get("CONCIERGE_NAMESPACE", "")
