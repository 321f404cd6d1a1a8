"""The work-order service's event store, which every group of its commands (repairs,
patrols, incidents, hygiene) saves to: one application, one transaction per command."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from runtime.eventstore import ServiceApplication


class WorkOrderStore(ServiceApplication):
    def _stored(self, aggregate_id: UUID) -> Any:
        """The stored aggregate with this (derived) id, or None."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
