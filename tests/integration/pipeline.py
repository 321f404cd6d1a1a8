"""One context's whole path from an accepted command to what the gateway shows.

The property tests (`test_accept_then_show_*`) drive a service the way the gateway
does (its gRPC handlers, with requests and answers passed through the JSON codec), on
the real event store; then they take what the outbox relay would publish (the
notification log mapped by `contract_for`, wrapped in the CloudEvents envelope and
parsed back from its Kafka headers and value) and apply it with the projection's
`apply_batch` to a read model in a fresh PostgreSQL schema. Kafka itself is left out:
its delivery guarantees have their own tests, and the property needs many examples.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from hypothesis import HealthCheck, Phase, settings
from openpyxl import load_workbook
from pydantic import BaseModel

from contracts.envelope import Envelope, Record
from contracts.methods import CallContext, Method
from runtime.clock import clock
from runtime.errors import ConciergeError
from runtime.eventstore import ServiceApplication
from runtime.outbox import OutboxRelay
from runtime.projection import Projection
from runtime.rpc import RpcService, decode, encode
from services.gateway.exports import table_download
from tests.command_strategies import as_sent

# Each example runs commands, a projection and reads on PostgreSQL: a few dozen examples
# per context keep the five property tests near a minute together on 2 cores.
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)


class Pipeline:
    """A service's application, gRPC handlers and read model, wired without Kafka."""

    def __init__(self, app: ServiceApplication, contract_for: Callable[[Any], Any],
                 projections: list[Projection], pool: asyncpg.Pool) -> None:  # fmt: skip
        self.app = app
        self.contract_for = contract_for
        self.projections = projections
        self.pool = pool
        self.service: RpcService | None = None

    @classmethod
    @asynccontextmanager
    async def open(cls, app: ServiceApplication, contract_for: Callable[[Any], Any],
                   projections: list[Projection], database_url: str) -> AsyncIterator[Pipeline]:  # fmt: skip
        """A pipeline whose read models (and reactions) live in a new schema beside the
        app's store; the app and the pools are closed after (the database is shared)."""
        schema = f"{app.schema}_read"
        async with AsyncExitStack() as cleanup:
            cleanup.callback(app.close)
            conn = await asyncpg.connect(database_url)
            await conn.execute(f'CREATE SCHEMA "{schema}"')
            await conn.close()
            pool = await asyncpg.create_pool(
                database_url, min_size=1, max_size=4, server_settings={"search_path": schema}
            )
            cleanup.push_async_callback(pool.close)
            async with pool.acquire() as setup:
                for projection in projections:
                    await projection.setup(setup)
            yield cls(app, contract_for, projections, pool)

    # -- write side ------------------------------------------------------------------------

    async def call(self, method: Method[Any, Any], site_id: UUID, cmd: BaseModel | None = None,
                   actor: str = "staff", role: str | None = None, **fields: Any) -> Any:  # fmt: skip
        """One gRPC method as a client calls it: the request as JSON, decoded (validated)
        by the service; the answer as the JSON it sends back."""
        assert self.service is not None, "set pipeline.service = build_api(...)"
        request: dict[str, Any] = dict(fields)
        if "site_id" in method.request.model_fields:
            request["site_id"] = site_id
        if cmd is not None:
            request["payload"] = as_sent(cmd)
        answer = await self.service.handle(
            method.name, encode(request), CallContext(None, actor, role)
        )
        return decode(answer)

    def mark(self) -> int:
        """Where the notification log ends now."""
        return self.app.recorder.max_notification_id() or 0

    async def published(self, since: int) -> list[Envelope]:
        """What the relay publishes after `since`, as a consumer parses it from Kafka.

        Each message is the relay's own (read and built by `OutboxRelay`), checked byte
        for byte against the message built the slow way (`message_as_built_before`)."""
        relay = OutboxRelay(self.app, topic="-", contract_for=self.contract_for,
                            bootstrap_servers="-", database_url="-", batch_size=100_000)  # fmt: skip
        async with self.pool.acquire() as conn:
            read = await relay._notifications_after(conn, since)
        stored = self.app.recorder.select_notifications(
            since, limit=100_000, inclusive_of_start=False
        )
        assert [n.id for n in read] == [n.id for n in stored]
        envelopes = []
        for notification, slow in zip(read, stored, strict=True):
            record = relay._record_of(notification)
            expected = message_as_built_before(self.app, self.contract_for, slow)
            assert record == expected, f"the relay's message differs: {record} != {expected}"
            if record is None:
                continue
            received = Envelope.parse(record.headers, record.value)
            assert received.data == self.contract_for(self.app.mapper.to_domain_event(slow)), (
                f"{received.data!r} changed in the envelope"
            )
            envelopes.append(received)
        return envelopes

    # -- read side -------------------------------------------------------------------------

    async def project(self, envelopes: list[Envelope], batch_size: int) -> None:
        """Apply in batches of `batch_size`, each in its own transaction, as the runner
        does; any failure here is an event a read model cannot show."""
        async with self.pool.acquire() as conn:
            for projection in self.projections:
                for start in range(0, len(envelopes), batch_size):
                    async with conn.transaction():
                        await projection.apply_batch(conn, envelopes[start : start + batch_size])


