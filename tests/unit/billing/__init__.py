from __future__ import annotations

from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from runtime.eventstore import DateAsISO


class InMemoryApp(Application[Any]):
    """The library's in-memory event store with production JSON transcoding (no I/O)."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
