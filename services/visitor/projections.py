"""Visitor read models: who is in the building now, the daily log, visits per host/hour,
and the units of each site a visit may name.

One `visits` row per visit holds its current state (the building-now view is its
checked-in rows, the daily log its rows by local date); `host_hourly` counts
check-ins per host and local hour; `phone_messages` the switchboard book;
`site_units` the units of each site's mail directory (kept by the roster reaction);
the front office's registers (calls, desk days, VIP receptions) in `registers`, the
building services' orders in `service_orders`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from contracts import visitor as ev
from contracts.envelope import Envelope
from contracts.methods import Page
from runtime.clock import local_date
from runtime.readmodel import Keys, RowSet
from runtime.sites import site_timezone
from services.visitor.domain import UnitStanding
from services.visitor.registers import (
    REGISTER_KEYS,
    REGISTERS_SQL,
    TABLES,
    RegisterFold,
    RegisterQueries,
)
from services.visitor.service_orders import (
    SERVICE_ORDER_TABLES,
    SERVICE_ORDERS_SQL,
    ServiceOrderFold,
    ServiceOrderQueries,
)

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
SITE_UNITS_SQL = """
CREATE TABLE IF NOT EXISTS site_units (
    site_id uuid, unit text, moved_out bool NOT NULL,
    PRIMARY KEY (site_id, unit));