def message_as_built_before(
    app: ServiceApplication, contract_for: Callable[[Any], Any], notification: Any
) -> Record | None:
    """The Kafka message of a stored event as the relay built it before its fast path
    (issue 14): the domain event rebuilt, mapped, wrapped, every header and the key
    written out from the envelope's fields, the value from `model_dump_json`. The relay's
    messages must stay byte-identical to these."""
    event: Any = app.mapper.to_domain_event(notification)
    contract = contract_for(event)
    if contract is None:
        return None
    subject = notification.originator_id
    return Record(
        key=str(subject).encode(),
        value=contract.model_dump_json().encode(),
        headers=[
            ("ce_specversion", b"1.0"),
            ("ce_id", f"{subject}:{notification.originator_version}".encode()),
            ("ce_type", contract.event_type().encode()),
            ("ce_source", f"/sites/{contract.site_id}/{contract.context}".encode()),
            ("ce_time", (getattr(event, "at", None) or event.timestamp).isoformat().encode()),
            ("ce_subject", str(subject).encode()),
            ("site", str(contract.site_id).encode()),
            ("correlation_id", (getattr(event, "correlation_id", "") or "").encode()),
            ("content-type", b"application/json"),
        ],
    )


async def unless_refused(call: Awaitable[Any]) -> Any:
    """The answer, or None when the domain refuses (a 4xx: nothing is stored)."""
    try:
        return await call
    except ConciergeError:
        return None


@contextmanager
def business_day(site_id: UUID, zone: str, now: datetime) -> Iterator[None]:
    """Run with the site in `zone` and the business clock at `now`."""
    saved = os.environ.get("CONCIERGE_SITE_TIMEZONES")
    zones = json.loads(saved or "{}")
    os.environ["CONCIERGE_SITE_TIMEZONES"] = json.dumps({**zones, str(site_id): zone})
    clock.set(now)
    try:
        yield
    finally:
        clock.reset()
        if saved is None:
            del os.environ["CONCIERGE_SITE_TIMEZONES"]
        else:
            os.environ["CONCIERGE_SITE_TIMEZONES"] = saved


def exported(rows: list[dict[str, Any]], columns: list[str], text_columns: list[str],
             key: str | None = None) -> None:  # fmt: skip
    """The gateway's CSV and XLSX downloads of `rows` (as the gateway receives them)
    hold every row in order, and the CSV every text as written."""
    for fmt in ("csv", "xlsx"):
        body = table_download(rows, columns, "export", fmt).body
        if fmt == "csv":
            lines = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        else:
            sheet = load_workbook(io.BytesIO(body), read_only=True).active
            header, *cells = list(sheet.iter_rows(values_only=True))
            # A read-only sheet may end a row at its last non-empty cell.
            lines = [dict(zip(header, [*line, *[None] * len(header)], strict=False))
                     for line in cells]  # fmt: skip
        assert len(lines) == len(rows), fmt
        if key:
            assert [line[key] for line in lines] == [row[key] for row in rows], fmt
        if fmt == "csv":  # spreadsheet cell typing is the export's own concern (issue 8.9)
            for line, row in zip(lines, rows, strict=True):
                for column in text_columns:
                    written = row[column] or ""
                    assert written in (line[column] or ""), (fmt, column, written, line[column])
