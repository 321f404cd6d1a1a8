"""Visitor read models: who is in the building now, the daily log, visits per host/hour,
and the units of each site a visit may name.

One `visits` row per visit holds its current state (the building-now view is its
checked-in rows, the daily log its rows by local date); `host_hourly` counts
check-ins per host and local hour; `phone_messages` the switchboard book;
`site_units` the units of each site's mail directory (kept by the roster reaction);
`calls` the switchboard's call register, one row per call; `desk_days` the desk's
day (opening checks, shift handovers, closing), one row per site and date.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from contracts import visitor as ev
from contracts.envelope import Envelope
from runtime.clock import local_date
from runtime.readmodel import RowSet
from runtime.sites import site_timezone
from services.visitor.domain import UnitStanding

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
CREATE TABLE IF NOT EXISTS calls (
    call_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    business_date date NOT NULL,
    received_at timestamptz NOT NULL,
    caller_name text NOT NULL,
    caller_company text,
    caller_number text NOT NULL,
    reason text NOT NULL,
    category text NOT NULL,
    important bool NOT NULL,
    passed_to text,
    status text NOT NULL,
    signed_for_by text,
    follow_ups int NOT NULL,
    last_progress text,
    result text,
    signed_off_by text);
CREATE INDEX IF NOT EXISTS calls_site_date ON calls (site_id, business_date);
CREATE TABLE IF NOT EXISTS desk_days (
    desk_day_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    business_date date NOT NULL,
    opened_by text NOT NULL,
    opened_at timestamptz NOT NULL,
    opening_checks jsonb NOT NULL,
    opening_note text,
    handovers jsonb NOT NULL,
    closed_by text,
    closed_at timestamptz,
    closing_checks jsonb,
    closing_note text,
    summary text,
    for_tomorrow jsonb NOT NULL,
    UNIQUE (site_id, business_date));
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

CALL_COLUMNS = (
    "call_id", "site_id", "business_date", "received_at", "caller_name", "caller_company",
    "caller_number", "reason", "category", "important", "passed_to", "status",
    "signed_for_by", "follow_ups", "last_progress", "result", "signed_off_by",
)  # fmt: skip

DESK_DAY_COLUMNS = (
    "desk_day_id", "site_id", "business_date", "opened_by", "opened_at", "opening_checks",
    "opening_note", "handovers", "closed_by", "closed_at", "closing_checks", "closing_note",
    "summary", "for_tomorrow",
)  # fmt: skip
JSON_COLUMNS = ("opening_checks", "handovers", "closing_checks", "for_tomorrow")


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
    tables = ("visits", "host_hourly", "phone_messages", "calls", "desk_days")

    async def setup(self, conn: asyncpg.Connection) -> None:
        # The API reads site_units too, so the table exists from the first start,
        # whichever part runs first; the roster reaction owns (and rebuilds) its rows.
        await conn.execute(SCHEMA_SQL + SITE_UNITS_SQL)

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        events = [envelope.data for envelope in envelopes]
        visit_ids = list({e.visit_id for e in events if hasattr(e, "visit_id")})
        message_ids = list({e.message_id for e in events if hasattr(e, "message_id")})
        call_ids = list({e.call_id for e in events if hasattr(e, "call_id")})
        day_ids = list({e.desk_day_id for e in events if hasattr(e, "desk_day_id")})
        fold = _Fold(
            await RowSet.load(conn, "visits", VISIT_COLUMNS, visit_ids),
            await RowSet.load(conn, "phone_messages", MESSAGE_COLUMNS, message_ids),
            await RowSet.load(conn, "calls", CALL_COLUMNS, call_ids),
            await RowSet.load(conn, "desk_days", DESK_DAY_COLUMNS, day_ids),
        )
        for event in events:
            fold.apply(event)
        await fold.visits.save(conn)
        await fold.messages.save(conn)
        await fold.calls.save(conn)
        await fold.desk_days.save(conn)
        if fold.hourly:
            await conn.executemany(ADD_HOURLY, [(*k, n) for k, n in fold.hourly.items()])


class _Fold:
    """How each published visitor event changes the read-model rows (in memory)."""

    def __init__(self, visits: RowSet, messages: RowSet, calls: RowSet, desk_days: RowSet) -> None:
        self.visits = visits
        self.messages = messages
        self.calls = calls
        self.desk_days = desk_days
        self.hourly: Counter[tuple[UUID, date, str, str, int]] = Counter()

    def apply(self, e: Any) -> None:
        zone = site_timezone(e.site_id)
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
            case ev.CallRecorded():
                self.calls.create(
                    e.call_id, site_id=e.site_id, business_date=local_date(e.occurred_at, zone),
                    received_at=e.occurred_at, caller_name=e.caller_name,
                    caller_company=e.caller_company, caller_number=e.caller_number,
                    reason=e.reason, category=e.category, important=e.important,
                    passed_to=e.passed_to,
                    status="awaiting_signature" if e.important else "recorded", follow_ups=0,
                )  # fmt: skip
            case ev.CallSignedFor():
                self.calls.update(e.call_id, status="in_hand", signed_for_by=e.signed_by)
            case ev.CallFollowedUp():
                row = self.calls.get(e.call_id)
                self.calls.update(
                    e.call_id, follow_ups=row["follow_ups"] + 1, last_progress=e.progress
                )
            case ev.CallCompleted():
                self.calls.update(
                    e.call_id, status="done", result=e.result, signed_off_by=e.signed_by
                )
            case ev.DeskOpened():
                self.desk_days.create(
                    e.desk_day_id, site_id=e.site_id, business_date=e.business_date,
                    opened_by=e.opened_by, opened_at=e.occurred_at,
                    opening_checks=json.dumps(e.checks), opening_note=e.note,
                    handovers="[]", for_tomorrow="[]",
                )  # fmt: skip
            case ev.ShiftHandedOver():
                handovers = json.loads(self.desk_days.get(e.desk_day_id)["handovers"])
                handovers.append({
                    "number": e.number, "from_shift": e.from_shift, "to_shift": e.to_shift,
                    "handed_over_by": e.handed_over_by, "handed_over_at": e.occurred_at.isoformat(),
                    "open_items": e.open_items, "acknowledged_by": None, "acknowledged_at": None,
                })  # fmt: skip
                self.desk_days.update(e.desk_day_id, handovers=json.dumps(handovers))
            case ev.HandoverAcknowledged():
                handovers = json.loads(self.desk_days.get(e.desk_day_id)["handovers"])
                handovers[e.number - 1] |= {
                    "acknowledged_by": e.acknowledged_by,
                    "acknowledged_at": e.occurred_at.isoformat(),
                }
                self.desk_days.update(e.desk_day_id, handovers=json.dumps(handovers))
            case ev.DeskClosed():
                self.desk_days.update(
                    e.desk_day_id, closed_by=e.closed_by, closed_at=e.occurred_at,
                    closing_checks=json.dumps(e.checks), closing_note=e.note, summary=e.summary,
                    for_tomorrow=json.dumps(e.for_tomorrow),
                )  # fmt: skip


class VisitorQueries:
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

    async def calls(
        self, site_id: UUID, day: date | None, category: str | None, open_only: bool
    ) -> list[dict[str, Any]]:
        """The register, optionally of one day, one category, or the important calls not
        yet done."""
        return await self._rows(
            "SELECT * FROM calls WHERE site_id = $1 AND ($2::date IS NULL OR business_date = $2)"
            " AND ($3::text IS NULL OR category = $3)"
            " AND (NOT $4 OR (important AND status <> 'done'))"
            " ORDER BY received_at, call_id",
            site_id, day, category, open_only,
        )  # fmt: skip

    async def weekly_calls(self, site_id: UUID, week_start: date) -> dict[str, Any]:
        """Seed 000: "每周對電話記錄進行整理,按照日期、類別等進行分類存放": the week's
        calls counted by local date and category."""
        week_end = week_start + timedelta(days=6)
        tallies = await self._rows(
            "SELECT business_date, category, count(*) AS calls,"
            " count(*) FILTER (WHERE important) AS important,"
            " count(*) FILTER (WHERE important AND status <> 'done') AS important_open"
            " FROM calls WHERE site_id = $1 AND business_date BETWEEN $2 AND $3"
            " GROUP BY business_date, category ORDER BY business_date, category",
            site_id, week_start, week_end,
        )  # fmt: skip
        return {
            "week_start": week_start,
            "week_end": week_end,
            "calls": sum(t["calls"] for t in tallies),
            "important_open": sum(t["important_open"] for t in tallies),
            "by_date_and_category": tallies,
        }

    async def desk_days(self, site_id: UUID, first: date, last: date) -> list[dict[str, Any]]:
        """The desk days of a site from `first` to `last`, each with the items the day
        before closed with (`carried_over`)."""
        rows = await self.pool.fetch(
            "SELECT d.*, coalesce(p.for_tomorrow, '[]'::jsonb) AS carried_over"
            " FROM desk_days d LEFT JOIN desk_days p ON p.site_id = d.site_id"
            " AND p.business_date = d.business_date - 1"
            " WHERE d.site_id = $1 AND d.business_date BETWEEN $2 AND $3"
            " ORDER BY d.business_date",
            site_id, first, last,
        )  # fmt: skip
        return [
            {**dict(r), **{c: json.loads(r[c]) if r[c] else None
                           for c in (*JSON_COLUMNS, "carried_over")}}
            for r in rows
        ]  # fmt: skip

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
