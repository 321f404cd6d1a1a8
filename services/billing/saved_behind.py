"""Bulk jobs' chunks saved behind the job: one saver thread stores chunk n while the
job loads and changes chunk n+1.

The monthly run and the issue waited for each chunk's save in turn (12-28 % of their
py-spy samples waited on PostgreSQL); now PostgreSQL stores one chunk while Python works
on the next. Chunks are saved in order and one at a time, so the stored events and their
order are those of saving each chunk in turn. A failed save is raised at the next chunk
or at the end and no chunk after it is saved; the job's accounts changed in memory but
not saved are not used again (`BillingApplication._accounts` keeps each account's
version at its save or load).

While a job saves behind, Python's cyclic garbage collector is paused: a full
collection walks every object the job keeps (1.2 s per pass with 100,000 accounts in
memory under load 9, ten passes while they were opened) and holds the GIL meanwhile, so
the saver's open transaction sat idle until PostgreSQL ended it (the library's 5 s
idle-in-transaction timeout ended a 100,000-unit issue that way). The jobs make no
reference cycles of their own; what other threads make is collected when the last job
ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import copy_context


class SavedBehind:
    """A bulk job's chunk saves: each task runs in the saver thread under the job's
    context (its correlation id, which every event triggered there carries), after the
    one before it has finished; `saved` sums what the finished tasks returned."""

    def __init__(self, saver: ThreadPoolExecutor) -> None:
        self._saver = saver
        self._saving: Future[int] | None = None
        self.saved = 0

    def __call__(self, task: Callable[[], int]) -> None:
        self.wait()
        self._saving = self._saver.submit(copy_context().run, task)

    def wait(self) -> None:
        """Until the task in flight has finished; raises what it raised."""
        saving, self._saving = self._saving, None
        if saving is not None:
            self.saved += saving.result()


@contextmanager
def saving_behind() -> Iterator[SavedBehind]:
    """Chunk saves for one bulk job; every one has finished when the block ends."""
    with collector_paused(), ThreadPoolExecutor(1, thread_name_prefix="billing-chunks") as saver:
        behind = SavedBehind(saver)
        yield behind
        behind.wait()


_jobs = 0  # bulk jobs running in this process
_jobs_lock = threading.Lock()
_collector_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while any bulk job runs, as it was after."""
    global _jobs, _collector_was_enabled
    with _jobs_lock:
        if _jobs == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _jobs += 1
    try:
        yield
    finally:
        with _jobs_lock:
            _jobs -= 1
            if _jobs == 0 and _collector_was_enabled:
                gc.enable()
