"""Run the mail service: gRPC API, outbox relay, read model, tenant notices, the directory
following the tenancy roster, and the reminder / unresolved-archive sweep.

    python -m services.mail [rebuild] [--only api|relay|projection|notices|directory|sweep]
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg

from contracts import topics
from runtime.notify import notifier_from_env
from runtime.service import Part, Reaction, ServiceSpec, run_service
from services.mail.api import build_api, sweep_site
from services.mail.application import MailApplication, MailSettings
from services.mail.contract import TOPIC, contract_for
from services.mail.projections import MailQueries, MailReadModel
from services.mail.reactions import DirectoryFromTenancy, TenantNotices


def spec(settings: MailSettings | None = None) -> ServiceSpec:
    settings = settings or MailSettings()

    def parts(app: Any, pool: asyncpg.Pool) -> dict[str, Part]:
        queries = MailQueries(pool)

        async def sweep(stop: asyncio.Event) -> None:
            """Every five minutes, in one replica: reminders and the unresolved archive."""
            while not stop.is_set():
                for site_id in await queries.sites_with_uncollected():
                    await sweep_site(app, queries, site_id, None)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=300)

        return {"sweep": sweep}

    return ServiceSpec(
        context="mail",
        settings=settings,
        grpc_port=settings.mail_grpc_port,
        topic=TOPIC,
        make_app=lambda: MailApplication(settings),
        contract_for=contract_for,
        read_model=MailReadModel(),
        queries=MailQueries,
        build_api=build_api,
        reactions={
            "notices": Reaction(
                (topics.MAIL, topics.VISITOR), lambda app: TenantNotices(app, notifier_from_env())
            ),
            "directory": Reaction((topics.TENANCY,), DirectoryFromTenancy),
        },
        schedulers=parts,
        scheduler_names=("sweep",),
    )


if __name__ == "__main__":
    asyncio.run(run_service(spec()))
