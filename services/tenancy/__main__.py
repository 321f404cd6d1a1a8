"""Run the tenancy service: gRPC API, outbox relay and the read models.

python -m services.tenancy [rebuild] [--only api|relay|projection]
"""

from __future__ import annotations

import asyncio

from runtime.service import ServiceSpec, run_service
from services.tenancy.api import build_api
from services.tenancy.application import TenancyApplication, TenancySettings
from services.tenancy.contract import TOPIC, contract_for
from services.tenancy.projections import TenancyQueries, TenancyReadModel


def spec(settings: TenancySettings | None = None) -> ServiceSpec:
    settings = settings or TenancySettings()

    return ServiceSpec(
        context="tenancy",
        settings=settings,
        grpc_port=settings.tenancy_grpc_port,
        topic=TOPIC,
        make_app=lambda: TenancyApplication(settings),
        contract_for=contract_for,
        read_model=TenancyReadModel(),
        queries=TenancyQueries,
        build_api=build_api,
    )


if __name__ == "__main__":
    asyncio.run(run_service(spec()))