"""

VISIT_COLUMNS = (
    "visit_id", "site_id", "business_date", "visitor_name", "visitor_company", "host_unit",
    "host_name", "purpose", "party_size", "pre_registered", "status", "expected_from",
    "expected_until", "registered_at", "host_notified_at", "checked_in_at", "checked_out_at",
    "id_checked", "id_type", "denial_reason", "overstayed_on",
)  # fmt: skip
MESSAGE_COLUMNS = (
    "message_id", "site_id", "caller_name", "caller_company", "caller_phone", "reason",
    "for_unit", "for_person", "taken_at", "delivered_at", "acknowledged_by",
)  # fmt: skip


# The ids by which a batch's events name the rows they change (read once per batch).
KEYS = ("visit_id", "message_id", *REGISTER_KEYS, "order_id")

ADD_HOURLY = (
    "INSERT INTO host_hourly VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (site_id, business_date, host_unit, host_name, hour)"
    " DO UPDATE SET check_ins = host_hourly.check_ins + EXCLUDED.check_ins"
)


class VisitorReadModel:
    """Folds a batch of events over the rows it touches, then writes them in bulk.

    Reading the touched rows once and upserting them once per batch (instead of one
    statement per event) is what lets a rebuild run at tens of thousands of events/s.
    """

    name = "visitor_read_model"
    tables = ("visits", "host_hourly", "phone_messages", *TABLES, *SERVICE_ORDER_TABLES)

    async def setup(self, conn: asyncpg.Connection) -> None:
        # The API reads site_units too, so the table exists from the first start,
        # whichever part runs first; the roster reaction owns (and rebuilds) its rows.
        await conn.execute(SCHEMA_SQL + SITE_UNITS_SQL + REGISTERS_SQL + SERVICE_ORDERS_SQL)

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        events = [envelope.data for envelope in envelopes]
        keys = Keys(events, KEYS)
        fold = _Fold(
            await RowSet.load(conn, "visits", VISIT_COLUMNS, keys["visit_id"]),
            await RowSet.load(conn, "phone_messages", MESSAGE_COLUMNS, keys["message_id"]),
        )
        registers = await RegisterFold.load(conn, events, keys)
        services = await ServiceOrderFold.load(conn, keys)
        for event in events:
            fold.apply(event)
            registers.apply(event)
            services.apply(event)
        await fold.visits.save(conn)
        await fold.messages.save(conn)
        await registers.save(conn)
        await services.save(conn)
        if fold.hourly:
            await conn.executemany(ADD_HOURLY, [(*k, n) for k, n in fold.hourly.items()])


class _Fold:
    """How each published visitor event changes the read-model rows (in memory)."""

    def __init__(self, visits: RowSet, messages: RowSet) -> None:
        self.visits = visits
        self.messages = messages
        self.hourly: Counter[tuple[UUID, date, str, str, int]] = Counter()
        self.zones: dict[UUID, str] = {}  # each site's zone, read once per batch

    def apply(self, e: Any) -> None:
        zone = self.zones.get(e.site_id) or self.zones.setdefault(
            e.site_id, site_timezone(e.site_id)
        )
        match e:
            case ev.VisitorPreRegistered() | ev.VisitorArrived():
                pre = isinstance(e, ev.VisitorPreRegistered)
                self.visits.create(
                    e.visit_id, site_id=e.site_id,
                    business_date=local_date(e.expected_from if pre else e.occurred_at, zone),
                    visitor_name=e.visitor_name, visitor_company=e.visitor_company,
                    host_unit=e.host_unit, host_name=e.host_name, purpose=e.purpose,
                    party_size=e.party_size, pre_registered=pre,
                    status="expected" if pre else "awaiting_host",
                    expected_from=e.expected_from if pre else None,
                    expected_until=e.expected_until if pre else None,
                    registered_at=e.occurred_at, id_checked=not pre and e.id_checked,
                    id_type=None if pre else e.id_type,
                )  # fmt: skip
            case ev.HostNotified():
                self.visits.update(e.visit_id, host_notified_at=e.occurred_at)
            case ev.VisitorCheckedIn():
                day = local_date(e.occurred_at, zone)
                self.visits.update(
                    e.visit_id, status="checked_in", checked_in_at=e.occurred_at,
                    business_date=day, id_checked=e.id_checked, id_type=e.id_type,
                )  # fmt: skip
                hour = e.occurred_at.astimezone(ZoneInfo(zone)).hour
                self.hourly[(e.site_id, day, e.host_unit, e.host_name, hour)] += 1
            case ev.VisitDenied():
                self.visits.update(e.visit_id, status="denied", denial_reason=e.reason)
            case ev.VisitorCheckedOut():
                self.visits.update(e.visit_id, status="checked_out", checked_out_at=e.occurred_at)
            case ev.VisitorOverstayed():
                self.visits.update(e.visit_id, overstayed_on=e.business_date)
            case ev.PhoneMessageTaken():
                self.messages.create(
                    e.message_id, site_id=e.site_id, caller_name=e.caller_name,
                    caller_company=e.caller_company, caller_phone=e.caller_phone,
                    reason=e.reason, for_unit=e.for_unit, for_person=e.for_person,
                    taken_at=e.occurred_at,
                )  # fmt: skip
            case ev.PhoneMessageDelivered():
                self.messages.update(
                    e.message_id, delivered_at=e.occurred_at, acknowledged_by=e.acknowledged_by
                )


class VisitorQueries(RegisterQueries, ServiceOrderQueries):
    """Reads of the visitor read model, always filtered by site."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def unit_standing(self, site_id: UUID, unit: str) -> UnitStanding:
        """What the site's roster says of `unit` (no roster yet: nothing to check)."""
        row = await self.pool.fetchrow(
            "SELECT EXISTS (SELECT 1 FROM site_units WHERE site_id = $1) AS roster,"
            " (SELECT moved_out FROM site_units WHERE site_id = $1 AND unit = $2) AS moved_out",
            site_id, unit,
        )  # fmt: skip
        if not row["roster"]:
            return UnitStanding.NO_ROSTER
        if row["moved_out"] is None:
            return UnitStanding.NOT_LISTED
        return UnitStanding.MOVED_OUT if row["moved_out"] else UnitStanding.LISTED

    async def in_building(self, site_id: UUID) -> list[dict[str, Any]]:
        return await self._rows(
            "SELECT * FROM visits WHERE site_id = $1 AND status = 'checked_in'"
            " ORDER BY checked_in_at, visit_id",
            site_id,
        )

    async def daily_log(self, site_id: UUID, day: date, page: Page) -> list[dict[str, Any]]:
        """A day's visits in the order registered (a page of them, or all)."""
        return await self._rows(
            "SELECT * FROM visits WHERE site_id = $1 AND business_date = $2"
            " ORDER BY registered_at, visit_id LIMIT $3 OFFSET $4",
            site_id, day, page.limit, page.offset,
        )  # fmt: skip

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
