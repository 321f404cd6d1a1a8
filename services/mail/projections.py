"""Mail read models: awaiting pickup per unit, the daily register, ageing of uncollected
items."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from contracts import mail as ev
from contracts.envelope import Envelope
from contracts.methods import Page
from runtime.clock import local_date
from runtime.readmodel import OneTableReadModel, RowSet
from runtime.sites import site_timezone

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS mail_items (
    item_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    business_date date NOT NULL,
    kind text NOT NULL,
    carrier text,
    tracking_number text,
    recipient_unit text,
    recipient_company text,
    recipient_person text,
    urgent bool NOT NULL,
    pages int,
    status text NOT NULL,
    received_at timestamptz NOT NULL,
    addressed_to text,
    notified_at timestamptz,
    reminders int NOT NULL DEFAULT 0,
    collected_at timestamptz,
    signed_by text,
    by_proxy bool,
    on_behalf_of text,
    archived_at timestamptz,
    archive_reason text,
    forwarded_to text);
-- Added later (existing tables gain the columns): a proxy pickup's phone consent, and
-- a courier's item refused at the desk (status 'refused', with why and who).
ALTER TABLE mail_items ADD COLUMN IF NOT EXISTS proxy_consent_phone text;
ALTER TABLE mail_items ADD COLUMN IF NOT EXISTS proxy_consent_at timestamptz;
ALTER TABLE mail_items ADD COLUMN IF NOT EXISTS refusal_reason text;
ALTER TABLE mail_items ADD COLUMN IF NOT EXISTS refused_by text;
-- The day's round (issue 12): the round an item went out on, and how it ended there.
ALTER TABLE mail_items ADD COLUMN IF NOT EXISTS round_id uuid;
ALTER TABLE mail_items ADD COLUMN IF NOT EXISTS delivered_at timestamptz;
ALTER TABLE mail_items ADD COLUMN IF NOT EXISTS delivered_by text;
ALTER TABLE mail_items ADD COLUMN IF NOT EXISTS left_at_desk_at timestamptz;
CREATE TABLE IF NOT EXISTS delivery_stops (
    round_id uuid, unit text, site_id uuid NOT NULL, business_date date NOT NULL,
    item_ids jsonb NOT NULL, newspapers jsonb NOT NULL, outcome text, delivered_by text,
    at timestamptz, PRIMARY KEY (round_id, unit));
CREATE INDEX IF NOT EXISTS delivery_stops_site_date ON delivery_stops (site_id, business_date);
CREATE INDEX IF NOT EXISTS mail_items_site_status ON mail_items (site_id, status);
CREATE INDEX IF NOT EXISTS mail_items_site_date ON mail_items (site_id, business_date);
"""

COLUMNS = (
    "item_id", "site_id", "business_date", "kind", "carrier", "tracking_number",
    "recipient_unit", "recipient_company", "recipient_person", "urgent", "pages", "status",
    "received_at", "addressed_to", "notified_at", "reminders", "collected_at", "signed_by",
    "by_proxy", "on_behalf_of", "archived_at", "archive_reason", "forwarded_to",
    "proxy_consent_phone", "proxy_consent_at", "refusal_reason", "refused_by", "round_id",
    "delivered_at", "delivered_by", "left_at_desk_at",
)  # fmt: skip
AGE_BUCKETS = (("under 1 day", 1), ("1-3 days", 3), ("3-7 days", 7), ("7+ days", None))


class MailReadModel(OneTableReadModel):
    """The register, one row per item; the directory's events are not the register's."""

    def __init__(self) -> None:
        super().__init__("mail_read_model", "mail_items", SCHEMA_SQL, COLUMNS, apply)
        self.tables = ("mail_items", "delivery_stops")

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        items = [envelope for envelope in envelopes if isinstance(envelope.data, ev.MailEvent)]
        await super().apply_batch(conn, items)
        for envelope in envelopes:  # the rounds' stops, keyed by round (site and day) and unit
            match e := envelope.data:
                case ev.DeliveryRoundPlanned():
                    await conn.executemany(
                        "INSERT INTO delivery_stops VALUES ($1, $2, $3, $4, $5::jsonb,"
                        " $6::jsonb, NULL, NULL, NULL)",
                        [(e.round_id, stop.unit, e.site_id, e.business_date,
                          json.dumps([str(i) for i in stop.item_ids]),
                          json.dumps(stop.newspapers)) for stop in e.stops],
                    )  # fmt: skip
                case ev.DeliveryRoundStopRecorded():
                    await conn.execute(
                        "UPDATE delivery_stops SET outcome = $3, delivered_by = $4, at = $5"
                        " WHERE round_id = $1 AND unit = $2",
                        e.round_id, e.unit, e.outcome.value, e.delivered_by, e.occurred_at,
                    )  # fmt: skip


