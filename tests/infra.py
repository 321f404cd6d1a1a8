"""Test infrastructure: the real PostgreSQL and Kafka, and services run as processes.

`DATABASE_URL` / `KAFKA_BOOTSTRAP_SERVERS` come from the environment when set; else
PostgreSQL and Kafka containers (testcontainers, images from `POSTGRES_IMAGE` and
`KAFKA_IMAGE`) when a Docker engine answers; else `deploy/local/up.sh` starts the local
processes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql://concierge:concierge@127.0.0.1:55432/concierge"
DEFAULT_KAFKA = "127.0.0.1:59092"


def _reachable(host_port: str) -> bool:
    host, port = host_port.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def provided_infra() -> Iterator[tuple[str, str]]:
    """(database URL, Kafka bootstrap servers) for a test session; see the module doc."""
    from_env = "DATABASE_URL" in os.environ or "KAFKA_BOOTSTRAP_SERVERS" in os.environ
    if not from_env and docker_answers():
        with containers() as endpoints:
            yield endpoints
        return
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA)
    pg_host_port = database_url.split("@", 1)[1].split("/", 1)[0]
    if not (_reachable(pg_host_port) and _reachable(kafka.split(",")[0])):
        subprocess.run([str(ROOT / "deploy/local/up.sh")], check=True, stdout=subprocess.DEVNULL)
    yield database_url, kafka


def docker_answers() -> bool:
    try:
        import docker  # testcontainers' client, a dev dependency

        return bool(docker.from_env(timeout=5).ping())
    except Exception:
        return False


@contextmanager
def containers() -> Iterator[tuple[str, str]]:
    """PostgreSQL and a single KRaft Kafka broker in containers, removed afterwards.

    Images come from the environment or what deploy/images/build.sh chose (it builds
    local ones when no registry answers), like the compose stack's; Ryuk, testcontainers' reaper, is off
    since its image cannot be pulled everywhere: the context managers remove both.
    """
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    from testcontainers.community.postgres import PostgresContainer
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    kafka_port = free_port()
    postgres = PostgresContainer(
        image("POSTGRES_IMAGE", "postgres:15"),
        username="concierge", password="concierge", dbname="concierge", driver=None,
    ).with_command("postgres -c fsync=off -c synchronous_commit=off -c max_connections=300")  # fmt: skip
    kafka = (
        DockerContainer(image("KAFKA_IMAGE", "apache/kafka:4.3.1"))
        .with_bind_ports(19092, kafka_port)
        .with_envs(**SINGLE_BROKER)
        .with_env(
            "KAFKA_ADVERTISED_LISTENERS",
            f"INTERNAL://localhost:9092,EXTERNAL://127.0.0.1:{kafka_port}",
        )
        .waiting_for(LogMessageWaitStrategy("Kafka Server started"))
    )
    with postgres, kafka:
        yield postgres.get_connection_url(), f"127.0.0.1:{kafka_port}"


def image(variable: str, official: str) -> str:
    """An image name from the environment, else the one deploy/images/build.sh chose
    (.local/images.env), else the official image."""
    recorded = ROOT / ".local" / "images.env"
    chosen = dict(
        line.split("=", 1) for line in recorded.read_text().splitlines() if "=" in line
    ) if recorded.exists() else {}  # fmt: skip
    return os.environ.get(variable) or chosen.get(variable) or official


# The apache/kafka image configured through its KAFKA_* variables: one broker that is
# also the controller, like the local process (auto-created topics, one replica).
SINGLE_BROKER = {
    "KAFKA_NODE_ID": "1",
    "KAFKA_PROCESS_ROLES": "broker,controller",
    "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
    "KAFKA_LISTENERS": "INTERNAL://:9092,CONTROLLER://:9093,EXTERNAL://:19092",
    "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": (
        "INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT"
    ),
    "KAFKA_INTER_BROKER_LISTENER_NAME": "INTERNAL",
    "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
    "KAFKA_NUM_PARTITIONS": "3",
    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
    "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "10",
    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR": "1",
    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR": "1",
    "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
    "KAFKA_HEAP_OPTS": "-Xmx512m -Xms128m",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def process(args: list[str], env: dict[str, str], log_name: str) -> Iterator[subprocess.Popen]:
    """Run `python <args>` with `env` added; its output goes to .local/logs/tests/."""
    log_dir = ROOT / ".local" / "logs" / "tests"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{log_name}.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def wait_http(url: str, timeout: float = 30.0, headers: dict[str, str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1, headers=headers).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not become ready")


async def topic_partitions(bootstrap: str, topic: str) -> list[int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(
        p["partition"] for d in described if d["error_code"] == 0 for p in d["partitions"]
    )


async def read_topic(bootstrap: str, topic: str, timeout: float = 10.0) -> list[Any]:
    """Every message now in `topic`, from offset 0 to the current end."""
    partitions = await topic_partitions(bootstrap, topic)
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        messages: list[Any] = []
        deadline = time.monotonic() + timeout
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end")
            batch = await consumer.getmany(timeout_ms=500)
            for msgs in batch.values():
                messages.extend(msgs)
        return messages
    finally:
        await consumer.stop()


async def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    partitions = await topic_partitions(bootstrap, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


async def run_until_caught_up(runner: Any, topic: str, timeout: float = 60.0) -> None:
    """Run a ProjectionRunner (or a reaction's subscriber) until its committed positions
    reach the topic's end offsets."""
    ends = await end_offsets(runner.bootstrap_servers, topic)
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    await runner.connect()
    deadline = time.monotonic() + timeout
    try:
        while True:
            committed = await runner.committed_positions()
            done = {p: offset for (t, p), offset in committed.items() if t == topic}
            if all(done.get(p, 0) >= end for p, end in ends.items() if end > 0):
                return
            if task.done():
                task.result()
            if time.monotonic() > deadline:
                raise TimeoutError(f"projection did not catch up: {done} < {ends}")
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task


async def publish_all(
    app: Any, topic: str, contract_for: Any, infra: Any, timeout: float = 60, batch_size: int = 2000
) -> None:
    """Run an outbox relay until everything in `app`'s store is on `topic`."""
    from runtime.outbox import OutboxRelay

    total = app.recorder.max_notification_id() or 0
    relay = OutboxRelay(app, topic=topic, contract_for=contract_for, batch_size=batch_size,
                        bootstrap_servers=infra.kafka, database_url=infra.database_url)  # fmt: skip
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    conn = await asyncpg.connect(infra.database_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                done = await conn.fetchval(
                    f'SELECT last_notification_id FROM "{app.schema}".outbox_position'
                    " WHERE topic = $1", topic,
                )  # fmt: skip
            except asyncpg.UndefinedTableError:
                done = None
            if done is not None and done >= total:
                return
            if task.done():
                task.result()
            if time.monotonic() > deadline:
                raise TimeoutError("relay did not publish everything")
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await task
        await conn.close()


class PrivateStack:
    """PostgreSQL and Kafka of a test's own, started by `deploy/local/up.sh` on free ports
    with a state directory of their own: a test may stop and start them under a running
    service (the shared ones must keep running for everyone else)."""

    def __init__(self) -> None:
        self.state = Path(tempfile.mkdtemp(prefix="concierge-stack-"))
        pg_port, kafka_port, controller_port = free_port(), free_port(), free_port()
        self.database_url = f"postgresql://concierge:concierge@127.0.0.1:{pg_port}/concierge"
        self.kafka = f"127.0.0.1:{kafka_port}"
        self.env = {
            "CONCIERGE_STATE_DIR": str(self.state),
            "PG_PORT": str(pg_port),
            "DATABASE_URL": self.database_url,
            "KAFKA_PORT": str(kafka_port),
            "KAFKA_CONTROLLER_PORT": str(controller_port),
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
            "KAFKA_HEAP_OPTS": "-Xmx512m -Xms128m",
        }

    def up(self, *components: str) -> None:
        """Start `components` ("postgres", "kafka"); wait until they answer."""
        self._run("up.sh", *components)

    def down(self, *components: str) -> None:
        """Stop `components` (a fast PostgreSQL shutdown, a controlled Kafka one)."""
        self._run("down.sh", *components)

    def remove(self) -> None:
        self.down()
        shutil.rmtree(self.state, ignore_errors=True)

    def _run(self, script: str, *components: str) -> None:
        done = subprocess.run([str(ROOT / "deploy" / "local" / script), *components],
                              env={**os.environ, **self.env}, capture_output=True, text=True)  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"{script} {' '.join(components)} failed:\n{done.stderr}")


async def reactions_behind(bootstrap: str, namespace: str) -> int:
    """How many messages the consumer groups of a namespace (its reactions; projections
    keep their positions in PostgreSQL) have yet to commit, over every partition of every
    topic they have committed on."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        listed = await admin.list_consumer_groups()
        groups = [str(g[0]) for g in listed if str(g[0]).startswith(namespace)]
        committed = [await admin.list_consumer_group_offsets(group) for group in groups]
    finally:
        await admin.close()
    behind = 0
    for offsets in committed:
        done = {(tp.topic, tp.partition): max(meta.offset, 0) for tp, meta in offsets.items()}
        for topic in {topic for topic, _ in done}:
            for partition, end in (await end_offsets(bootstrap, topic)).items():
                behind += max(end - done.get((topic, partition), 0), 0)
    return behind
