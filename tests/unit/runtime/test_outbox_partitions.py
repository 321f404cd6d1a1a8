"""The relay names each event's partition itself: the one aiokafka's producer would pick."""

from __future__ import annotations

from uuid import uuid4

from aiokafka.partitioner import DefaultPartitioner

from runtime.outbox import KeyPartitions


def producer_partition(key: bytes, partitions: list[int]) -> int:
    """Where `AIOKafkaProducer.send` puts a keyed message without `partition=`."""
    return DefaultPartitioner()(key, partitions, partitions)


def test_the_same_partition_as_the_producer_for_every_key_and_count() -> None:
    keys = [str(uuid4()).encode() for _ in range(500)]
    for count in (1, 3, 12):
        partitions = KeyPartitions()
        partitions.use(set(range(count)))
        for _ in range(2):  # computed, then remembered
            assert [partitions(k) for k in keys] == [
                producer_partition(k, list(range(count))) for k in keys
            ]


def test_the_java_clients_placement() -> None:
    """Pinned to the Java client's placement over 1,000 partitions (the values
    kafka-python's and aiokafka's partitioner tests take from the Java client): other
    producers of the same keys agree on the partition."""
    partitions = KeyPartitions()
    partitions.use(set(range(1000)))
    keys = [b"", b"a", b"ab", b"abc", b"123456789", b"\x00 "]
    assert [partitions(k) for k in keys] == [681, 524, 434, 107, 566, 742]


def test_a_new_partition_count_forgets_what_it_remembered() -> None:
    partitions = KeyPartitions()
    keys = [str(uuid4()).encode() for _ in range(200)]
    partitions.use({0, 1, 2})
    before = [partitions(k) for k in keys]
    partitions.use(set(range(12)))
    after = [partitions(k) for k in keys]
    assert after == [producer_partition(k, list(range(12))) for k in keys]
    assert after != before


def test_the_memo_is_bounded() -> None:
    partitions = KeyPartitions()
    partitions.LIMIT = 10
    partitions.use({0, 1, 2})
    keys = [str(uuid4()).encode() for _ in range(25)]
    assert [partitions(k) for k in keys] == [producer_partition(k, [0, 1, 2]) for k in keys]
    assert len(partitions._of) <= 10
