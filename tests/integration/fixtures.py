"""Builders shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID

from contracts.topics import BILLING
from runtime.aggregate import correlated
from runtime.clock import local_date
from runtime.projection import ProjectionRunner
from services.billing.application import BillingApplication, BillingSettings
from services.billing.contract import contract_for
from services.billing.domain import SEED_APPROVAL_CHAIN
from services.billing.money import Period
from services.billing.projections import BillingQueries, BillingReadModel
from services.visitor.application import VisitorApplication, VisitorSettings
from services.visitor.domain import Visit
from tests.infra import publish_all, run_until_caught_up

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def visitor_app(infra, namespace: str) -> VisitorApplication:  # type: ignore[no-untyped-def]
    return VisitorApplication(
        VisitorSettings(
            database_url=infra.database_url,
            kafka_bootstrap_servers=infra.kafka,
            concierge_namespace=namespace,
        )
    )


def complete_visits(app: VisitorApplication, site: UUID, count: int, per_save: int = 250) -> list:
    """`count` visits, each pre-registered, checked in (host notified) and out: 4 events each."""
    visits = []
    with correlated("bulk"):
        for start in range(0, count, per_save):
            batch = []
            for i in range(start, min(count, start + per_save)):
                visit = Visit.pre_register(
                    site_id=site, visitor_name=f"Visitor {i}", visitor_company=None,
                    host_unit=f"{i % 40 + 1}F", host_name=f"Host {i % 7}", purpose="meeting",
                    party_size=1, expected_from=NOW, expected_until=NOW + timedelta(hours=8),
                    at=NOW,
                )  # fmt: skip
                visit.check_in(id_checked=False, id_type=None, at=NOW + timedelta(minutes=i % 480))
                visit.check_out(at=NOW + timedelta(minutes=i % 480 + 30))
                batch.append(visit)
            app.save(*batch)
            visits += batch
    return visits


@contextmanager
def billing_app(infra, namespace: str) -> Iterator[BillingApplication]:  # type: ignore[no-untyped-def]
    """A billing application on the real PostgreSQL, closed after use (its connection
    pool would otherwise outlive the test on a shared server)."""
    app = BillingApplication(
        BillingSettings(
            database_url=infra.database_url,
            kafka_bootstrap_servers=infra.kafka,
            concierge_namespace=namespace,
        )
    )
    try:
        yield app
    finally:
        app.close()


async def billing_tables(app: BillingApplication, infra) -> tuple[ProjectionRunner, BillingQueries]:  # type: ignore[no-untyped-def]
    """Publish everything `app` stored and build the finance read model from it."""
    namespace = app.settings.concierge_namespace
    topic = f"{namespace}{BILLING}"
    await publish_all(app, topic, contract_for, infra)
    runner = ProjectionRunner(BillingReadModel(), topics=[topic], database_url=infra.database_url,
                              bootstrap_servers=infra.kafka, schema=f"{namespace}billing_read")  # fmt: skip
    await run_until_caught_up(runner, topic)
    return runner, BillingQueries(await runner.connect())


def sign_off(app: BillingApplication, site: UUID, period: Period) -> None:
    """The seed's chain signs the month's table off: CS manager, general manager,
    finance manager, three people."""
    for role in SEED_APPROVAL_CHAIN:
        app.approve(site, period, role, f"{role}-signer", None)


def this_month() -> Period:
    """The month it is now at a site, on the real clock (as a service process sees it):
    money is booked up to next month, never further ahead."""
    return Period.of(local_date(datetime.now(UTC)))
