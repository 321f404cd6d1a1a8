"""Dead letters: the messages a projection or a reaction refused, kept until resolved.

"A dead letter for an event the suite itself accepted is a bug: metric, error log,
degraded readiness" (ARCHITECTURE.md). Each one is counted (`concierge_dlq_total` by
projection and reason), logged as an ERROR naming the message, parked on `<topic>.dlq`
and recorded in Postgres beside the read model (`projection_dead_letters`), in the same
transaction as the consumer's position, so the record survives restarts and never goes
missing. Operators list, replay (after a fix) or dismiss them:
`python -m services.<context> dead-letters list|replay|dismiss`.

Later events of an aggregate whose event failed to apply (an unresolved `apply_error`,
or one parked behind it) are parked too (reason `blocked`) rather than applied out of
order, so a replay after the fix applies the aggregate's events in their published
order. A refusal by rule (another site's object, a site header that disagrees with its
payload) is never to be applied, so nothing waits behind it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import Counter

from contracts.topics import dead_letter
from runtime.errors import ForeignSiteReference
from runtime.outage import is_outage

log = logging.getLogger(__name__)

# Reason classes (the `reason` label and column).
MALFORMED = "malformed"  # not a Concierge CloudEvent, or no contract model reads it
SITE_MISMATCH = "site_mismatch"  # the envelope's `site` header is not the payload's site_id
FOREIGN_SITE_REFERENCE = "foreign_site_reference"  # a reaction met another site's object
APPLY_ERROR = "apply_error"  # the projection raised: a bug in the suite
BLOCKED = "blocked"  # an earlier event of the same aggregate failed to apply
HOLDS_BACK = (APPLY_ERROR, BLOCKED)  # the reasons later events of the aggregate wait behind

DEAD_LETTERS = Counter(
    "concierge_dlq_total",
    "Messages a projection or reaction refused (dead-lettered), by reason",
    ["projection", "reason"],
)
FOREIGN_REFERENCES = Counter(
    "concierge_foreign_references_total",
    "Messages refused because they name another site's object or their site headers disagree",
    ["projection", "reason"],
)

# Failures that are not the message's: the batch is not committed, never dead-lettered.
# A deadlock or serialization failure (replicas upserting shared rows) is retried at
# once; an outage of PostgreSQL or Kafka (`runtime.outage.is_outage`) fails the part,
# which resumes from the stored positions when restarted.
CONTENTION: tuple[type[BaseException], ...] = (asyncpg.TransactionRollbackError,)


def not_the_message(exc: BaseException) -> bool:
    """True for a failure that a retry cures (contention, an outage): never a dead letter."""
    return isinstance(exc, CONTENTION) or is_outage(exc)


FETCH_SECONDS = 10.0  # to read one original message back for a replay

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS projection_dead_letters (
    id bigserial PRIMARY KEY,
    projection text NOT NULL,
    topic text NOT NULL, partition int NOT NULL, "offset" bigint NOT NULL,
    ce_id text, ce_type text, subject uuid, site uuid,
    reason text NOT NULL, error text NOT NULL,
    dlq_partition int, dlq_offset bigint,
    dead_at timestamptz NOT NULL DEFAULT now(),
    attempts int NOT NULL DEFAULT 1,
    resolved_at timestamptz, resolution text,
    UNIQUE (projection, topic, partition, "offset"));
CREATE INDEX IF NOT EXISTS projection_dead_letters_unresolved
    ON projection_dead_letters (projection, subject) WHERE resolved_at IS NULL;
"""
COLUMNS = (
    "projection", "topic", "partition", '"offset"', "ce_id", "ce_type", "subject", "site",
    "reason", "error", "dlq_partition", "dlq_offset", "dead_at", "attempts",
)  # fmt: skip


@dataclass
class DeadLetter:
    """One message a projection refused, where it came from, and why."""

    projection: str
    topic: str
    partition: int
    offset: int
    reason: str
    error: str
    ce_id: str | None = None
    ce_type: str | None = None
    subject: UUID | None = None
    site: UUID | None = None
    dlq_partition: int | None = None
    dlq_offset: int | None = None
    exception: BaseException | None = field(default=None, repr=False, compare=False)

    def report(self) -> None:
        """Count it and log it as an error: the suite accepted what it cannot show."""
        DEAD_LETTERS.labels(self.projection, self.reason).inc()
        if self.reason in (FOREIGN_SITE_REFERENCE, SITE_MISMATCH):
            FOREIGN_REFERENCES.labels(self.projection, self.reason).inc()
        log.error(
            "dead letter: projection=%s reason=%s ce_id=%s type=%s topic=%s partition=%s"
            " offset=%s site=%s: %s",
            self.projection, self.reason, self.ce_id, self.ce_type, self.topic,
            self.partition, self.offset, self.site, self.error,
            exc_info=self.exception,
        )  # fmt: skip


