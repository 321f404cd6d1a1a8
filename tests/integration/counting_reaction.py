"""A reaction process for the kill test: `python -m tests.integration.counting_reaction
TOPIC SCHEMA` runs a reaction on the runtime's faststream subscriber, restarted with
backoff like every service part, until SIGTERM.

It writes one row per event it applies, in its batch's transaction and with no key, so
an event applied twice shows as two rows and an event lost as none."""

from __future__ import annotations

import asyncio
import os
import sys

import asyncpg

from contracts.envelope import Envelope
from runtime.outage import Backoff, kept_running
from runtime.reaction import ReactionSubscriber
from runtime.service import configure_logging, stop_on_signals


class CountingReaction:
    name = "counting_reaction"
    tables = ("reaction_applied",)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute("CREATE TABLE IF NOT EXISTS reaction_applied (ce_id text NOT NULL)")

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        await asyncio.sleep(0.01)  # a command's round trip: batches take a while
        await conn.executemany(
            "INSERT INTO reaction_applied (ce_id) VALUES ($1)", [(e.id,) for e in envelopes]
        )


async def main(topic: str, schema: str) -> None:
    configure_logging("INFO")
    subscriber = ReactionSubscriber(
        CountingReaction(),
        topics=[topic],
        database_url=os.environ["DATABASE_URL"],
        bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        schema=schema,
        batch_size=50,
    )
    try:
        await kept_running("reaction", subscriber.run, Backoff(first=0.1, cap=1))(stop_on_signals())
    finally:
        await subscriber.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
