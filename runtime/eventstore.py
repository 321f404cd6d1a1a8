"""Event store wiring: an eventsourcing Application on Postgres, one schema per service.

`ServiceApplication` adds what every Concierge application needs on top of the
library: its schema created on start, date transcoding, commands run under a
correlation id, version conflicts surfaced as `Conflict`, and site-scoped loading.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from copy import deepcopy
from datetime import date, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar, cast
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import BaseAggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import (
    JSONTranscoder,
    RecordConflictError,
    Recording,
    StoredEvent,
    Transcoding,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql
from psycopg.rows import tuple_row

from runtime.aggregate import correlated
from runtime.errors import Conflict, NotFound
from runtime.settings import ServiceSettings

T = TypeVar("T")


class OrderedInsertRecorder(PostgresApplicationRecorder):
    """Saves a transaction's events with one call of a database function (one round
    trip instead of one per event), still taking the events table's lock first so
    notification ids commit in id order: the outbox relay never passes over an id
    that commits later."""

    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema, table = sql.Identifier(self.datastore.schema), sql.Identifier(events_table_name)
        self.sql_create_statements[self.create_insert_function_statement_index] = sql.SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{event}[])"
            " RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ BEGIN"
            " SET LOCAL lock_timeout = '{lock_timeout}s';"
            " LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
            " NOTIFY {channel};"
            " RETURN QUERY INSERT INTO {schema}.{table} AS t"
            " (originator_id, originator_version, topic, state)"
            " SELECT originator_id, originator_version, topic, state FROM unnest(events)"
            " RETURNING notification_id;"
            " END; $BODY$"
        ).format(
            schema=schema,
            table=table,
            function=sql.Identifier(self.pg_function_name_insert_events),
            event=sql.Identifier(self.stored_event_type_name),
            lock_timeout=self.datastore.lock_timeout,
            channel=sql.Identifier(self.channel_name),
        )

    def notifications_after_statement(self) -> str:
        """The statement `select_notifications(after, limit, inclusive_of_start=False)`
        runs, for asyncpg (`$1` after, `$2` limit): the outbox relay reads the log with it
        on its own connection, without a thread and psycopg's dict per row."""
        table = f'"{self.datastore.schema}"."{self.events_table_name}"'
        return (
            "SELECT notification_id, originator_id, originator_version, topic, state"
            f" FROM {table} WHERE notification_id > $1 ORDER BY notification_id LIMIT $2"
        )

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        """Large saves (bulk jobs) stream their events with COPY, under the same lock."""
        if len(stored_events) < BULK_EVENTS:
            return super().insert_events(stored_events, **kwargs)
        copy_sql = sql.SQL(
            "COPY {}.{} (originator_id, originator_version, topic, state)"
            " FROM STDIN (FORMAT BINARY)"
        ).format(sql.Identifier(self.datastore.schema), sql.Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            with curs.copy(copy_sql) as copy:
                copy.set_types(["uuid", "int8", "text", "bytea"])
                for event in stored_events:
                    copy.write_row(
                        (event.originator_id, event.originator_version, event.topic, event.state)
                    )
        return None  # no notification ids: nothing here uses a save's recordings


BULK_EVENTS = 200  # from this many events per save, COPY beats the insert function


class AggregateEvents(ProcessingEvent[UUID]):
    """What one save records: the pending events of the aggregates it is given, in order.

    An aggregate is recognised by its class, not by the library's runtime-checkable
    Protocol checks (two per object): on Python 3.11 each one gathers the protocol's
    attributes again (`typing._get_protocol_attrs`), a fifth of issuing a month's
    statements in chunks of 1,000 accounts (py-spy). Anything else (a bare domain
    event) is collected by the library, in its place."""

    def collect_events(self, *objs: Any, **kwargs: Any) -> None:
        for obj in objs:
            if isinstance(obj, BaseAggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            else:
                super().collect_events(obj)
        super().collect_events(**kwargs)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def ensure_schema(database_url: str, schema: str) -> None:
    """Create `schema` when it is missing. In a deployment each service's role owns its
    schemas (made for it in advance) without the right to create schemas, and CREATE
    SCHEMA IF NOT EXISTS checks that right even when the schema exists: so look first."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone():
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def store_setup_lock(schema_parameter: str, *, transaction: bool = False) -> str:
    """SQL taking the lock under which a service's store in a schema (the query parameter
    `schema_parameter`) is set up: replicas starting together would race on CREATE ...
    IF NOT EXISTS (a duplicate type error), so one sets up and the others wait. A
    two-key advisory lock: its own key space."""
    lock = "pg_advisory_xact_lock" if transaction else "pg_advisory_lock"
    return f"SELECT {lock}(hashtext('concierge.store-setup'), hashtext({schema_parameter}))"


class ServiceApplication(Application[UUID]):
    """Base of each service's application; `name` gives its events table name."""

    def __init__(self, settings: ServiceSettings, schema: str) -> None:
        self.settings = settings
        self.schema = schema
        with psycopg.connect(settings.database_url, autocommit=True) as lock:
            lock.execute(store_setup_lock("%s"), [schema])
            ensure_schema(settings.database_url, schema)
            super().__init__(env=settings.postgres_env(schema))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """`Application.save`, collecting the events with `AggregateEvents`."""
        processing_event = AggregateEvents()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, called as it does
        return recordings

    def run(self, correlation_id: str | None, command: Callable[[], T], retries: int = 0) -> T:
        """Run one command under a correlation id.

        A lost optimistic-concurrency race is retried `retries` times (the command
        reloads what it changes), then reported as a Conflict: never an overwrite.
        """
        with correlated(correlation_id):
            for attempt in range(retries + 1):
                try:
                    return command()
                except RecordConflictError as exc:
                    if attempt == retries:
                        raise Conflict("the object was changed at the same time; retry") from exc
            raise AssertionError("unreachable")

    def load_many(self, aggregate_ids: list[UUID]) -> dict[UUID, Any]:
        """Many aggregates with one query (ids without events are left out).

        For bulk jobs such as the monthly billing run, where one `repository.get` per
        aggregate would cost a round trip each.
        """
        recorder: Any = self.recorder
        query = sql.SQL(
            "SELECT originator_id, originator_version, topic, state FROM {}.{}"
            " WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
        ).format(
            sql.Identifier(recorder.datastore.schema), sql.Identifier(recorder.events_table_name)
        )
        # Tuples, not the store's dict rows: building a dict per event cost a tenth of a
        # statement run's loading (py-spy).
        with (
            recorder.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            curs.execute(query, (aggregate_ids,))
            rows = curs.fetchall()
        return self._applied(rows, {})

    def load_current(self, aggregates: dict[UUID, Any | None]) -> dict[UUID, Any]:
        """Several aggregates as stored now, with one query.

        An id given a copy read before (`KnownAggregates.copy_of`) reads only the events
        stored after that copy's version, applied to the copy; an id given None reads
        all its events (no snapshot: for aggregates with few events). Ids with neither a
        copy nor events are left out. For a command on a few aggregates, where one
        `repository.get` each would cost two round trips each (snapshot, events).
        """
        recorder: Any = self.recorder
        query = sql.SQL(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state FROM {}.{} AS e"
            " JOIN unnest(%s::uuid[], %s::bigint[]) AS k(id, after)"
            " ON e.originator_id = k.id AND e.originator_version > k.after"
            " ORDER BY e.originator_id, e.originator_version"
        ).format(
            sql.Identifier(recorder.datastore.schema), sql.Identifier(recorder.events_table_name)
        )
        after = [0 if copy is None else copy.version for copy in aggregates.values()]
        with (
            recorder.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            curs.execute(query, (list(aggregates), after))
            rows = curs.fetchall()
        known = {i: copy for i, copy in aggregates.items() if copy is not None}
        return self._applied(rows, known)

    def _applied(
        self, rows: Iterable[tuple[Any, ...]], aggregates: dict[UUID, Any]
    ) -> dict[UUID, Any]:
        """`aggregates` with the stored events in `rows` (originator id, version, topic,
        state; in version order per aggregate) applied: those missing are created."""
        for originator_id, version, topic, state in rows:
            stored = StoredEvent(
                originator_id=originator_id,
                originator_version=version,
                topic=topic,
                state=bytes(state),
            )
            event: Any = self.mapper.to_domain_event(stored)
            key = UUID(str(stored.originator_id))
            aggregates[key] = event.mutate(aggregates.get(key))
        return aggregates

    def events_of(self, aggregate_id: UUID) -> list[Any]:
        """The stored domain events of one aggregate, oldest first (audits and tests)."""
        return list(self.events.get(aggregate_id))

    def current_versions(self, aggregate_ids: list[UUID]) -> dict[UUID, int]:
        """The stored version of each aggregate (one query)."""
        recorder: Any = self.recorder
        query = sql.SQL(
            "SELECT originator_id, max(originator_version) AS version FROM {}.{}"
            " WHERE originator_id = ANY(%s) GROUP BY originator_id"
        ).format(
            sql.Identifier(recorder.datastore.schema), sql.Identifier(recorder.events_table_name)
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, (aggregate_ids,))
            return {UUID(str(row["originator_id"])): row["version"] for row in curs.fetchall()}

    def change_at_site(self, correlation_id: str | None, aggregate_id: UUID, site_id: UUID,
                       kind: type[T], label: str, change: Callable[[T], object]) -> T:  # fmt: skip
        """One command on one aggregate of the site: load it (`load_at_site`), apply
        `change` (a domain method that refuses what it must), save it, answer it."""

        def command() -> T:
            aggregate = self.load_at_site(aggregate_id, site_id, kind, label)
            change(aggregate)
            self.save(cast(Any, aggregate))  # an aggregate of `kind`
            return aggregate

        return self.run(correlation_id, command)

    def load_at_site(self, aggregate_id: UUID, site_id: UUID, kind: type[T], label: str) -> T:
        """Load an aggregate of `kind` that belongs to `site_id`, else NotFound.

        Another site's object answers exactly like a missing one, so ids cannot be
        probed across sites (OWASP API1).
        """
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            aggregate = None
        return self.at_site(aggregate, aggregate_id, site_id, kind, label)

    @staticmethod
    def at_site(aggregate: Any, aggregate_id: UUID, site_id: UUID, kind: type[T], label: str) -> T:
        """`aggregate` (loaded, or None when missing) if it is a `kind` of `site_id`, else
        NotFound: another site's object answers exactly like a missing one."""
        if not isinstance(aggregate, kind) or getattr(aggregate, "site_id", None) != site_id:
            raise NotFound(f"{label} {aggregate_id} not found")
        return aggregate


# Values an aggregate's copy may share with the original: none can be changed in place.
IMMUTABLE = (str, int, float, bytes, type(None), UUID, date, time, timedelta, Decimal, Enum)


class KnownAggregates:
    """Aggregates as commands last saved them, kept between commands so that the next one
    reads only the events stored since (`ServiceApplication.load_current`): what another
    replica stored in between is applied, never missed, and a change stored after that
    read makes the command's save lose its version check (the command then runs again).

    Each command works on its own copy (`copy_of`), and an aggregate is kept only once
    saved (`keep`), so a failed or refused command leaves nothing half-changed here.
    """

    def __init__(self, maxsize: int = 10_000) -> None:
        self._kept: dict[UUID, Any] = {}
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def copy_of(self, aggregate_id: UUID) -> Any | None:
        """A copy of the aggregate as last kept, or None."""
        with self._lock:
            kept = self._kept.get(aggregate_id)
        return None if kept is None else self._copy(kept)  # kept ones are never changed

    @staticmethod
    def _copy(aggregate: Any) -> Any:
        """A deep copy that shares the values that cannot change (a `deepcopy` copies them
        too: about 100 us for a site's policy or number series, py-spy)."""
        copy = object.__new__(type(aggregate))
        copy.__dict__.update(
            (name, value if isinstance(value, IMMUTABLE) else deepcopy(value))
            for name, value in vars(aggregate).items()
        )
        return copy

    def keep(self, *aggregates: Any) -> None:
        """Keep saved aggregates (the caller changes them no more); an older version than
        the one kept is ignored, and the longest kept goes when full."""
        with self._lock:
            for aggregate in aggregates:
                kept = self._kept.get(aggregate.id)
                if kept is not None and kept.version >= aggregate.version:
                    continue
                if kept is None and len(self._kept) >= self._maxsize:
                    del self._kept[next(iter(self._kept))]
                self._kept[aggregate.id] = aggregate
