"""Base aggregate whose every event carries the correlation id of its command.

The id is taken from a context variable that the command handler sets, so domain
methods keep their business signatures and a flow can still be followed from the
first command to the last event (DOMAIN.md, cross-context flows).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

_correlation: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current_correlation_id() -> str:
    """The running command's correlation id, or a fresh one outside any command."""
    return _correlation.get() or str(uuid4())


@contextmanager
def correlated(correlation_id: str | None) -> Iterator[str]:
    """Run a command under `correlation_id` (a new one when None)."""
    value = correlation_id or str(uuid4())
    token = _correlation.set(value)
    try:
        yield value
    finally:
        _correlation.reset(token)


def continue_flow(correlation_id: str) -> None:
    """Inside a command: let its events carry an earlier flow's correlation id."""
    _correlation.set(correlation_id)


class CorrelatedAggregate(Aggregate):
    class Event(Aggregate.Event):
        correlation_id: str

    class Created(Event, Aggregate.Created):
        pass

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("correlation_id", current_correlation_id())
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("correlation_id", current_correlation_id())
        return super()._create(event_class, id=id, **kwargs)


class SiteAggregate(CorrelatedAggregate):
    """An aggregate that belongs to one site; every event names the site.

    Consumers (and the outbox relay) then route and scope any event on its own,
    without replaying the aggregate.
    """

    site_id: UUID

    class Event(CorrelatedAggregate.Event):
        site_id: UUID

    class Created(Event, CorrelatedAggregate.Created):
        pass

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("site_id", self.site_id)
        super().trigger_event(event_class, **kwargs)
