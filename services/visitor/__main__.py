"""Run the visitor service: gRPC API, outbox relay, read-model projection, day-end sweep,
and the consumer that keeps each site's units from the mail directory.

python -m services.visitor                 # everything
python -m services.visitor --only relay    # one part (repeatable)
python -m services.visitor rebuild         # rebuild the read model online, from offset 0
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import asyncpg

from contracts import topics
from runtime.clock import clock
from runtime.service import Part, Reaction, ServiceSpec, run_service
from runtime.sites import site_timezone
from services.visitor.api import build_api
from services.visitor.application import VisitorApplication, VisitorSettings
from services.visitor.contract import TOPIC, contract_for
from services.visitor.projections import VisitorQueries, VisitorReadModel
from services.visitor.reactions import SiteRoster


def day_end_sweep(app: VisitorApplication, pool: asyncpg.Pool) -> dict[str, Part]:
    queries = VisitorQueries(pool)

    async def day_end(stop: asyncio.Event) -> None:
        """At each site's day rollover, flag visitors still in from earlier days (run by
        the leader replica only)."""
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

    return {"day_end": day_end}


def spec(settings: VisitorSettings | None = None) -> ServiceSpec:
    settings = settings or VisitorSettings()

    return ServiceSpec(
        context="visitor",
        settings=settings,
        grpc_port=settings.visitor_grpc_port,
        topic=TOPIC,
        make_app=lambda: VisitorApplication(settings),
        contract_for=contract_for,
        read_model=VisitorReadModel(),
        queries=VisitorQueries,
        build_api=build_api,
        reactions={"roster": Reaction((topics.MAIL, topics.TENANCY), lambda app: SiteRoster())},
        schedulers=day_end_sweep,
        scheduler_names=("day_end",),
    )


if __name__ == "__main__":
    asyncio.run(run_service(spec()))
