"""The declared topics: every context's topic and its DLQ, as the deployment says."""

from __future__ import annotations

from contracts.topics import PUBLISHED
from runtime.kafka import declared_topics, topic_specs
from runtime.settings import ServiceSettings


def test_every_published_topic_and_its_dead_letter_topic_is_declared() -> None:
    settings = ServiceSettings(concierge_namespace="t1_")
    names = {spec.name for spec in declared_topics(settings)}
    assert names == {f"t1_{t}" for t in PUBLISHED} | {f"t1_{t}.dlq" for t in PUBLISHED}


def test_topics_take_the_deployments_replication_min_isr_and_retention() -> None:
    settings = ServiceSettings(
        kafka_topic_partitions=6, kafka_replication_factor=3, kafka_min_insync_replicas=2,
        kafka_retention_ms=-1, kafka_dlq_retention_ms=1000,
    )  # fmt: skip
    events, dead_letters = topic_specs(settings, ["concierge.visitor.v1"])
    assert (events.partitions, events.replication_factor) == (6, 3)
    assert events.config == {"retention.ms": "-1", "min.insync.replicas": "2"}
    assert dead_letters.name == "concierge.visitor.v1.dlq"
    assert dead_letters.config == {"retention.ms": "1000", "min.insync.replicas": "2"}


def test_locally_a_single_broker_takes_the_defaults() -> None:
    (events, _) = topic_specs(ServiceSettings(), ["x"])
    assert (events.replication_factor, events.config["min.insync.replicas"]) == (1, "1")
