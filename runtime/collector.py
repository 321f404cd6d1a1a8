"""The cyclic garbage collector and long-lived processes.

A service, the gateway and every consumer allocate many short-lived containers per
call or batch, so collections run often; each full one also traversed every object alive
since start-up (modules, classes, contract schemas, the application), holding the GIL for
tens of milliseconds: a stall for every call in flight, a quarter to a third of a
rebuild's CPU. Freezing them once start-up is done takes them out of its way.
"""

from __future__ import annotations

import gc


def freeze_long_lived_objects() -> None:
    """Move the objects alive now (some 100,000 once a service has started) out of the
    cyclic garbage collector's way, once per process (`gc.freeze`). They are still freed
    when unreferenced; only a cycle among them that became garbage after the freeze
    would stay."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


_frozen = False