def reason_for(exc: BaseException) -> str:
    return FOREIGN_SITE_REFERENCE if isinstance(exc, ForeignSiteReference) else APPLY_ERROR


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:4000]


async def record(conn: asyncpg.Connection, letters: list[DeadLetter]) -> None:
    """Store new dead letters (a redelivered one is recorded once)."""
    if letters:
        await conn.executemany(
            f"INSERT INTO projection_dead_letters ({', '.join(COLUMNS[:12])})"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            ' ON CONFLICT (projection, topic, partition, "offset") DO NOTHING',
            [
                (d.projection, d.topic, d.partition, d.offset, d.ce_id, d.ce_type, d.subject,
                 d.site, d.reason, d.error, d.dlq_partition, d.dlq_offset)
                for d in letters
            ],
        )  # fmt: skip


# The aggregates among the subjects $2 whose later events wait behind a dead letter of
# the projection $1 ($3: HOLDS_BACK); the projection runner reads them with the
# subjects' versions, in one statement (`runtime.projection.bookkeeping`).
BLOCKED_SUBJECTS = (
    "SELECT DISTINCT subject FROM projection_dead_letters WHERE projection = $1"
    " AND resolved_at IS NULL AND subject = ANY($2::uuid[]) AND reason = ANY($3::text[])"
)


async def unresolved_by_reason(conn: asyncpg.Connection, projection: str) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT reason, count(*) AS n FROM projection_dead_letters"
        " WHERE projection = $1 AND resolved_at IS NULL GROUP BY reason",
        projection,
    )
    return {r["reason"]: r["n"] for r in rows}


async def listing(
    conn: asyncpg.Connection, projection: str | None = None, *, unresolved_only: bool = True
) -> list[dict[str, Any]]:
    """Dead letters in their published order (per topic partition)."""
    rows = await conn.fetch(
        "SELECT * FROM projection_dead_letters WHERE ($1::text IS NULL OR projection = $1)"
        ' AND (NOT $2 OR resolved_at IS NULL) ORDER BY projection, topic, partition, "offset"',
        projection,
        unresolved_only,
    )
    return [dict(r) for r in rows]


async def resolve(conn: asyncpg.Connection, ids: list[int], resolution: str) -> int:
    """Mark dead letters resolved ('replayed', 'duplicate', 'dismissed', 'rebuilt')."""
    done = await conn.fetch(
        "UPDATE projection_dead_letters SET resolved_at = now(), resolution = $2"
        " WHERE id = ANY($1::bigint[]) AND resolved_at IS NULL RETURNING id",
        ids,
        resolution,
    )
    return len(done)


async def failed_again(conn: asyncpg.Connection, letter_id: int, reason: str, error: str) -> None:
    await conn.execute(
        "UPDATE projection_dead_letters SET reason = $2, error = $3, attempts = attempts + 1"
        " WHERE id = $1",
        letter_id,
        reason,
        error,
    )


async def fetch_originals(bootstrap_servers: str, letters: list[dict[str, Any]]) -> dict[int, Any]:
    """The original Kafka message of each dead letter, by id: from its source topic
    offset, or from its copy on `<topic>.dlq` when retention has removed the original."""
    wanted = {TopicPartition(d["topic"], d["partition"]) for d in letters}
    wanted |= {
        TopicPartition(dead_letter(d["topic"]), d["dlq_partition"])
        for d in letters
        if d["dlq_partition"] is not None
    }
    if not wanted:
        return {}
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: dict[int, Any] = {}
    try:
        consumer.assign(list(wanted))
        for d in letters:
            places = [(TopicPartition(d["topic"], d["partition"]), d["offset"])]
            if d["dlq_partition"] is not None:
                places.append(
                    (TopicPartition(dead_letter(d["topic"]), d["dlq_partition"]), d["dlq_offset"])
                )
            for tp, offset in places:
                consumer.seek(tp, offset)
                try:
                    message = await asyncio.wait_for(consumer.getone(tp), FETCH_SECONDS)
                except TimeoutError:
                    continue
                if message.offset == offset:
                    found[d["id"]] = message
                    break
    finally:
        await consumer.stop()
    return found
