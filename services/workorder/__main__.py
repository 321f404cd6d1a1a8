"""Run the work-order service: gRPC API, outbox relay, read-model projection, and the
consumer that opens work orders for repair complaints.

python -m services.workorder [rebuild] [--only api|relay|projection]
"""

from __future__ import annotations

import asyncio

from contracts import topics
from runtime.service import Reaction, ServiceSpec, run_service
from services.workorder.api import build_api
from services.workorder.application import WorkOrderApplication, WorkOrderSettings
from services.workorder.contract import TOPIC, contract_for
from services.workorder.projections import WorkOrderQueries, WorkOrderReadModel
from services.workorder.reactions import RepairComplaints


def spec(settings: WorkOrderSettings | None = None) -> ServiceSpec:
    settings = settings or WorkOrderSettings()

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
        reactions={"complaints": Reaction((topics.FEEDBACK,), RepairComplaints)},
    )


if __name__ == "__main__":
    asyncio.run(run_service(spec()))
