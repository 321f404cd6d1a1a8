"""The work-order service's complaints reaction on the real Kafka and Postgres: it keeps
each complaint's site, category and status, opens the site's work order for a repair
complaint, and refuses an event that names a complaint from another site."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from contracts import feedback
from contracts.base import ContractEvent
from contracts.envelope import Envelope
from contracts.topics import FEEDBACK, dead_letter
from runtime.kafka import idempotent_producer
from runtime.projection import ProjectionRunner
from services.workorder.application import WorkOrderApplication, WorkOrderSettings
from services.workorder.domain import WorkOrder
from services.workorder.reactions import RepairComplaints
from tests.infra import read_topic, run_until_caught_up

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def envelope(data: ContractEvent, version: int) -> Envelope:
    subject = data.complaint_id  # type: ignore[attr-defined]
    return Envelope.wrap(data, aggregate_id=subject, version=version, time=NOW, correlation_id="c")


async def test_a_complaint_event_from_another_site_is_refused(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}known_"
    topic = f"{namespace}{FEEDBACK}"
    site_a, site_b, complaint = uuid4(), uuid4(), uuid4()
    common = {"complaint_id": complaint, "occurred_at": NOW}
    registered = feedback.ComplaintRegistered(
        site_id=site_a, **common, channel="phone", complainant="Zhou", unit="15C", company=None,
        contact_phone=None, category="repair", content="leak", deadline=NOW,
    )  # fmt: skip
    investigated = feedback.ComplaintInvestigated(
        site_id=site_a, **common, cause="property", notes="pipe"
    )
    messages = [
        envelope(registered, 1),
        # Site B claims site A's complaint: refused, never applied.
        envelope(feedback.ComplaintRejected(site_id=site_b, **common, reason="forged"), 2),
        envelope(investigated, 3),
    ]
    producer = idempotent_producer(infra.kafka)
    await producer.start()
    for message in messages:
        await producer.send_and_wait(
            topic, value=message.value(), key=message.key(), headers=message.headers()
        )
    await producer.stop()

    app = WorkOrderApplication(
        WorkOrderSettings(
            database_url=infra.database_url,
            kafka_bootstrap_servers=infra.kafka,
            concierge_namespace=namespace,
        )
    )
    runner = ProjectionRunner(
        RepairComplaints(app), topics=[topic], database_url=infra.database_url,
        bootstrap_servers=infra.kafka, schema=f"{namespace}workorder_read",
    )  # fmt: skip
    try:
        await run_until_caught_up(runner, topic)
        pool = await runner.connect()
        rows = [dict(r) for r in await pool.fetch("SELECT * FROM known_complaints")]
        order = app.repository.get(WorkOrder.create_id(site_a, complaint))
    finally:
        await runner.close()
        app.close()
    assert rows == [
        {"complaint_id": complaint, "site_id": site_a, "category": "repair",
         "status": "investigating"}
    ]  # fmt: skip
    assert (order.site_id, order.complaint_id) == (site_a, complaint)

    dead = await read_topic(infra.kafka, dead_letter(topic))
    assert [dict(m.headers)["ce_id"] for m in dead] == [messages[1].id.encode()]
    assert b"ForeignSiteReference" in dict(dead[0].headers)["dlq_error"]
