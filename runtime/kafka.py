"""Kafka clients configured the one way Concierge uses them, and the declared topics.

`declared_topics` is the one spec every deployment creates topics from: each context's
topic and its dead-letter topic, with the deployment's partitions, replication, min ISR
and retention (`ServiceSettings`). Services create what they publish and consume from
it at start; `python -m runtime.kafka create-topics` creates all of them (compose); the
Strimzi KafkaTopics in deploy/k8s are checked against `strimzi_topics` by a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from contracts.topics import PUBLISHED, dead_letter
from runtime.settings import ServiceSettings


def idempotent_producer(bootstrap_servers: str, *, linger_ms: int = 5) -> AIOKafkaProducer:
    """acks=all with idempotence: a retried send is written once, in order per partition.

    A send gives up after 10 s (time enough for a partition leader to move): while no
    broker answers, aiokafka's sender retries its metadata request without pause, so the
    sooner a send fails, the sooner its part backs off instead (`runtime.outage`).
    `linger_ms`: how long a batch waits for more messages before it is sent.
    """
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        linger_ms=linger_ms,
        max_batch_size=512 * 1024,
        request_timeout_ms=10000,
    )


@dataclass(frozen=True)
class TopicSpec:
    """How one topic is created."""

    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)


def topic_specs(settings: ServiceSettings, names: Iterable[str]) -> list[TopicSpec]:
    """Each (namespaced) topic in `names` and its dead-letter topic, as this deployment
    creates them: events kept for rebuilds, dead letters for a while, and
    `min.insync.replicas` so an acks=all write needs that many copies."""
    specs = []
    for name in names:
        for topic, retention in (
            (name, settings.kafka_retention_ms),
            (dead_letter(name), settings.kafka_dlq_retention_ms),
        ):
            specs.append(
                TopicSpec(
                    topic,
                    settings.kafka_topic_partitions,
                    settings.kafka_replication_factor,
                    {
                        "retention.ms": str(retention),
                        "min.insync.replicas": str(settings.kafka_min_insync_replicas),
                    },
                )
            )
    return specs


def declared_topics(settings: ServiceSettings) -> list[TopicSpec]:
    """Every topic the suite uses, in this deployment's namespace."""
    return topic_specs(settings, [settings.topic(name) for name in PUBLISHED])


async def create_topics(bootstrap_servers: str, specs: list[TopicSpec]) -> list[str]:
    """Create the topics in `specs` that do not exist yet; the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(s.name, s.partitions, s.replication_factor, topic_configs=s.config)
            for s in specs
            if s.name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        return [topic.name for topic in missing]
    finally:
        await admin.close()


async def ensure_topics(settings: ServiceSettings, names: Iterable[str]) -> None:
    """Create the (namespaced) topics in `names` and their dead-letter topics if missing."""
    await create_topics(settings.kafka_bootstrap_servers, topic_specs(settings, names))


def strimzi_topics(
    settings: ServiceSettings, cluster: str, namespace: str
) -> list[dict[str, object]]:
    """The declared topics as Strimzi `KafkaTopic`s of the Kafka `cluster` in `namespace`."""
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {
                "name": spec.name,
                "namespace": namespace,
                "labels": {"strimzi.io/cluster": cluster},
            },
            "spec": {
                "partitions": spec.partitions,
                "replicas": spec.replication_factor,
                "config": spec.config,
            },
        }
        for spec in declared_topics(settings)
    ]


def main() -> None:
    """`python -m runtime.kafka create-topics`: create the declared topics that are missing."""
    parser = argparse.ArgumentParser(prog="python -m runtime.kafka")
    parser.add_argument("command", choices=["create-topics"])
    parser.parse_args()
    settings = ServiceSettings()
    specs = declared_topics(settings)
    created = asyncio.run(create_topics(settings.kafka_bootstrap_servers, specs))
    print(json.dumps({"declared": [s.name for s in specs], "created": created}))


if __name__ == "__main__":
    main()