def apply(items: RowSet, e: Any) -> None:
    key, at = e.item_id, e.occurred_at
    match e:
        case ev.MailReceived():
            items.create(
                key, site_id=e.site_id, business_date=local_date(at, site_timezone(e.site_id)),
                kind=e.kind.value, carrier=e.carrier, tracking_number=e.tracking_number,
                recipient_unit=e.recipient_unit, recipient_company=e.recipient_company,
                recipient_person=e.recipient_person, urgent=e.urgent, pages=e.pages,
                status="awaiting_pickup" if e.recipient_unit else "pending_lookup",
                received_at=at, reminders=0,
            )  # fmt: skip
        case ev.MailRecipientUnknown():
            items.update(key, status="pending_lookup", addressed_to=e.addressed_to)
        case ev.MailRecipientResolved():
            items.update(key, status="awaiting_pickup", recipient_unit=e.recipient_unit,
                         recipient_company=e.recipient_company,
                         recipient_person=e.recipient_person)  # fmt: skip
        case ev.RecipientNotified():
            items.update(key, notified_at=at)
        case ev.MailReminderSent():
            items.update(key, reminders=e.reminder)
        case ev.MailCollected():
            items.update(key, status="collected", collected_at=at, signed_by=e.signed_by,
                         by_proxy=e.by_proxy, on_behalf_of=e.on_behalf_of)  # fmt: skip
        case ev.MailRefused():
            items.create(
                key, site_id=e.site_id, business_date=local_date(at, site_timezone(e.site_id)),
                kind=e.kind.value, carrier=e.carrier, tracking_number=e.tracking_number,
                recipient_unit=e.recipient_unit, addressed_to=e.addressed_to, urgent=False,
                status="refused", received_at=at, reminders=0, refusal_reason=e.reason,
                refused_by=e.refused_by,
            )  # fmt: skip
        case ev.MailProxyConsentRecorded():
            items.update(key, proxy_consent_phone=e.phone, proxy_consent_at=e.given_at)
        case ev.MailOutForDelivery():
            items.update(key, status="out_for_delivery", round_id=e.round_id)
        case ev.MailDeliveredToUnit():
            items.update(key, status="delivered", delivered_at=at, delivered_by=e.delivered_by)
        case ev.MailLeftAtDesk():
            items.update(key, status="awaiting_pickup", left_at_desk_at=at)
        case ev.MailArchived():
            items.update(key, status="archived", archived_at=at, archive_reason=e.reason.value,
                         forwarded_to=e.forwarded_to)  # fmt: skip


class MailQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def awaiting_pickup(self, site_id: UUID) -> list[dict[str, Any]]:
        """Per unit, the items waiting to be collected (urgent first)."""
        rows = await self.pool.fetch(
            "SELECT * FROM mail_items WHERE site_id = $1 AND status = 'awaiting_pickup'"
            " ORDER BY recipient_unit, urgent DESC, received_at",
            site_id,
        )
        units: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            units[row["recipient_unit"]].append(dict(row))
        return [{"unit": unit, "items": items} for unit, items in units.items()]

    async def register(self, site_id: UUID, day: date, page: Page) -> list[dict[str, Any]]:
        """A day's items in the order received (a page of them, or all)."""
        rows = await self.pool.fetch(
            "SELECT * FROM mail_items WHERE site_id = $1 AND business_date = $2"
            " ORDER BY received_at, item_id LIMIT $3 OFFSET $4",
            site_id, day, page.limit, page.offset,
        )  # fmt: skip
        return [dict(r) for r in rows]

    async def ageing(self, site_id: UUID, now: datetime) -> dict[str, Any]:
        """Uncollected items (awaiting pickup or pending lookup) by how long they wait."""
        rows = await self.pool.fetch(
            "SELECT item_id, status, recipient_unit, received_at FROM mail_items"
            " WHERE site_id = $1 AND status IN ('awaiting_pickup', 'pending_lookup')",
            site_id,
        )
        buckets: dict[str, int] = {name: 0 for name, _ in AGE_BUCKETS}
        for row in rows:
            days = (now - row["received_at"]).total_seconds() / 86400
            name = next(n for n, limit in AGE_BUCKETS if limit is None or days < limit)
            buckets[name] += 1
        return {"as_of": now, "uncollected": len(rows), "buckets": buckets}

    async def round_stops(self, site_id: UUID, day: date) -> list[dict[str, Any]]:
        """The stops of a site's round on a local day, by unit."""
        rows = await self.pool.fetch(
            "SELECT round_id, business_date, unit, item_ids, newspapers, outcome, delivered_by,"
            " at FROM delivery_stops WHERE site_id = $1 AND business_date = $2 ORDER BY unit",
            site_id, day,
        )  # fmt: skip
        return [{**dict(r), "item_ids": json.loads(r["item_ids"]),
                 "newspapers": json.loads(r["newspapers"])} for r in rows]  # fmt: skip

    async def sweep_candidates(self, site_id: UUID) -> tuple[list[UUID], list[UUID]]:
        rows = await self.pool.fetch(
            "SELECT item_id, status FROM mail_items WHERE site_id = $1"
            " AND status IN ('awaiting_pickup', 'pending_lookup')",
            site_id,
        )
        awaiting = [r["item_id"] for r in rows if r["status"] == "awaiting_pickup"]
        pending = [r["item_id"] for r in rows if r["status"] == "pending_lookup"]
        return awaiting, pending

    async def sites_with_uncollected(self) -> list[UUID]:
        rows = await self.pool.fetch(
            "SELECT DISTINCT site_id FROM mail_items"
            " WHERE status IN ('awaiting_pickup', 'pending_lookup')"
        )
        return [r["site_id"] for r in rows]
