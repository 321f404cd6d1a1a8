"""Which failures are outages, the backoff between retries, and parts restarted after them."""

from __future__ import annotations

import asyncio
import smtplib

import asyncpg
import psycopg
import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    NotLeaderForPartitionError,
    UnsupportedVersionError,
)
from eventsourcing.persistence import OperationalError as StoreOperationalError

from runtime.leadership import LeadershipLost
from runtime.outage import PART_RESTARTS, Backoff, is_outage, kept_running, outlasting_outages


def wrapped(kind: type[Exception], cause: Exception) -> Exception:
    """`cause` raised again as `kind`, as the event store wraps psycopg's errors."""
    try:
        raise kind(str(cause)) from cause
    except kind as exc:
        return exc


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError(),
        psycopg.OperationalError("server closed the connection unexpectedly"),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
        StoreOperationalError("connection failed"),
        wrapped(StoreOperationalError, psycopg.OperationalError("connection failed")),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.InternalClientError(
            "cannot switch to state 12; another operation (2) is in progress"
        ),
        KafkaConnectionError("no broker"),
        NotLeaderForPartitionError(),
        LeadershipLost("lost the lock connection"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    ],
)
def test_a_dependency_down_is_an_outage(exc: BaseException) -> None:
    assert is_outage(exc)


@pytest.mark.parametrize(
    "exc",
    [
        KeyError("site_id"),
        ValueError("bad value"),
        asyncpg.UndefinedTableError("relation does not exist"),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        psycopg.ProgrammingError("syntax error"),
        psycopg.errors.ProgramLimitExceeded("index row size 9000 exceeds maximum 2704"),
        wrapped(StoreOperationalError, psycopg.errors.ProgramLimitExceeded("row too big")),
        UnsupportedVersionError(),
        FileNotFoundError("notifications.jsonl"),
        smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"no such user")}),
    ],
)
def test_a_bug_is_not_an_outage(exc: BaseException) -> None:
    assert not is_outage(exc)


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(first=0.5, cap=8)
    delays = [backoff.next_delay() for _ in range(8)]
    steps = [0.5, 1, 2, 4, 8, 8, 8, 8]
    for delay, step in zip(delays, steps, strict=True):
        assert step / 2 <= delay <= step
    backoff.reset()
    assert backoff.next_delay() <= 0.5


async def test_a_failing_part_is_restarted_until_it_runs() -> None:
    stop = asyncio.Event()
    attempts: list[int] = []

    async def flaky(stop: asyncio.Event) -> None:
        attempts.append(len(attempts) + 1)
        if len(attempts) < 3:
            raise ConnectionResetError("PostgreSQL went away")
        if len(attempts) == 3:
            raise KeyError("a bug: logged, retried all the same")
        stop.set()

    before = PART_RESTARTS.labels("flaky")._value.get()
    await asyncio.wait_for(kept_running("flaky", flaky, Backoff(first=0.001, cap=0.01))(stop), 10)
    assert attempts == [1, 2, 3, 4]
    assert PART_RESTARTS.labels("flaky")._value.get() - before == 3


async def test_a_stray_cancellation_from_a_library_restarts_the_part() -> None:
    """aiokafka's stop() re-raises the CancelledError of its own fetch task after a broker
    outage; it once ended a whole service. The part is restarted instead."""
    stop = asyncio.Event()
    runs: list[None] = []

    async def stops_a_client(stop: asyncio.Event) -> None:
        runs.append(None)
        if len(runs) == 1:
            inner = asyncio.create_task(asyncio.sleep(10))  # the library's own task
            await asyncio.sleep(0)
            inner.cancel()
            await inner  # raises CancelledError here, though nobody cancelled this task
        stop.set()

    quick = Backoff(first=0.001, cap=0.01)
    await asyncio.wait_for(kept_running("stray", stops_a_client, quick)(stop), 10)
    assert len(runs) == 2


async def test_cancelling_a_kept_part_still_cancels_it() -> None:
    started = asyncio.Event()

    async def waits(stop: asyncio.Event) -> None:
        started.set()
        await asyncio.sleep(10)

    task = asyncio.create_task(kept_running("waits", waits)(asyncio.Event()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_part_that_returns_before_stop_is_restarted() -> None:
    stop = asyncio.Event()
    runs: list[None] = []

    async def quits(stop: asyncio.Event) -> None:
        runs.append(None)
        if len(runs) == 2:
            stop.set()

    await asyncio.wait_for(kept_running("quits", quits, Backoff(first=0.001, cap=0.01))(stop), 10)
    assert len(runs) == 2


async def test_start_up_waits_out_an_outage_and_stops_on_a_bug() -> None:
    calls: list[None] = []

    async def connect() -> str:
        calls.append(None)
        if len(calls) < 3:
            raise ConnectionRefusedError(111, "Connection refused")
        return "connected"

    quick = Backoff(first=0.001, cap=0.01)
    assert await outlasting_outages("start-up", connect, asyncio.Event(), quick) == "connected"
    assert len(calls) == 3

    async def broken() -> str:
        raise ValueError("bad configuration")

    with pytest.raises(ValueError, match="bad configuration"):
        await outlasting_outages("start-up", broken, asyncio.Event(), quick)


async def test_start_up_gives_up_when_stopped() -> None:
    stop = asyncio.Event()

    async def down() -> str:
        stop.set()  # Ctrl-C while PostgreSQL is still down
        raise ConnectionRefusedError(111, "Connection refused")

    assert await outlasting_outages("start-up", down, stop, Backoff(first=0.001, cap=0.01)) is None
