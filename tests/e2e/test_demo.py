"""`make run` seeds the demo once: a second run, on the same day or a month later, adds
nothing to any service's store."""

from __future__ import annotations

from datetime import timedelta

from deploy import demo
from runtime.clock import clock
from tests.conftest import SERVICES, Stack
from tests.helpers import settled


def stored(stack: Stack) -> dict[str, int]:
    """How many events each service's store holds once what the demo set off (the
    roster flowing from tenancy to mail and billing through Kafka) has settled."""
    infra = stack.infra
    return settled(infra.database_url, infra.kafka, infra.namespace, list(SERVICES))


def test_the_demo_is_seeded_once(stack: Stack) -> None:
    demo.main(stack.base_url)
    seeded = stored(stack)
    assert all(seeded.values()), f"the demo seeds every context: {seeded}"

    demo.main(stack.base_url)  # `make run` again, after a restart
    assert stored(stack) == seeded

    clock.advance(timedelta(days=40))  # and again next month
    try:
        demo.main(stack.base_url)
    finally:
        clock.reset()
    assert stored(stack) == seeded
