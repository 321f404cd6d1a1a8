"""Settings shared by every service, read from the environment (pydantic-settings).

Each service subclasses `ServiceSettings` with its own fields; defaults match the
local processes that `deploy/local/up.sh` starts, so nothing needs setting to run.
"""

from __future__ import annotations

from urllib.parse import urlparse

from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.auth import DEV_SECRET


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = "postgresql://concierge:concierge@127.0.0.1:55432/concierge"
    kafka_bootstrap_servers: str = "127.0.0.1:59092"
    # Prefix on every Postgres schema and Kafka topic; tests set a unique one per run.
    concierge_namespace: str = ""
    jwt_secret: str = DEV_SECRET  # the gateway refuses it unless JWT_ALLOW_DEV_SECRET
    jwt_issuer: str = "concierge-local"
    jwt_audience: str = "concierge"
    log_level: str = "INFO"
    outbox_batch_size: int = 2000
    # Port for this service's Prometheus /metrics (0: not served).
    metrics_port: int = 0
    # A projection further behind its topic's end than this (messages) is reported lagging
    # (readiness: degraded).
    projection_lag_threshold: int = 1000
    # Tests and demos may move the business clock through the gateway; never in production.
    concierge_clock_settable: bool = False
    # Address the gRPC API and /metrics listen on (0.0.0.0 in containers).
    listen_host: str = "127.0.0.1"
    # How topics are created (runtime.kafka.TopicSpec); the local single broker takes the
    # defaults, a cluster sets replication 3 and min ISR 2 so acks=all survives a broker.
    kafka_topic_partitions: int = 3
    kafka_replication_factor: int = 1
    kafka_min_insync_replicas: int = 1
    # Event topics are the record read models and BI rebuild from: kept forever.
    kafka_retention_ms: int = -1
    kafka_dlq_retention_ms: int = 14 * 24 * 3600 * 1000

    def postgres_env(self, schema: str) -> dict[str, str]:
        """The eventsourcing environment for a Postgres event store in `schema`."""
        url = urlparse(self.database_url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/"),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "",
            "POSTGRES_PASSWORD": url.password or "",
            "POSTGRES_SCHEMA": schema,
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "20",
            "POSTGRES_LOCK_TIMEOUT": "5",
            "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
            "APPLICATION_RECORDER_TOPIC": "runtime.eventstore:OrderedInsertRecorder",
        }

    def schema_name(self, name: str) -> str:
        """The namespaced Postgres schema for `name` (e.g. 'visitor')."""
        return f"{self.concierge_namespace}{name}" if self.concierge_namespace else name

    def topic(self, name: str) -> str:
        """The namespaced Kafka topic for a published topic name."""
        return f"{self.concierge_namespace}{name}" if self.concierge_namespace else name
