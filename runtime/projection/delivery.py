"""How a batch of consumed messages meets a projection: parsed, checked, applied in
order, or refused as dead letters (and parked on `<topic>.dlq`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from contracts.envelope import Envelope, MalformedMessage
from contracts.topics import dead_letter
from runtime import deadletters
from runtime.deadletters import DeadLetter, not_the_message
from runtime.projection.bookkeeping import stored_versions


class Projection(Protocol):
    """A read model: its tables, and how a batch of events (in order) changes them."""

    name: str
    tables: tuple[str, ...]

    async def setup(self, conn: asyncpg.Connection) -> None: ...

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None: ...


@dataclass
class Delivery:
    """A consumed message and what became of it: applied, a duplicate, or refused."""

    message: Any
    envelope: Envelope | None
    letter: DeadLetter | None = None
    applied: bool = False


class RetryIsolated(Exception):
    """A batch failed on the fast path: apply it again event by event."""


async def apply(
    conn: asyncpg.Connection,
    projection: Projection,
    messages: list[Any],
    *,
    isolate: bool,
    blocked: set[UUID] | None = None,
) -> list[Delivery]:
    """Apply the messages not yet in the read model, in order; refuse the rest.

    The fast path hands them all to the projection at once (RetryIsolated if that
    fails); the isolated path applies each in a savepoint, so only the bad ones become
    dead letters. `blocked`: aggregates whose events wait behind a dead letter (by
    default those with an unresolved one in Postgres). A failure that is not the
    message's (an outage, a deadlock) propagates: nothing commits, nothing is refused."""
    name = projection.name
    deliveries = [receive(name, message) for message in messages]
    subjects = list({d.envelope.subject for d in deliveries if d.envelope is not None})
    versions, held_back = await stored_versions(conn, name, subjects, blocked=blocked is None)
    if blocked is None:
        blocked = held_back
    fresh: list[Delivery] = []  # not yet applied, in order; blocked ones refused
    for d in deliveries:
        envelope = d.envelope
        if envelope is None:
            continue
        if d.letter is not None:
            pass  # refused by rule (site mismatch): never to apply, nothing waits behind it
        elif envelope.aggregate_version <= versions.get(envelope.subject, 0):
            pass  # a duplicate or a redelivery, already in the read model
        elif envelope.subject in blocked:
            d.letter = blocked_letter(name, d)
        else:
            versions[envelope.subject] = envelope.aggregate_version
            fresh.append(d)
    if not isolate:
        try:
            await projection.apply_batch(conn, [d.envelope for d in fresh])  # type: ignore[misc]
        except Exception as exc:
            if not_the_message(exc):
                raise
            raise RetryIsolated from exc
        for d in fresh:
            d.applied = True
        return deliveries
    for d in fresh:
        assert d.envelope is not None
        if d.envelope.subject in blocked:
            d.letter = blocked_letter(name, d)
            continue
        try:
            async with conn.transaction():
                await projection.apply_batch(conn, [d.envelope])
            d.applied = True
        except Exception as exc:
            if not_the_message(exc):
                raise
            d.letter = letter(name, d, deadletters.reason_for(exc), exc)
            if d.letter.reason in deadletters.HOLDS_BACK:
                blocked.add(d.envelope.subject)
    return deliveries


def latest_versions(deliveries: list[Delivery]) -> dict[UUID, int]:
    return {d.envelope.subject: d.envelope.aggregate_version
            for d in deliveries if d.applied and d.envelope is not None}  # fmt: skip


def receive(projection: str, message: Any) -> Delivery:
    """Parse a message; refuse it if it is no CloudEvent of ours, or if its `site`
    header names another site than its payload (for every projection and reaction)."""
    try:
        envelope = Envelope.parse(message.headers, message.value)
    except MalformedMessage as exc:
        delivery = Delivery(message, None)
        delivery.letter = letter(projection, delivery, deadletters.MALFORMED, exc)
        return delivery
    delivery = Delivery(message, envelope)
    if envelope.site != envelope.data.site_id:
        delivery.letter = letter(
            projection, delivery, deadletters.SITE_MISMATCH,
            f"envelope site {envelope.site} but payload site_id {envelope.data.site_id}",
        )  # fmt: skip
    return delivery


def blocked_letter(projection: str, d: Delivery) -> DeadLetter:
    assert d.envelope is not None
    why = f"an earlier event of {d.envelope.subject} is dead-lettered and unresolved"
    return letter(projection, d, deadletters.BLOCKED, why)


def letter(projection: str, d: Delivery, reason: str, error: BaseException | str) -> DeadLetter:
    message, envelope = d.message, d.envelope
    headers = dict(message.headers or ())
    raw = {k: headers[k].decode(errors="replace")
           for k in ("ce_id", "ce_type") if headers.get(k) is not None}  # fmt: skip
    return DeadLetter(
        projection=projection, topic=message.topic, partition=message.partition,
        offset=message.offset, reason=reason,
        error=deadletters.describe(error) if isinstance(error, BaseException) else error,
        ce_id=envelope.id if envelope else raw.get("ce_id"),
        ce_type=envelope.type if envelope else raw.get("ce_type"),
        subject=envelope.subject if envelope else None,
        site=envelope.site if envelope else None,
        exception=error if isinstance(error, BaseException) else None,
    )  # fmt: skip


async def park(producer: Any, projection: str, deliveries: list[Delivery]) -> list[DeadLetter]:
    """Copy refused messages to `<topic>.dlq` (before their positions commit, so none is
    lost) and note where each copy went."""
    refused = [d for d in deliveries if d.letter is not None]
    sends = []
    for d in refused:
        msg, refusal = d.message, d.letter
        assert refusal is not None
        headers = [
            *(msg.headers or ()),
            ("dlq_error", refusal.error.encode()[:4000]),
            ("dlq_reason", refusal.reason.encode()),
            ("dlq_projection", projection.encode()),
            ("dlq_topic", msg.topic.encode()),
            ("dlq_partition", str(msg.partition).encode()),
            ("dlq_offset", str(msg.offset).encode()),
        ]
        topic = dead_letter(msg.topic)
        sends.append(await producer.send(topic, value=msg.value, key=msg.key, headers=headers))
    letters = []
    for d, sent in zip(refused, await asyncio.gather(*sends), strict=True):
        assert d.letter is not None
        d.letter.dlq_partition, d.letter.dlq_offset = sent.partition, sent.offset
        letters.append(d.letter)
    return letters
