"""Running a service: its parts as asyncio tasks in one process, stopped on a signal.

Each service's `__main__` lists its parts (gRPC API, outbox relay, projection, reactions
as faststream subscribers (runtime.reaction), schedulers); `--only` runs a subset, so a
relay or a projection can run and be killed on its own. Start-up waits out a PostgreSQL
or Kafka outage (a bug there ends the process); after it, a failed part is restarted
with backoff while the others go on (`runtime.outage`). The relay and the schedulers run
only in the replica holding the service's lock (`runtime.leadership`). The gRPC API
answers `Ping` with the health its projections and reactions report (runtime.health);
operator commands (`rebuild`, `dead-letters`) are in runtime.operations.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import logging
import signal
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from prometheus_client import start_http_server

from contracts.methods import CallContext
from contracts.operations_api import ClockNow, ClockRequest, set_clock
from runtime.clock import apply_change
from runtime.collector import freeze_long_lived_objects
from runtime.errors import Forbidden
from runtime.eventstore import ServiceApplication
from runtime.health import UNAVAILABLE, ServiceHealth, add_health
from runtime.kafka import ensure_topics
from runtime.leadership import Leadership
from runtime.operations import add_operator_commands, run_operator_command
from runtime.outage import Part, kept_running, outlasting_outages
from runtime.outbox import ContractMapper, OutboxRelay
from runtime.projection import Projection, ProjectionRunner
from runtime.reaction import ReactionSubscriber
from runtime.rpc import RpcService, serve
from runtime.settings import ServiceSettings

HEALTH_INTERVAL = 1.0  # seconds between updates of the standard gRPC health service


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM: every part stops cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run_parts(parts: dict[str, Part], stop: asyncio.Event) -> None:
    """Run every part, each restarted whenever it fails, until `stop` is set."""
    logging.getLogger(__name__).info("running %s", ", ".join(parts))
    await asyncio.gather(*(kept_running(name, part)(stop) for name, part in parts.items()))


def parse_args(parts: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", choices=parts, help="run only these parts")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the service's parts (the default)")
    add_operator_commands(commands)
    args = parser.parse_args()
    args.command = args.command or "serve"
    return args


@dataclass(frozen=True)
class Reaction:
    topics: tuple[str, ...]  # published topic names (un-namespaced)
    make: Callable[[Any], Projection]  # application -> the consumer's apply_batch holder


@dataclass
class ServiceSpec:
    """What one service runs: its application, contract mapping, read model and API."""

    context: str  # "visitor", "workorder", ...
    settings: ServiceSettings
    grpc_port: int
    topic: str  # published topic (un-namespaced)
    make_app: Callable[[], ServiceApplication]
    contract_for: ContractMapper
    read_model: Projection
    queries: Callable[[asyncpg.Pool], Any]  # the read model's queries, given its pool
    build_api: Callable[[Any, Any], RpcService]  # (application, queries) -> gRPC API
    # Reactions to other contexts, by part name: a consumer of those (published) topics
    # that turns their events into this service's commands, given the application.
    reactions: dict[str, Reaction] = field(default_factory=dict)
    # Schedulers (day end, reminders, sweeps), by name, given the application and the
    # read model's pool: they run only in the replica holding the service's lock.
    schedulers: Callable[[Any, asyncpg.Pool], dict[str, Part]] = field(default=lambda app, pool: {})
    scheduler_names: tuple[str, ...] = ()

    @property
    def read_schema(self) -> str:
        """The schema of the read model and of every consumer's bookkeeping."""
        return self.settings.schema_name(f"{self.context}_read")

    def runner(
        self,
        projection: Projection,
        topics: Iterable[str],
        kind: type[ProjectionRunner] = ProjectionRunner,
    ) -> ProjectionRunner:
        """A runner for one of this service's consumers of (published) `topics`."""
        return kind(
            projection,
            topics=[self.settings.topic(t) for t in topics],
            database_url=self.settings.database_url,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            schema=self.read_schema,
        )

    def read_model_runner(self) -> ProjectionRunner:
        return self.runner(self.read_model, [self.topic])

    def reaction_runners(self, app: Any) -> dict[str, ProjectionRunner]:
        """The reactions' faststream subscribers (runtime.reaction), by part name."""
        return {name: self.runner(r.make(app), r.topics, ReactionSubscriber)
                for name, r in self.reactions.items()}  # fmt: skip


def add_clock_control(rpc: RpcService, *, settable: bool) -> None:
    """`SetClock`: lets tests and demos move this service's business clock."""

    @rpc.implements(set_clock(rpc.name))
    async def change_clock(request: ClockRequest, call: CallContext) -> ClockNow:
        if not settable:
            raise Forbidden("the business clock is not settable in this deployment")
        return ClockNow(now=apply_change(request.payload))


