"""Visitor read models: who is in the building now, the daily log, visits per host/hour.

One `visits` row per visit holds its current state (the building-now view is its
checked-in rows, the daily log its rows by local date); `host_hourly` counts
check-ins per host and local hour; `phone_messages` the switchboard book.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from contracts import visitor as ev
from contracts.envelope import Envelope
from runtime.clock import local_date
from runtime.sites import site_timezone

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS visits (
    visit_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    business_date date NOT NULL,
    visitor_name text NOT NULL,
    visitor_company text,
    host_unit text NOT NULL,
    host_name text NOT NULL,
    purpose text NOT NULL,
    party_size int NOT NULL,
    pre_registered bool NOT NULL,
    status text NOT NULL,
    expected_from timestamptz,
    expected_until timestamptz,
    registered_at timestamptz NOT NULL,
    host_notified_at timestamptz,
    checked_in_at timestamptz,
    checked_out_at timestamptz,
    id_checked bool NOT NULL DEFAULT false,
    id_type text,
    denial_reason text,
    overstayed_on date);
CREATE INDEX IF NOT EXISTS visits_site_status ON visits (site_id, status);
CREATE INDEX IF NOT EXISTS visits_site_date ON visits (site_id, business_date);
CREATE TABLE IF NOT EXISTS host_hourly (
    site_id uuid, business_date date, host_unit text, host_name text, hour int,
    check_ins int NOT NULL,
    PRIMARY KEY (site_id, business_date, host_unit, host_name, hour));
CREATE TABLE IF NOT EXISTS phone_messages (
    message_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    caller_name text NOT NULL,
    caller_company text,
    caller_phone text NOT NULL,
    reason text NOT NULL,
    for_unit text NOT NULL,
    for_person text NOT NULL,
    taken_at timestamptz NOT NULL,
    delivered_at timestamptz,
    acknowledged_by text);
CREATE INDEX IF NOT EXISTS phone_messages_site ON phone_messages (site_id, delivered_at);
"""

INSERT_VISIT = """
INSERT INTO visits (visit_id, site_id, business_date, visitor_name, visitor_company, host_unit,
    host_name, purpose, party_size, pre_registered, status, expected_from, expected_until,
    registered_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
"""


