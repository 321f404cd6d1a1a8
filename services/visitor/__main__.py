"""Run the visitor service: gRPC API, outbox relay, read-model projection, day-end sweep.

python -m services.visitor                 # everything
python -m services.visitor --only relay    # one part (repeatable)
python -m services.visitor rebuild         # drop the read model, rebuild from offset 0
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from contracts import topics
from runtime.clock import clock
from runtime.kafka import ensure_topics
from runtime.outbox import OutboxRelay
from runtime.projection import ProjectionRunner
from runtime.rpc import serve
from runtime.service import configure_logging, parse_args, run_parts
from runtime.sites import site_timezone
from services.visitor.api import build_api
from services.visitor.application import VisitorApplication, VisitorSettings
from services.visitor.contract import TOPIC, contract_for
from services.visitor.projections import VisitorQueries, VisitorReadModel

log = logging.getLogger("services.visitor")


def projection_runner(settings: VisitorSettings) -> ProjectionRunner:
    return ProjectionRunner(
        VisitorReadModel(),
        topics=[settings.topic(topics.VISITOR)],
        database_url=settings.database_url,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        schema=settings.schema_name("visitor_read"),
    )


async def main() -> None:
    settings = VisitorSettings()
    configure_logging(settings.log_level)
    args = parse_args(["api", "relay", "projection", "day_end"])
    runner = projection_runner(settings)
    if args.command == "rebuild":
        await runner.reset()
        await runner.close()
        log.info("read model dropped; the projection rebuilds it from offset 0 on start")
        return
    await ensure_topics(settings.kafka_bootstrap_servers, [settings.topic(TOPIC)])
    app = VisitorApplication(settings)
    queries = VisitorQueries(await runner.connect())

    async def api(stop: asyncio.Event) -> None:
        server = await serve(build_api(app, queries), settings.visitor_grpc_port)
        log.info("visitor gRPC on port %s", settings.visitor_grpc_port)
        await stop.wait()
        await server.stop(grace=2)

    async def relay(stop: asyncio.Event) -> None:
        await OutboxRelay(
            app,
            topic=settings.topic(TOPIC),
            contract_for=contract_for,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            database_url=settings.database_url,
            batch_size=settings.outbox_batch_size,
        ).run(stop)

    async def day_end(stop: asyncio.Event) -> None:
        """At each site's day rollover, flag visitors still in from earlier days."""
        while not stop.is_set():
            for site_id in await queries.sites_with_visitors_in():
                yesterday = clock.today(site_timezone(site_id)) - timedelta(days=1)
                candidates = await queries.overstay_candidates(site_id, yesterday)
                if candidates:
                    await asyncio.to_thread(
                        app.flag_overstays, site_id, candidates, yesterday, None
                    )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=60)

    await run_parts(
        {"api": api, "relay": relay, "projection": runner.run, "day_end": day_end},
        args.only,
    )
    await runner.close()


if __name__ == "__main__":
    asyncio.run(main())
