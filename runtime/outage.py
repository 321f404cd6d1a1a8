"""Riding out an outage of PostgreSQL or Kafka (or the mail server) instead of dying of it.

A service keeps running while a dependency is down: a part (relay, projection,
scheduler) that fails on a connection error is restarted with exponential backoff and
jitter, each retry logged; the gRPC API answers "unavailable" (HTTP 503) meanwhile;
start-up waits for the dependencies the same way. Only a real bug at start-up ends
the process. `is_outage` is the one place that tells an outage from a bug.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import smtplib
import socket
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import psycopg
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from prometheus_client import Counter, Gauge

log = logging.getLogger(__name__)

T = TypeVar("T")
Part = Callable[[asyncio.Event], Coroutine[Any, Any, None]]

PART_UP = Gauge("concierge_part_up", "1 while a part runs, 0 while it waits to restart", ["part"])
PART_RESTARTS = Counter("concierge_part_restarts_total", "Restarts of a failed part", ["part"])

# Connection-level failures: the dependency is down, unreachable or restarting.
OUTAGES: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted, broken pipe (and LeadershipLost)
    TimeoutError,  # includes asyncio's: a dependency that did not answer in time
    socket.gaierror,
    StoreInterfaceError,  # the event store's connection closed under it
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, connection lost mid-query
    asyncpg.CannotConnectNowError,  # 57P03: the server is starting up
    asyncpg.AdminShutdownError,  # 57P01: the server is shutting down (restart)
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    KafkaConnectionError,
    KafkaTimeoutError,
    smtplib.SMTPConnectError,  # the tenant notices' mail server down or restarting
    smtplib.SMTPServerDisconnected,
)


# psycopg's OperationalError also covers errors in the data (SQLSTATE class 54: a value
# too large for an index): only these SQLSTATEs, or none (the server never answered:
# connection refused, pool timeout), say that PostgreSQL is away.
SERVER_AWAY = ("08", "57P01", "57P02", "57P03", "53300", "55P03")  # 55P03: lock timeout


def is_outage(exc: BaseException) -> bool:
    """True when `exc` means a dependency is unreachable, not that the code is wrong."""
    if isinstance(exc, OUTAGES):
        return True
    if isinstance(exc, StoreOperationalError):  # the event store's wrapping of psycopg's
        return exc.__cause__ is None or is_outage(exc.__cause__)
    if isinstance(exc, psycopg.OperationalError):
        return exc.sqlstate is None or exc.sqlstate.startswith(SERVER_AWAY)
    if isinstance(exc, KafkaError):
        return bool(exc.retriable)  # leader moving, broker not ready, request timed out
    # asyncpg's protocol loses track of a connection the server terminated mid-operation
    # ("cannot switch to state 12; another operation (2) is in progress",
    # MagicStack/asyncpg#1069, sqlalchemy#13241): seen when PostgreSQL shuts down.
    if isinstance(exc, asyncpg.InternalClientError):
        return True
    # asyncpg reports use of a connection the server already closed this way.
    return isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc)


@dataclass
class Backoff:
    """Exponential backoff with jitter, capped: 0.5 s, 1 s, 2 s, ... up to `cap`.

    Each delay is drawn between half and all of its step ("equal jitter"), so replicas
    that lost the same dependency at the same moment do not all come back at once.
    """

    first: float = 0.5
    cap: float = 10.0
    attempt: int = 0

    def next_delay(self) -> float:
        step = min(self.cap, self.first * 2**self.attempt)
        self.attempt += 1
        return step / 2 + random.uniform(0, step / 2)

    def reset(self) -> None:
        self.attempt = 0


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep for `seconds`, or less if `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def kept_running(name: str, part: Part, backoff: Backoff | None = None) -> Part:
    """`part`, restarted whenever it fails, until `stop` is set.

    An outage is logged as a warning, anything else as an error with its traceback
    (a bug: the part is retried all the same, so one broken consumer does not take the
    API down with it). The backoff starts again once a part has run for `cap` seconds.
    """
    policy = backoff or Backoff()

    async def run(stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            started = loop.time()
            PART_UP.labels(name).set(1)
            try:
                await part(stop)
                if stop.is_set():
                    return
                raise RuntimeError(f"{name} returned before the service stopped")
            except Exception as exc:
                failure = exc
            except asyncio.CancelledError as exc:
                if _being_cancelled():
                    raise
                # Not this task's cancellation: a library's own inner task leaking out of a
                # stop() (aiokafka's consumer, stopped after a broker outage, re-raises its
                # cancelled fetch). It must not take the whole service down with it.
                failure = RuntimeError(f"{name}: a stray CancelledError from a library")
                failure.__cause__ = exc
            finally:
                PART_UP.labels(name).set(0)
            if loop.time() - started >= policy.cap:
                policy.reset()
            delay = policy.next_delay()
            PART_RESTARTS.labels(name).inc()
            if is_outage(failure):
                log.warning("%s: %s; retry %d in %.1f s", name, _describe(failure),
                            policy.attempt, delay)  # fmt: skip
            else:
                log.error("%s failed; retry %d in %.1f s", name, policy.attempt, delay,
                          exc_info=failure)  # fmt: skip
            await pause(stop, delay)

    return run


def _being_cancelled() -> bool:
    """True while the running task has a cancellation requested (Python 3.11+)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def outlasting_outages(
    what: str, step: Callable[[], Awaitable[T]], stop: asyncio.Event, backoff: Backoff | None = None
) -> T | None:
    """Run `step` until it succeeds, retrying outages with backoff; None if stopped first.

    Any other exception propagates: at start-up that is a bug, and the process exits.
    """
    policy = backoff or Backoff()
    while not stop.is_set():
        try:
            return await step()
        except Exception as exc:
            if not is_outage(exc):
                raise
            delay = policy.next_delay()
            log.warning("%s: %s; retry %d in %.1f s", what, _describe(exc), policy.attempt, delay)
            await pause(stop, delay)
    return None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