class VisitorReadModel:
    name = "visitor_read_model"
    tables = ("visits", "host_hourly", "phone_messages")

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(SCHEMA_SQL)

    async def apply(self, conn: asyncpg.Connection, envelope: Envelope) -> None:
        e = envelope.data
        zone = site_timezone(e.site_id)
        match e:
            case ev.VisitorPreRegistered():
                await conn.execute(
                    INSERT_VISIT, e.visit_id, e.site_id, local_date(e.expected_from, zone),
                    e.visitor_name, e.visitor_company, e.host_unit, e.host_name, e.purpose,
                    e.party_size, True, "expected", e.expected_from, e.expected_until,
                    e.occurred_at,
                )  # fmt: skip
            case ev.VisitorArrived():
                await conn.execute(
                    INSERT_VISIT, e.visit_id, e.site_id, local_date(e.occurred_at, zone),
                    e.visitor_name, e.visitor_company, e.host_unit, e.host_name, e.purpose,
                    e.party_size, False, "awaiting_host", None, None, e.occurred_at,
                )  # fmt: skip
            case ev.HostNotified():
                await conn.execute(
                    "UPDATE visits SET host_notified_at = $2 WHERE visit_id = $1",
                    e.visit_id, e.occurred_at,
                )  # fmt: skip
            case ev.VisitorCheckedIn():
                day = local_date(e.occurred_at, zone)
                await conn.execute(
                    "UPDATE visits SET status = 'checked_in', checked_in_at = $2,"
                    " business_date = $3, id_checked = $4, id_type = $5 WHERE visit_id = $1",
                    e.visit_id, e.occurred_at, day, e.id_checked, e.id_type,
                )  # fmt: skip
                hour = e.occurred_at.astimezone(ZoneInfo(zone)).hour
                await conn.execute(
                    "INSERT INTO host_hourly VALUES ($1, $2, $3, $4, $5, 1)"
                    " ON CONFLICT (site_id, business_date, host_unit, host_name, hour)"
                    " DO UPDATE SET check_ins = host_hourly.check_ins + 1",
                    e.site_id, day, e.host_unit, e.host_name, hour,
                )  # fmt: skip
            case ev.VisitDenied():
                await conn.execute(
                    "UPDATE visits SET status = 'denied', denial_reason = $2 WHERE visit_id = $1",
                    e.visit_id, e.reason,
                )  # fmt: skip
            case ev.VisitorCheckedOut():
                await conn.execute(
                    "UPDATE visits SET status = 'checked_out', checked_out_at = $2"
                    " WHERE visit_id = $1",
                    e.visit_id, e.occurred_at,
                )  # fmt: skip
            case ev.VisitorOverstayed():
                await conn.execute(
                    "UPDATE visits SET overstayed_on = $2 WHERE visit_id = $1",
                    e.visit_id, e.business_date,
                )  # fmt: skip
            case ev.PhoneMessageTaken():
                await conn.execute(
                    "INSERT INTO phone_messages (message_id, site_id, caller_name, caller_company,"
                    " caller_phone, reason, for_unit, for_person, taken_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    e.message_id, e.site_id, e.caller_name, e.caller_company, e.caller_phone,
                    e.reason, e.for_unit, e.for_person, e.occurred_at,
                )  # fmt: skip
            case ev.PhoneMessageDelivered():
                await conn.execute(
                    "UPDATE phone_messages SET delivered_at = $2, acknowledged_by = $3"
                    " WHERE message_id = $1",
                    e.message_id, e.occurred_at, e.acknowledged_by,
                )  # fmt: skip


class VisitorQueries:
    """Reads of the visitor read model, always filtered by site."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def in_building(self, site_id: UUID) -> list[dict[str, Any]]:
        return await self._rows(
            "SELECT * FROM visits WHERE site_id = $1 AND status = 'checked_in'"
            " ORDER BY checked_in_at, visit_id",
            site_id,
        )

    async def daily_log(self, site_id: UUID, day: date) -> list[dict[str, Any]]:
        return await self._rows(
            "SELECT * FROM visits WHERE site_id = $1 AND business_date = $2"
            " ORDER BY registered_at, visit_id",
            site_id,
            day,
        )

    async def host_hourly(self, site_id: UUID, day: date) -> list[dict[str, Any]]:
        return await self._rows(
            "SELECT host_unit, host_name, hour, check_ins FROM host_hourly"
            " WHERE site_id = $1 AND business_date = $2 ORDER BY host_unit, host_name, hour",
            site_id,
            day,
        )

    async def phone_messages(self, site_id: UUID, undelivered_only: bool) -> list[dict[str, Any]]:
        return await self._rows(
            "SELECT * FROM phone_messages WHERE site_id = $1"
            " AND (NOT $2 OR delivered_at IS NULL) ORDER BY taken_at, message_id",
            site_id,
            undelivered_only,
        )

    async def overstay_candidates(self, site_id: UUID, day: date) -> list[UUID]:
        """Visits still checked in that began on or before `day` (the write side decides)."""
        rows = await self.pool.fetch(
            "SELECT visit_id FROM visits WHERE site_id = $1 AND status = 'checked_in'"
            " AND business_date <= $2",
            site_id,
            day,
        )
        return [r["visit_id"] for r in rows]

    async def sites_with_visitors_in(self) -> list[UUID]:
        rows = await self.pool.fetch(
            "SELECT DISTINCT site_id FROM visits WHERE status = 'checked_in'"
        )
        return [r["site_id"] for r in rows]

    async def _rows(self, query: str, *args: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.pool.fetch(query, *args)]
