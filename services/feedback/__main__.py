"""Run the feedback service: gRPC API, outbox relay, read models, the consumer that
resolves complaints when their repair is verified, and the one that follows the tenancy
roster (the complainants).

    python -m services.feedback [rebuild] [--only api|relay|projection|repairs|complainants]
"""

from __future__ import annotations

import asyncio

from contracts import topics
from runtime.service import Reaction, ServiceSpec, run_service
from services.feedback.api import build_api
from services.feedback.application import FeedbackApplication, FeedbackSettings
from services.feedback.contract import TOPIC, contract_for
from services.feedback.projections import FeedbackQueries, FeedbackReadModel
from services.feedback.reactions import ComplainantsFromTenancy, ComplaintsResolvedByRepairs


def spec(settings: FeedbackSettings | None = None) -> ServiceSpec:
    settings = settings or FeedbackSettings()

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
        reactions={
            "repairs": Reaction((topics.WORKORDER,), ComplaintsResolvedByRepairs),
            "complainants": Reaction((topics.TENANCY,), lambda app: ComplainantsFromTenancy()),
        },
    )


if __name__ == "__main__":
    asyncio.run(run_service(spec()))
