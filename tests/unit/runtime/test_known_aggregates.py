"""`KnownAggregates`: each command works on its own copy; only a newer version replaces
the one kept; the longest kept goes when full."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event

from runtime.eventstore import KnownAggregates


class Counter(Aggregate):
    @event("Opened")
    def __init__(self) -> None:
        self.count = 0
        self.by_name: dict[str, list[int]] = {}

    @event("Counted")
    def add(self, name: str = "any") -> None:
        self.count += 1
        self.by_name.setdefault(name, []).append(self.count)


def test_a_copy_changed_by_a_command_leaves_the_kept_one_as_it_was() -> None:
    known, counter = KnownAggregates(), Counter()
    known.keep(counter)
    copy = known.copy_of(counter.id)
    copy.add()
    assert (copy.count, copy.version, copy.by_name) == (1, 2, {"any": [1]})
    again = known.copy_of(counter.id)
    assert (again.count, again.version, again.by_name) == (0, 1, {})
    known.keep(copy)
    last = known.copy_of(counter.id)
    last.add()  # changes the list inside the dict: the kept one's stays as it was
    assert known.copy_of(counter.id).by_name == {"any": [1]}
    assert last.by_name == {"any": [1, 2]} and last.id == counter.id


def test_an_older_version_never_replaces_a_newer_one() -> None:
    known, counter = KnownAggregates(), Counter()
    older = known.copy_of(counter.id)
    assert older is None
    known.keep(counter)
    newer = known.copy_of(counter.id)
    newer.add()
    known.keep(newer)
    known.keep(counter)  # version 1: ignored
    assert known.copy_of(counter.id).version == 2


def test_the_longest_kept_goes_when_full() -> None:
    known = KnownAggregates(maxsize=2)
    first, second, third = Counter(), Counter(), Counter()
    known.keep(first, second, third)
    assert known.copy_of(first.id) is None
    assert known.copy_of(second.id) is not None and known.copy_of(third.id) is not None
