"""Live boards: server-sent events fed by the services' read models.

How the gateway learns of a change: it asks the read model's own query again, every
`interval` seconds, for each (site, board) that someone is watching, and pushes the
answer to that board's viewers when it differs from the last one. Polling the query,
rather than following the Kafka topics, shows exactly what the read model holds (an
event on Kafka is not yet in the read model the screen reads; a board built from events
in the gateway would be a second, divergent projection), needs no consumer group per
gateway replica, and costs one query per watched (site, board) whatever the number of
viewers: a hundred people watching one site's desk cost what one does, and a site nobody
watches costs nothing (its poller stops with its last viewer). At 0.5 s, a change
another user makes appears within a second plus the projection's own lag.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from pydantic import TypeAdapter

from contracts import billing_api, feedback_api, mail_api, visitor_api, workorder_api
from contracts.methods import CallContext, Method
from runtime.clock import clock
from runtime.errors import ConciergeError
from runtime.rpc import RpcClient
from runtime.sites import site_timezone

KEEPALIVE_SECONDS = 15


def _this_month(site_id: UUID) -> dict[str, Any]:
    return {"period": clock.today(site_timezone(site_id)).strftime("%Y-%m")}


def _today(site_id: UUID) -> dict[str, Any]:
    return {"date": clock.today(site_timezone(site_id))}


@dataclass(frozen=True)
class Board:
    operation: str  # the API operation whose rights the board needs (console.navigation)
    method: Method[Any, Any]
    fields: Callable[[UUID], dict[str, Any]] = lambda site_id: {}


BOARDS = {
    "in_building": Board("GET /in-building", visitor_api.IN_BUILDING),
    "visit_log": Board("GET /visit-log", visitor_api.DAILY_LOG, _today),  # today's visits
    "awaiting_pickup": Board("GET /mail/awaiting-pickup", mail_api.AWAITING_PICKUP),
    "repairs": Board("GET /work-orders", workorder_api.BOARD),
    "complaints": Board("GET /complaints", feedback_api.OPEN_COMPLAINTS),
    "collection": Board("GET /billing/collection-rate", billing_api.COLLECTION_RATE, _this_month),
}


@dataclass
class Feed:
    """One board of one site: its poller and the queues of the people watching it."""

    viewers: set[asyncio.Queue[tuple[str, str]]] = field(default_factory=set)
    last: str | None = None
    poller: asyncio.Task[None] | None = None


class LiveBoards:
    def __init__(self, services: dict[str, RpcClient], interval: float = 0.5) -> None:
        self._services = services
        self._interval = interval
        self._feeds: dict[tuple[UUID, str], Feed] = {}

    async def _poll(self, site_id: UUID, name: str, feed: Feed) -> None:
        board = BOARDS[name]
        method = board.method
        adapter = TypeAdapter(method.response)
        while True:
            request = method.request.model_construct(site_id=site_id, **board.fields(site_id))
            context = CallContext(correlation_id=str(uuid4()), actor="console-live", role=None)
            try:
                answer = await self._services[method.service](method, request, context)
                text = adapter.dump_json(answer).decode()
            except ConciergeError as exc:  # the service is down: say so on the board
                text = json.dumps({"unavailable": exc.message})
            if text != feed.last:
                feed.last = text
                for queue in feed.viewers:
                    queue.put_nowait((name, text))
            await asyncio.sleep(self._interval)

    @contextlib.contextmanager
    def _watch(self, site_id: UUID, name: str, queue: asyncio.Queue[tuple[str, str]]):  # type: ignore[no-untyped-def]
        feed = self._feeds.setdefault((site_id, name), Feed())
        feed.viewers.add(queue)
        if feed.last is not None:
            queue.put_nowait((name, feed.last))
        if feed.poller is None:
            feed.poller = asyncio.create_task(self._poll(site_id, name, feed))
        try:
            yield
        finally:
            feed.viewers.discard(queue)
            if not feed.viewers:  # the last viewer left: nobody pays for this board
                feed.poller.cancel()
                del self._feeds[(site_id, name)]

    async def stream(self, site_id: UUID, boards: list[str]) -> AsyncIterator[str]:
        """Server-sent events: `event: <board>` with the board's JSON whenever it
        changes (first its current state), and a comment every 15 s to keep it open."""
        queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        with contextlib.ExitStack() as watching:
            for name in boards:
                watching.enter_context(self._watch(site_id, name, queue))
            yield "retry: 2000\n\n"
            while True:
                try:
                    name, text = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: {name}\ndata: {text}\n\n"

    def watched(self) -> int:
        """How many (site, board) pollers run now."""
        return len(self._feeds)
