"""Exactly one replica of a service runs its outbox relay and its schedulers: the leader.

Every replica competes for a PostgreSQL session-level advisory lock named after the
service's schema, on a connection of its own, and runs those parts only while it holds
it. The others poll for the lock and take over within about `poll_seconds` of the
holder going away:

- the holder dies (crash, `kill -9`): its socket closes, PostgreSQL ends the session
  and the lock with it at once;
- the holder's host or network dies, or it hangs: server-side TCP keepalives,
  `tcp_user_timeout` and `idle_session_timeout` (the holder queries the connection every
  `check_seconds`) end the session within about ten seconds;
- the holder loses the lock connection (PostgreSQL restart, network): it notices within
  `check_seconds` (or a check unanswered for `answer_seconds`) and cancels its work at
  once, before PostgreSQL could grant the lock to anyone else, then competes for the
  lock again like every replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
from prometheus_client import Gauge

from runtime.outage import Part, pause

log = logging.getLogger(__name__)

LEADER = Gauge(
    "concierge_leader", "1 while this replica holds the lock and runs the relay and schedulers"
)

# Server side: how fast PostgreSQL ends the session of a holder that went silent.
LOCK_SESSION = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "10000",  # ms: unacknowledged data
    "idle_session_timeout": "10000",  # ms: a holder that stopped checking (hung)
}


class LeadershipLost(ConnectionError):
    """The lock's connection went away; the work stopped, another replica may hold it."""


class Leadership:
    """The lock of the service whose event store is in schema `scope`."""

    def __init__(
        self,
        database_url: str,
        *,
        scope: str,
        poll_seconds: float = 1.0,
        check_seconds: float = 1.0,
        answer_seconds: float = 5.0,  # well inside the ten seconds the server waits
    ) -> None:
        self.database_url = database_url
        self.key = f"{scope}.leader"
        self.poll_seconds = poll_seconds
        self.check_seconds = check_seconds
        self.answer_seconds = answer_seconds

    def guard(self, part: Part) -> Part:
        """`part`, run only while this replica holds the lock."""

        async def run(stop: asyncio.Event) -> None:
            await self.run_while_held(part, stop)

        return run

    async def run_while_held(self, work: Part, stop: asyncio.Event) -> None:
        """Wait for the lock, then run `work` until `stop`; cancel it if the lock is lost."""
        LEADER.set(0)
        conn = await asyncpg.connect(
            self.database_url,
            timeout=10,
            server_settings={**LOCK_SESSION, "application_name": f"concierge lock {self.key}"},
        )
        try:
            if not await self._acquire(conn, stop):
                return
            LEADER.set(1)
            log.info("%s: this replica holds the lock", self.key)
            # The work stops when the service stops or the lock is lost: told by its own
            # stop event, and cancelled, so that neither a cancellation swallowed on the
            # way (asyncpg, wait_for) nor a part between retries can keep it going.
            work_stop = asyncio.Event()
            working = asyncio.create_task(work(work_stop), name=self.key)
            watching = asyncio.create_task(self._watch(conn), name=f"{self.key} lock")
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({working, watching, stopping}, return_when=asyncio.FIRST_COMPLETED)
            work_stop.set()
            lost = watching.done() and not working.done()
            if lost:
                working.cancel()
            for task in (watching, stopping):
                task.cancel()
            await asyncio.gather(working, watching, stopping, return_exceptions=True)
            if lost:
                raise LeadershipLost(f"{self.key}: lost the lock connection; work stopped")
            if not stop.is_set():
                working.result()  # the work's own failure, if any
        finally:
            LEADER.set(0)
            await _close(conn)

    async def _acquire(self, conn: asyncpg.Connection, stop: asyncio.Event) -> bool:
        waiting = False
        while not stop.is_set():
            held = await conn.fetchval(
                "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", self.key
            )
            if held:
                return True
            if not waiting:
                log.info("%s: another replica holds the lock; standing by", self.key)
                waiting = True
            await pause(stop, self.poll_seconds)
        return False

    async def _watch(self, conn: asyncpg.Connection) -> None:
        """Return as soon as the lock connection is gone or stops answering."""
        closed = asyncio.Event()
        conn.add_termination_listener(lambda _: closed.set())
        while not closed.is_set():
            try:
                await conn.fetchval("SELECT 1", timeout=self.answer_seconds)
            except Exception as exc:  # any failure means the lock may be gone
                log.warning("%s: lock connection failed: %s", self.key, exc)
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(closed.wait(), timeout=self.check_seconds)


async def _close(conn: asyncpg.Connection) -> None:
    """Close the lock connection (ending the session frees the lock); never hang on it."""
    try:
        await asyncio.wait_for(conn.close(), timeout=2)
    except Exception:
        conn.terminate()
