"""Run the billing service: gRPC API, outbox relay, finance read models, and the
paid-repair consumer of `concierge.workorder.v1`.

    python -m services.billing [rebuild] [--only api|relay|projection|paid_repairs]
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts import topics
from runtime.projection import ProjectionRunner
from runtime.service import Part, ServiceSpec, run_service
from services.billing.api import build_api
from services.billing.application import BillingApplication, BillingSettings
from services.billing.contract import TOPIC, contract_for
from services.billing.projections import BillingQueries, BillingReadModel
from services.billing.reactions import PaidRepairCharges


def spec(settings: BillingSettings | None = None) -> ServiceSpec:
    settings = settings or BillingSettings()

    def paid_repairs(app: Any, pool: asyncpg.Pool) -> dict[str, Part]:
        runner = ProjectionRunner(
            PaidRepairCharges(app),
            topics=[settings.topic(topics.WORKORDER)],
            database_url=settings.database_url,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            schema=settings.schema_name("billing_read"),
        )
        return {"paid_repairs": runner.run}

    return ServiceSpec(
        context="billing",
        settings=settings,
        grpc_port=settings.billing_grpc_port,
        topic=TOPIC,
        make_app=lambda: BillingApplication(settings),
        contract_for=contract_for,
        read_model=BillingReadModel(),
        queries=BillingQueries,
        build_api=build_api,
        extra_parts=paid_repairs,
        extra_part_names=("paid_repairs",),
    )


if __name__ == "__main__":
    asyncio.run(run_service(spec()))
