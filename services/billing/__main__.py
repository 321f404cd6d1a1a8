"""Run the billing service: gRPC API, outbox relay, finance read models, the paid-repair
consumer of `concierge.workorder.v1`, the tenancy consumer of `concierge.tenancy.v1` and
the building services' consumer of `concierge.visitor.v1`.

    python -m services.billing [rebuild]
        [--only api|relay|projection|paid_repairs|tenancy|service_orders]
"""

from __future__ import annotations

import asyncio

from contracts import topics
from runtime.service import Reaction, ServiceSpec, run_service
from services.billing.api import build_api
from services.billing.application import BillingApplication, BillingSettings
from services.billing.contract import TOPIC, contract_for
from services.billing.notice_roster import TenantRoster
from services.billing.projections import BillingQueries, BillingReadModel
from services.billing.reactions import PaidRepairCharges, TenancyCharges
from services.billing.service_charges import ServiceOrderCharges


def spec(settings: BillingSettings | None = None) -> ServiceSpec:
    settings = settings or BillingSettings()

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
        reactions={
            # the tenants printed notices name (--only tenant_roster)
            "tenant_roster": Reaction((topics.TENANCY,), lambda app: TenantRoster()),
            "paid_repairs": Reaction((topics.WORKORDER,), PaidRepairCharges),
            "tenancy": Reaction((topics.TENANCY,), TenancyCharges),
            "service_orders": Reaction((topics.VISITOR,), ServiceOrderCharges),
        },
    )


if __name__ == "__main__":
    asyncio.run(run_service(spec()))
