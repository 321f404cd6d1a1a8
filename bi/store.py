"""The kit's DuckDB file: the ledger, the finance tables over it, and where the kit is.

A fetched batch of messages is applied in ONE transaction together with the consumer's
position (next offset per partition) and the last version applied per aggregate, so a
crash, a redelivery or a re-published duplicate (an event whose version is not newer
than the last applied for its aggregate; `ce_id` is `<aggregate id>:<version>`) never
counts twice. A message the kit cannot read or book is kept in `bi_rejected` with the
reason, and the kit moves on, as the suite's projections do with their dead letters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import duckdb

from bi.ledger import Postings, SiteCalendar, postings_of
from bi.messages import Event, EventSchemas, Rejected

TABLES_SQL = Path(__file__).with_name("tables.sql")
LEDGER = ("billing_lines", "billing_sources", "billing_allocations")
BOOKKEEPING = ("bi_positions", "bi_versions", "bi_rejected", "bi_settings")
# Each ledger row is identified by its owner (site, account) and its id within the account:
# the key columns, and their places in the row tuples of `bi.ledger.Postings`.
KEYS = {
    "billing_lines": {"site_id": 0, "account_id": 1, "line_id": 3},
    "billing_sources": {"site_id": 0, "account_id": 1, "kind": 3, "reference": 4},
    "billing_allocations": {"site_id": 0, "account_id": 1, "allocation_id": 3},
}
DUE_DATES = """UPDATE billing_lines SET due_date = u.due_date, due_set_on = u.due_set_on
    FROM (SELECT unnest($1::UUID[]) AS site_id, unnest($2::UUID[]) AS account_id,
                 unnest($3::VARCHAR[]) AS line_id, unnest($4::DATE[]) AS due_date,
                 unnest($5::DATE[]) AS due_set_on) u
    WHERE billing_lines.site_id = u.site_id AND billing_lines.account_id = u.account_id
      AND billing_lines.line_id = u.line_id"""
REVERSALS = """UPDATE billing_sources SET reversed_at = u.reversed_at,
        reversed_on = u.reversed_on, reversal_reason = u.reason
    FROM (SELECT unnest($1::UUID[]) AS site_id, unnest($2::UUID[]) AS account_id,
                 unnest($3::VARCHAR[]) AS kind, unnest($4::VARCHAR[]) AS reference,
                 unnest($5::TIMESTAMP[]) AS reversed_at, unnest($6::DATE[]) AS reversed_on,
                 unnest($7::VARCHAR[]) AS reason) u
    WHERE billing_sources.site_id = u.site_id AND billing_sources.account_id = u.account_id
      AND billing_sources.kind = u.kind AND billing_sources.reference = u.reference"""


class SettingsChanged(RuntimeError):
    """The file was built with other site time zones: its business dates would be wrong."""


@dataclass(frozen=True)
class Message:
    """A Kafka message as fetched: where it is, and its CloudEvent headers and value."""

    topic: str
    partition: int
    offset: int
    headers: Sequence[tuple[str, bytes | None]]
    value: bytes | None


@dataclass
class Tally:
    """What a sync did: events applied, duplicates skipped, messages rejected."""

    applied: int = 0
    duplicates: int = 0
    rejected: int = 0

    def add(self, other: Tally) -> None:
        self.applied += other.applied
        self.duplicates += other.duplicates
        self.rejected += other.rejected


class Store:
    def __init__(
        self,
        path: str | Path,
        schemas: EventSchemas,
        calendar: SiteCalendar,
        *,
        rebuild: bool = False,
    ) -> None:
        """Open (or create) the file; `rebuild` empties it so the next sync reads the
        topics from offset 0. SettingsChanged if it was built with other site zones."""
        self.schemas = schemas
        self.calendar = calendar
        self.db = duckdb.connect(str(path))
        self.db.execute(TABLES_SQL.read_text())
        if rebuild:
            self._rebuild()
        try:
            self._check_settings()
        except SettingsChanged:
            self.db.close()
            raise
        rows = self.db.execute("SELECT aggregate_id, version FROM bi_versions").fetchall()
        self.versions: dict[UUID, int] = dict(rows)

    def close(self) -> None:
        self.db.close()

    def _check_settings(self) -> None:
        """Business dates are cut in the site zones at ingestion: other zones need a
        rebuild, never a silent mix of two calendars."""
        zones = self.calendar.describe()
        row = self.db.execute("SELECT value FROM bi_settings WHERE name = 'zones'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO bi_settings VALUES ('zones', ?)", [zones])
        elif row[0] != zones:
            raise SettingsChanged(
                f"the tables were built with site time zones {row[0]}, not {zones}: "
                "sync with --rebuild to rebuild them from the beginning of the topics"
            )

    def _rebuild(self) -> None:
        self.db.execute("BEGIN TRANSACTION")
        for table in (*LEDGER, *BOOKKEEPING):
            self.db.execute(f"DELETE FROM {table}")
        self.db.execute("COMMIT")

    def positions(self) -> dict[tuple[str, int], int]:
        """The next offset to read per (topic, partition), as committed with the tables."""
        rows = self.db.execute("SELECT topic, kafka_partition, next_offset FROM bi_positions")
        return {(topic, partition): offset for topic, partition, offset in rows.fetchall()}

    def apply(self, messages: list[Message]) -> Tally:
        """Apply a batch (in fetch order) and move the positions past it, in one transaction."""
        read = [self._read(message) for message in messages]
        taken = self._taken_keys([postings for _, postings, _ in read])
        tally, booked, versions = Tally(), Postings(), dict[UUID, int]()
        rejected: list[tuple[Any, ...]] = []
        for message, (event, postings, problem) in zip(messages, read, strict=True):
            if event is not None:
                last = versions.get(event.aggregate_id) or self.versions.get(event.aggregate_id, 0)
                if event.version <= last:
                    tally.duplicates += 1  # a redelivery or a re-published duplicate
                    continue
            if event is None or (problem := _clash(postings, taken)):
                tally.rejected += 1
                rejected.append(_rejection(message, problem))
                continue
            versions[event.aggregate_id] = event.version
            _extend(booked, postings)
            tally.applied += 1
        self._commit(messages, booked, rejected, versions)
        self.versions.update(versions)
        return tally

    def _read(self, message: Message) -> tuple[Event | None, Postings, str]:
        """The message's event and rows, or why it cannot be used."""
        try:
            event = self.schemas.read(message.headers, message.value)
            return event, postings_of(event, self.calendar), ""
        except Rejected as exc:
            return None, Postings(), str(exc)

    def _taken_keys(self, batch: list[Postings]) -> dict[str, set[tuple[Any, ...]]]:
        """The keys among the batch's new rows that the ledger already holds."""
        taken: dict[str, set[tuple[Any, ...]]] = {}
        for table, columns in KEYS.items():
            keys = {_key(table, row) for postings in batch for row in _rows(postings, table)}
            taken[table] = set()
            if not keys:
                continue
            wanted = " AND ".join(f"t.{c} = k.{c}" for c in columns)
            unnested = ", ".join(f"unnest(${i + 1}) AS {c}" for i, c in enumerate(columns))
            found = self.db.execute(
                f"SELECT {', '.join(f't.{c}' for c in columns)} FROM {table} t"
                f" JOIN (SELECT {unnested}) k ON {wanted}",
                [list(column) for column in zip(*keys, strict=True)],
            ).fetchall()
            taken[table] = set(found)
        return taken

    def _commit(
        self,
        messages: list[Message],
        booked: Postings,
        rejected: list[tuple[Any, ...]],
        versions: dict[UUID, int],
    ) -> None:
        positions: dict[tuple[str, int], int] = {}
        for message in messages:
            positions[(message.topic, message.partition)] = message.offset + 1
        db = self.db
        db.execute("BEGIN TRANSACTION")
        try:
            for table in LEDGER:
                _insert(db, f"INSERT INTO {table}", _rows(booked, table))
            if booked.due_dates:
                db.execute(DUE_DATES, _columns(booked.due_dates))
            if booked.reversals:
                db.execute(REVERSALS, _columns(booked.reversals))
            _insert(db, "INSERT OR IGNORE INTO bi_rejected", rejected)
            _insert(db, "INSERT OR REPLACE INTO bi_versions", list(versions.items()))
            _insert(
                db,
                "INSERT OR REPLACE INTO bi_positions",
                [(topic, part, offset) for (topic, part), offset in positions.items()],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _rows(postings: Postings, table: str) -> list[tuple[Any, ...]]:
    tables = {"billing_lines": postings.lines, "billing_sources": postings.sources,
              "billing_allocations": postings.allocations}  # fmt: skip
    return tables[table]


def _key(table: str, row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(row[i] for i in KEYS[table].values())


def _clash(postings: Postings, taken: dict[str, set[tuple[Any, ...]]]) -> str:
    """Why the event's rows cannot be booked (an id its account already used), else "";
    a bookable event's keys are taken from here on."""
    keys = {table: [_key(table, row) for row in _rows(postings, table)] for table in KEYS}
    for table, found in keys.items():
        for key in found:
            if key in taken[table] or found.count(key) > 1:
                named = ", ".join(f"{c}={v}" for c, v in zip(KEYS[table], key, strict=True))
                return f"{table}: {named} is already booked"
    for table, found in keys.items():
        taken[table].update(found)
    return ""


def _rejection(message: Message, problem: str) -> tuple[Any, ...]:
    """A bi_rejected row: where the message is, its ids if it has them, and why."""
    headers = {key: (raw or b"").decode(errors="replace") for key, raw in message.headers}
    now = datetime.now(UTC).replace(tzinfo=None)
    return (message.topic, message.partition, message.offset, headers.get("ce_id"),
            headers.get("ce_type"), problem, now)  # fmt: skip


def _extend(booked: Postings, postings: Postings) -> None:
    for name in ("lines", "sources", "allocations", "due_dates", "reversals"):
        getattr(booked, name).extend(getattr(postings, name))


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows as one list per column; money as its exact decimal text."""
    return [
        [str(v) if isinstance(v, Decimal) else v for v in column]
        for column in zip(*rows, strict=True)
    ]


def _insert(db: duckdb.DuckDBPyConnection, into: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows in one statement: a list parameter per column, unnested."""
    if rows:
        width = len(rows[0])
        unnested = ", ".join(f"unnest(${i + 1})" for i in range(width))
        db.execute(f"{into} SELECT {unnested}", _columns(rows))
