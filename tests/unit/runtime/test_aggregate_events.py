"""A save collects what the library's own collection collects, in the same order."""

from __future__ import annotations

from uuid import uuid4

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate, event

from runtime.eventstore import AggregateEvents


class Tally(Aggregate):
    @event("Opened")
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    @event("Counted")
    def count_one(self) -> None:
        self.count += 1


def collected(processing: ProcessingEvent, *objs: object) -> tuple[list[object], dict]:  # type: ignore[type-arg]
    processing.collect_events(*objs, note="kept")  # type: ignore[arg-type]
    return processing.events, {**processing.aggregates, "kwargs": processing.saved_kwargs}


def test_aggregates_events_and_nones_are_collected_as_the_library_does() -> None:
    def objects() -> list[object]:
        first, second = Tally(name="a"), Tally(name="b")
        first.count_one()
        second.count_one()
        second.count_one()
        bare = Tally.Counted(
            originator_id=uuid4(), originator_version=7, timestamp=Tally.Counted.create_timestamp()
        )  # type: ignore[call-arg]
        return [first, None, bare, second]

    library_objs, ours_objs = objects(), objects()
    library_events, library_rest = collected(ProcessingEvent(), *library_objs)
    our_events, our_rest = collected(AggregateEvents(), *ours_objs)
    assert (
        [(type(e).__name__, e.originator_version) for e in our_events]
        == [(type(e).__name__, e.originator_version) for e in library_events]
        == [
            ("Opened", 1),
            ("Counted", 2),
            ("Counted", 7),
            ("Opened", 1),
            ("Counted", 2),
            ("Counted", 3),
        ]
    )
    assert our_events[2] is ours_objs[2]  # a bare event is collected as itself, in its place
    assert list(our_rest) == [ours_objs[0].id, ours_objs[3].id, "kwargs"]  # type: ignore[attr-defined]
    assert our_rest["kwargs"] == library_rest["kwargs"] == {"note": "kept"}
    assert all(not a.pending_events for a in (ours_objs[0], ours_objs[3]))  # type: ignore[attr-defined]
