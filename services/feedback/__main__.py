"""Run the feedback service: gRPC API, outbox relay, read models, and the consumer that
resolves complaints when their repair is verified.

    python -m services.feedback [rebuild] [--only api|relay|projection|repairs]
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts import topics
from runtime.projection import ProjectionRunner
from runtime.service import Part, ServiceSpec, run_service
from services.feedback.api import build_api
from services.feedback.application import FeedbackApplication, FeedbackSettings
from services.feedback.contract import TOPIC, contract_for
from services.feedback.projections import FeedbackQueries, FeedbackReadModel
from services.feedback.reactions import ComplaintsResolvedByRepairs


def spec(settings: FeedbackSettings | None = None) -> ServiceSpec:
    settings = settings or FeedbackSettings()

    def repairs(app: Any, pool: asyncpg.Pool) -> dict[str, Part]:
        runner = ProjectionRunner(
            ComplaintsResolvedByRepairs(app),
            topics=[settings.topic(topics.WORKORDER)],
            database_url=settings.database_url,
            bootstrap_servers=settings.kafka_bootstrap_servers,
            schema=settings.schema_name("feedback_read"),
        )
        return {"repairs": runner.run}

    return ServiceSpec(
        context="feedback",
        settings=settings,
        grpc_port=settings.feedback_grpc_port,
        topic=TOPIC,
        make_app=lambda: FeedbackApplication(settings),
        contract_for=contract_for,
        read_model=FeedbackReadModel(),
        queries=FeedbackQueries,
        build_api=build_api,
        extra_parts=repairs,
        extra_part_names=("repairs",),
    )


if __name__ == "__main__":
    asyncio.run(run_service(spec()))