async def run_service(spec: ServiceSpec) -> None:
    """`python -m services.<context> [--only PART ...] [serve]`, or an operator command
    (`rebuild`, `dead-letters ...`, see runtime.operations)."""
    settings = spec.settings
    configure_logging(settings.log_level)
    args = parse_args(["api", "relay", "projection", *spec.reactions, *spec.scheduler_names])
    if args.command != "serve":
        raise SystemExit(await run_operator_command(spec, args))
    runner = spec.read_model_runner()
    stop = stop_on_signals()
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=settings.listen_host)
    started = await outlasting_outages("start-up", lambda: start(spec, runner), stop)
    if started is None:
        return  # stopped while waiting for PostgreSQL or Kafka
    app, pool = started
    reactions = spec.reaction_runners(app)
    every_replica, leader_only = background_parts(spec, app, pool, runner, reactions)
    wanted = set(args.only or ["api", *every_replica, *leader_only])
    chosen = {name: part for name, part in every_replica.items() if name in wanted}
    led = {name: part for name, part in leader_only.items() if name in wanted}
    if led:
        leadership = Leadership(settings.database_url, scope=app.schema)
        chosen["leader"] = leadership.guard(functools.partial(run_parts, led))
    consumers = {"projection": runner, **reactions}
    health = ServiceHealth(  # of the consumers this process runs
        spec.context,
        [c.health for name, c in consumers.items() if name in wanted],
        settings.projection_lag_threshold,
    )
    try:
        if "api" in wanted:
            chosen = {"api": await serve_api(spec, app, pool, health), **chosen}
        freeze_long_lived_objects()  # every part's (a full collection stalled every call)
        await run_parts(chosen, stop)
    finally:
        for consumer in consumers.values():
            await consumer.close()


async def start(spec: ServiceSpec, runner: ProjectionRunner) -> tuple[Any, asyncpg.Pool]:
    """What every part needs: the topics, the event store and the read model's pool."""
    settings = spec.settings
    # Create the topics this service reacts to as well, with the same partitions, rather
    # than rely on the broker auto-creating them (production clusters turn that off);
    # each with its dead-letter topic, so parking a message never waits on auto-creation.
    consumed = {settings.topic(t) for reaction in spec.reactions.values() for t in reaction.topics}
    await ensure_topics(settings, sorted({settings.topic(spec.topic), *consumed}))
    app = await asyncio.to_thread(spec.make_app)
    return app, await runner.connect()


async def serve_api(spec: ServiceSpec, app: Any, pool: asyncpg.Pool, health: ServiceHealth) -> Part:
    """Start the gRPC API (a port that cannot be bound ends the process: a bug at
    start-up); the part keeps it until the service stops."""
    rpc = spec.build_api(app, spec.queries(pool))
    add_clock_control(rpc, settable=spec.settings.concierge_clock_settable)
    add_health(rpc, health)
    server = await serve(rpc, spec.grpc_port, spec.settings.listen_host)
    logging.getLogger(f"services.{spec.context}").info(
        "%s gRPC on port %s", spec.context, spec.grpc_port
    )

    async def api(stop: asyncio.Event) -> None:
        """Keep the standard gRPC health service in step with `Ping` (not serving while
        the service's database is unreachable) until the service stops."""
        while not stop.is_set():
            await rpc.report_health(health.report()["status"] != UNAVAILABLE)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), HEALTH_INTERVAL)
        await rpc.report_health(False)
        await server.stop(grace=2)

    return api


def background_parts(
    spec: ServiceSpec,
    app: Any,
    pool: asyncpg.Pool,
    runner: ProjectionRunner,
    reactions: dict[str, ProjectionRunner],
) -> tuple[dict[str, Part], dict[str, Part]]:
    """The parts but the API, by name: those every replica runs (the projection and the
    reactions share the partitions), and those only the leader runs (the relay and the
    schedulers: one of each per service)."""
    settings = spec.settings

    async def relay(stop: asyncio.Event) -> None:
        await OutboxRelay(
            app,
            topic=settings.topic(spec.topic),
            contract_for=spec.contract_for,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            database_url=settings.database_url,
            batch_size=settings.outbox_batch_size,
        ).run(stop)

    every_replica: dict[str, Part] = {"projection": runner.run}
    every_replica.update({name: reaction.run for name, reaction in reactions.items()})
    return every_replica, {"relay": relay, **spec.schedulers(app, pool)}
