"""Run the work-order service: gRPC API, outbox relay, read-model projection, and the
consumer that opens work orders for repair complaints.

python -m services.workorder [rebuild] [--only api|relay|projection]
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts import topics
from runtime.projection import ProjectionRunner
from runtime.service import Part, ServiceSpec, run_service
from services.workorder.api import build_api
from services.workorder.application import WorkOrderApplication, WorkOrderSettings
from services.workorder.contract import TOPIC, contract_for
from services.workorder.projections import WorkOrderQueries, WorkOrderReadModel
from services.workorder.reactions import RepairComplaints


def spec(settings: WorkOrderSettings | None = None) -> ServiceSpec:
    settings = settings or WorkOrderSettings()

    def complaints(app: Any, pool: asyncpg.Pool) -> dict[str, Part]:
        runner = ProjectionRunner(
            RepairComplaints(app),
            topics=[settings.topic(topics.FEEDBACK)],
            database_url=settings.database_url,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            schema=settings.schema_name("workorder_read"),
        )
        return {"complaints": runner.run}

    return ServiceSpec(
        context="workorder",
        settings=settings,
        grpc_port=settings.workorder_grpc_port,
        topic=TOPIC,
        make_app=lambda: WorkOrderApplication(settings),
        contract_for=contract_for,
        read_model=WorkOrderReadModel(),
        queries=WorkOrderQueries,
        build_api=build_api,
        extra_parts=complaints,
        extra_part_names=("complaints",),
    )


if __name__ == "__main__":
    asyncio.run(run_service(spec()))
