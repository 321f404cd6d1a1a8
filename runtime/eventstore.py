"""Event store wiring: an eventsourcing Application on Postgres, one schema per service.

`ServiceApplication` adds what every Concierge application needs on top of the
library: its schema created on start, date transcoding, commands run under a
correlation id, version conflicts surfaced as `Conflict`, and site-scoped loading.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
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
        aggregates: dict[UUID, Any] = {}
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
            raise NotFound(f"{label} {aggregate_id} not found") from None
        if not isinstance(aggregate, kind) or getattr(aggregate, "site_id", None) != site_id:
            raise NotFound(f"{label} {aggregate_id} not found")
        return aggregate
