"""What a reaction's subscriber commits to Kafka after a batch: per partition, the offset
after the last message it settled, only for partitions it still owns; never a bare
commit (which would cover every assigned partition's fetch position)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from aiokafka import TopicPartition

from runtime.reaction import ReactionSubscriber


class Consumer:
    def __init__(self, owned: set[TopicPartition]) -> None:
        self.owned = owned
        self.commits: list[Any] = []

    def assignment(self) -> set[TopicPartition]:
        return self.owned

    async def commit(self, offsets: Any = None) -> None:
        assert offsets is not None, "a bare commit covers records not yet applied"
        self.commits.append(offsets)


def subscriber(consumer: Consumer) -> ReactionSubscriber:
    reaction = SimpleNamespace(name="r", tables=())
    sub = ReactionSubscriber(reaction, topics=["t"], database_url="postgresql://unused",  # type: ignore[arg-type]
                             bootstrap_servers="unused:9092", schema="s")  # fmt: skip
    sub.consumer = consumer  # type: ignore[assignment]
    return sub


def record(partition: int, offset: int) -> Any:
    return SimpleNamespace(topic="t", partition=partition, offset=offset)


async def test_a_batch_of_several_partitions_commits_each_after_its_last_message() -> None:
    consumer = Consumer({TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("t", 2)})
    settled = [record(0, 4), record(1, 9), record(0, 5), record(1, 10), record(0, 6)]
    await subscriber(consumer)._commit_offsets(settled)
    assert consumer.commits == [{TopicPartition("t", 0): 7, TopicPartition("t", 1): 11}]


async def test_a_partition_revoked_meanwhile_is_left_to_its_new_owner() -> None:
    consumer = Consumer({TopicPartition("t", 1)})
    await subscriber(consumer)._commit_offsets([record(0, 4), record(1, 2)])
    assert consumer.commits == [{TopicPartition("t", 1): 3}]


async def test_nothing_settled_commits_nothing() -> None:
    consumer = Consumer({TopicPartition("t", 0)})
    await subscriber(consumer)._commit_offsets([])
    await subscriber(Consumer(set()))._commit_offsets([record(0, 1)])
    assert consumer.commits == []
