"""Projection runner: Kafka -> read model, exactly-once in effect.

A projection is a Kafka consumer group writing a read model with asyncpg. Each batch
of messages is applied in ONE transaction together with the consumer's position
(next offset per partition) and the last applied version of every aggregate, so a
crash, a redelivery or a re-published duplicate (same `ce_id`) never applies twice.
A message that cannot be parsed or applied is a dead letter (`runtime.deadletters`):
parked on `<topic>.dlq`, recorded, counted and logged, and the projection moves on.

Positions live in Postgres beside the read model, under a generation number: an online
rebuild (`runtime.rebuild`) swaps in new tables and positions and bumps the generation
while holding the projection's advisory lock exclusively; every batch takes that lock
shared and checks the generation first, so a runner (in any replica) that finds it
changed drops its batch and continues from the new tables' stored positions.

bookkeeping: positions, versions, generations and the lock; delivery: how a batch is
applied or refused; runner: the consumer loop, rebalances, swaps, replays and health.
"""

from runtime.projection.bookkeeping import EXCLUSIVE_LOCK, lock_name
from runtime.projection.delivery import Projection
from runtime.projection.runner import ProjectionRunner

__all__ = ["EXCLUSIVE_LOCK", "Projection", "ProjectionRunner", "lock_name"]
