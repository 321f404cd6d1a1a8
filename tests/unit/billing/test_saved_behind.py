"""Bulk jobs pause the cyclic garbage collector while any of them runs, and leave it as
they found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from services.billing.saved_behind import collector_paused, saving_behind


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_the_collector_is_off_until_the_last_job_ends() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a second job at the same time
            assert not gc.isenabled()
        assert not gc.isenabled()  # the first still runs
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_chunks_are_saved_in_order_and_a_failure_stops_the_next() -> None:
    saved: list[int] = []

    def chunk(n: int) -> int:
        if n == 2:
            raise RuntimeError("chunk 2 refused")
        saved.append(n)
        return 10 * n

    with pytest.raises(RuntimeError, match="chunk 2 refused"), saving_behind() as behind:
        for n in (1, 2, 3, 4):
            behind(lambda n=n: chunk(n))  # type: ignore[misc]
    assert saved == [1] and gc.isenabled()
    with saving_behind() as behind:
        for n in (3, 4, 5):
            behind(lambda n=n: chunk(n))  # type: ignore[misc]
    assert saved == [1, 3, 4, 5] and behind.saved == 120
