"""Read models of the front office's registers, part of the visitor read model: the
switchboard's call register (`calls`), the desk's days (`desk_days`: opening checks,
shift handovers, closing), the VIP receptions (`vip_receptions`), the watchlist
alerts (`watchlist_alerts`), the luggage held at the desk (`luggage`, one row per
deposit) and the waits at the desk behind the monthly reception-time statistic
(`reception_times` per unannounced visit, `reception_standards` per site) and the
building notices with who was told (`building_notices`), each row
keyed by its aggregate (or deposit, or site) and filed by site.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from uuid import UUID

import asyncpg

from contracts import visitor as ev
from runtime.clock import local_date
from runtime.readmodel import Keys, RowSet
from runtime.sites import site_timezone
from services.visitor.reception_standard import DEFAULT_MINUTES

REGISTERS_SQL = """
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
CREATE TABLE IF NOT EXISTS vip_receptions (
    reception_id uuid PRIMARY KEY,
    visit_id uuid NOT NULL,
    site_id uuid NOT NULL,
    business_date date NOT NULL,
    expected_from timestamptz NOT NULL,
    guest_name text NOT NULL,
    guest_company text,
    host_unit text NOT NULL,
    host_name text NOT NULL,
    level text NOT NULL,
    escorts jsonb NOT NULL,
    meeting_room text,
    room_setup jsonb NOT NULL,
    pickup_place text,
    pickup_at timestamptz,
    confirmed_by text,
    confirmed_with text,
    confirmed_at timestamptz);
CREATE INDEX IF NOT EXISTS vip_receptions_site_date ON vip_receptions (site_id, business_date);
CREATE TABLE IF NOT EXISTS watchlist_alerts (
    alert_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    group_wide bool NOT NULL,
    visitor_name text NOT NULL,
    host_unit text NOT NULL,
    visit_id uuid,
    notify jsonb NOT NULL,
    raised_at timestamptz NOT NULL,
    acknowledged_by text,
    action text,
    acknowledged_at timestamptz);
CREATE INDEX IF NOT EXISTS watchlist_alerts_site ON watchlist_alerts (site_id, raised_at);
CREATE TABLE IF NOT EXISTS luggage (
    deposit_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    tag text NOT NULL,
    owner_name text NOT NULL,
    pieces int NOT NULL,
    description text NOT NULL,
    deposited_by text NOT NULL,
    deposited_at timestamptz NOT NULL,
    collected_by text,
    collected_at timestamptz);
CREATE INDEX IF NOT EXISTS luggage_site_held ON luggage (site_id, collected_at);
CREATE TABLE IF NOT EXISTS reception_times (
    visit_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    period text NOT NULL,
    arrived_at timestamptz NOT NULL,
    served_at timestamptz);
CREATE INDEX IF NOT EXISTS reception_times_site_period ON reception_times (site_id, period);
CREATE TABLE IF NOT EXISTS reception_standards (
    site_id uuid PRIMARY KEY,
    standard_minutes int NOT NULL);
CREATE TABLE IF NOT EXISTS building_notices (
    notice_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    subject text NOT NULL,
    content text NOT NULL,
    issued_by text NOT NULL,
    issued_at timestamptz NOT NULL,
    deliveries jsonb NOT NULL);
CREATE INDEX IF NOT EXISTS building_notices_site ON building_notices (site_id, issued_at);
"""
TABLES = ("calls", "desk_days", "vip_receptions", "watchlist_alerts", "luggage",
          "reception_times", "reception_standards", "building_notices")  # fmt: skip

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
RECEPTION_COLUMNS = (
    "reception_id", "visit_id", "site_id", "business_date", "expected_from", "guest_name",
    "guest_company", "host_unit", "host_name", "level", "escorts", "meeting_room",
    "room_setup", "pickup_place", "pickup_at", "confirmed_by", "confirmed_with", "confirmed_at",
)  # fmt: skip

ALERT_COLUMNS = (
    "alert_id", "site_id", "group_wide", "visitor_name", "host_unit", "visit_id", "notify",
    "raised_at", "acknowledged_by", "action", "acknowledged_at",
)  # fmt: skip

LUGGAGE_COLUMNS = (
    "deposit_id", "site_id", "tag", "owner_name", "pieces", "description", "deposited_by",
    "deposited_at", "collected_by", "collected_at",
)  # fmt: skip

WAIT_COLUMNS = ("visit_id", "site_id", "period", "arrived_at", "served_at")
# The ids by which the registers' events name their rows (`reception_times`: visit_id).
REGISTER_KEYS = ("call_id", "desk_day_id", "reception_id", "alert_id", "deposit_id", "notice_id")
STANDARD_COLUMNS = ("site_id", "standard_minutes")
NOTICE_COLUMNS = (
    "notice_id", "site_id", "subject", "content", "issued_by", "issued_at", "deliveries",
)  # fmt: skip


class RegisterFold:
    """How the front office's events change the register rows (in memory)."""

    def __init__(
        self, calls: RowSet, desk_days: RowSet, receptions: RowSet, alerts: RowSet,
        luggage: RowSet, waits: RowSet, standards: RowSet, notices: RowSet,
    ) -> None:  # fmt: skip
        self.calls = calls
        self.desk_days = desk_days
        self.receptions = receptions
        self.alerts = alerts
        self.luggage = luggage
        self.waits = waits
        self.standards = standards
        self.notices = notices

    @classmethod
    async def load(cls, conn: asyncpg.Connection, events: list[Any], keys: Keys) -> RegisterFold:
        """The rows a batch of events touches (`keys`: the ids its events carry)."""
        return cls(
            await RowSet.load(conn, "calls", CALL_COLUMNS, keys["call_id"]),
            await RowSet.load(conn, "desk_days", DESK_DAY_COLUMNS, keys["desk_day_id"]),
            await RowSet.load(conn, "vip_receptions", RECEPTION_COLUMNS, keys["reception_id"]),
            await RowSet.load(conn, "watchlist_alerts", ALERT_COLUMNS, keys["alert_id"]),
            await RowSet.load(conn, "luggage", LUGGAGE_COLUMNS, keys["deposit_id"]),
            await RowSet.load(conn, "reception_times", WAIT_COLUMNS, keys["visit_id"]),
            await RowSet.load(
                conn, "reception_standards", STANDARD_COLUMNS,
                list({e.site_id for e in events if isinstance(e, ev.ReceptionStandardSet)}),
            ),
            await RowSet.load(conn, "building_notices", NOTICE_COLUMNS, keys["notice_id"]),
        )  # fmt: skip

    async def save(self, conn: asyncpg.Connection) -> None:
        for rows in (self.calls, self.desk_days, self.receptions, self.alerts, self.luggage,
                     self.waits, self.standards, self.notices):  # fmt: skip
            await rows.save(conn)

    def apply(self, e: Any) -> None:
        match e:
            case ev.CallRecorded():
                self.calls.create(
                    e.call_id, site_id=e.site_id,
                    business_date=local_date(e.occurred_at, site_timezone(e.site_id)),
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
            case ev.VipReceptionPlanned():
                self.receptions.create(
                    e.reception_id, visit_id=e.visit_id, site_id=e.site_id,
                    business_date=local_date(e.expected_from, site_timezone(e.site_id)),
                    expected_from=e.expected_from, guest_name=e.guest_name,
                    guest_company=e.guest_company, host_unit=e.host_unit, host_name=e.host_name,
                    level=e.level, escorts=json.dumps(e.escorts), meeting_room=e.meeting_room,
                    room_setup=json.dumps(e.room_setup), pickup_place=e.pickup_place,
                    pickup_at=e.pickup_at,
                )  # fmt: skip
            case ev.VipReceptionConfirmed():
                self.receptions.update(
                    e.reception_id, confirmed_by=e.confirmed_by,
                    confirmed_with=e.confirmed_with, confirmed_at=e.occurred_at,
                )  # fmt: skip
            case ev.WatchlistAlertRaised():
                self.alerts.create(
                    e.alert_id, site_id=e.site_id, group_wide=e.group_wide,
                    visitor_name=e.visitor_name, host_unit=e.host_unit, visit_id=e.visit_id,
                    notify=json.dumps(e.notify), raised_at=e.occurred_at,
                )  # fmt: skip
            case ev.WatchlistAlertAcknowledged():
                self.alerts.update(
                    e.alert_id, acknowledged_by=e.acknowledged_by, action=e.action,
                    acknowledged_at=e.occurred_at,
                )  # fmt: skip
            case ev.LuggageDeposited():
                self.luggage.create(
                    e.deposit_id, site_id=e.site_id, tag=e.tag, owner_name=e.owner_name,
                    pieces=e.pieces, description=e.description, deposited_by=e.deposited_by,
                    deposited_at=e.occurred_at,
                )  # fmt: skip
            case ev.LuggageCollected():
                self.luggage.update(
                    e.deposit_id, collected_by=e.collected_by, collected_at=e.occurred_at
                )
            case ev.VisitorArrived():  # unannounced: the wait at the desk begins
                period = local_date(e.occurred_at, site_timezone(e.site_id)).strftime("%Y-%m")
                self.waits.create(
                    e.visit_id, site_id=e.site_id, period=period, arrived_at=e.occurred_at
                )
            case ev.VisitorCheckedIn() | ev.VisitDenied() if e.visit_id in self.waits.rows:
                if self.waits.get(e.visit_id)["served_at"] is None:
                    self.waits.update(e.visit_id, served_at=e.occurred_at)
            case ev.BuildingNoticeIssued():
                self.notices.create(
                    e.notice_id, site_id=e.site_id, subject=e.subject, content=e.content,
                    issued_by=e.issued_by, issued_at=e.occurred_at, deliveries="[]",
                )  # fmt: skip
            case ev.BuildingNoticeDelivered():
                deliveries = json.loads(self.notices.get(e.notice_id)["deliveries"])
                deliveries.append({"channel": e.channel, "unit": e.unit, "recipient": e.recipient,
                                   "by": e.by, "at": e.occurred_at.isoformat()})  # fmt: skip
                self.notices.update(e.notice_id, deliveries=json.dumps(deliveries))
            case ev.ReceptionStandardSet():
                if e.site_id in self.standards.rows:
                    self.standards.update(e.site_id, standard_minutes=e.standard_minutes)
                else:
                    self.standards.create(e.site_id, standard_minutes=e.standard_minutes)


class RegisterQueries:
    """Reads of the front office's registers, always filtered by site."""

    pool: asyncpg.Pool

    async def calls(
        self, site_id: UUID, day: date | None, category: str | None, open_only: bool
    ) -> list[dict[str, Any]]:
        """The register, optionally of one day, one category, or the important calls not
        yet done."""
        rows = await self.pool.fetch(
            "SELECT * FROM calls WHERE site_id = $1 AND ($2::date IS NULL OR business_date = $2)"
            " AND ($3::text IS NULL OR category = $3)"
            " AND (NOT $4 OR (important AND status <> 'done'))"
            " ORDER BY received_at, call_id",
            site_id, day, category, open_only,
        )  # fmt: skip
        return [dict(r) for r in rows]

    async def weekly_calls(self, site_id: UUID, week_start: date) -> dict[str, Any]:
        """Seed 000: "每周對電話記錄進行整理,按照日期、類別等進行分類存放": the week's
        calls counted by local date and category."""
        week_end = week_start + timedelta(days=6)
        tallies = [dict(r) for r in await self.pool.fetch(
            "SELECT business_date, category, count(*) AS calls,"
            " count(*) FILTER (WHERE important) AS important,"
            " count(*) FILTER (WHERE important AND status <> 'done') AS important_open"
            " FROM calls WHERE site_id = $1 AND business_date BETWEEN $2 AND $3"
            " GROUP BY business_date, category ORDER BY business_date, category",
            site_id, week_start, week_end,
        )]  # fmt: skip
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
        json_columns = ("opening_checks", "handovers", "closing_checks", "for_tomorrow",
                        "carried_over")  # fmt: skip
        return [{**dict(r), **{c: r[c] and json.loads(r[c]) for c in json_columns}} for r in rows]

    async def vip_receptions(
        self, site_id: UUID, day: date, unconfirmed_only: bool, last: date | None = None
    ) -> list[dict[str, Any]]:
        """The VIPs due on a local date (or from `day` to `last`) with their visit's
        status at the desk; with `unconfirmed_only`, those not yet confirmed (seed 002:
        "提前一天 ... 确定")."""
        rows = await self.pool.fetch(
            "SELECT r.*, v.status AS visit_status FROM vip_receptions r"
            " LEFT JOIN visits v ON v.visit_id = r.visit_id AND v.site_id = r.site_id"
            " WHERE r.site_id = $1 AND r.business_date BETWEEN $2 AND coalesce($4, $2)"
            " AND (NOT $3 OR r.confirmed_at IS NULL)"
            " ORDER BY r.business_date, r.expected_from, r.reception_id",
            site_id, day, unconfirmed_only, last,
        )  # fmt: skip
        return [reception_view(dict(r)) for r in rows]

    async def watchlist_alerts(
        self, site_id: UUID | None, open_only: bool, limit: int = 500
    ) -> list[dict[str, Any]]:
        """A site's alerts (or, with no site, the group-wide ones of every site), newest
        first; with `open_only`, those no supervisor has acknowledged yet."""
        rows = await self.pool.fetch(
            "SELECT * FROM watchlist_alerts WHERE"
            " (CASE WHEN $1::uuid IS NULL THEN group_wide ELSE site_id = $1 END)"
            " AND (NOT $2 OR acknowledged_at IS NULL)"
            " ORDER BY raised_at DESC, alert_id LIMIT $3",
            site_id, open_only, limit,
        )  # fmt: skip
        return [{**dict(r), "notify": json.loads(r["notify"])} for r in rows]

    async def luggage(
        self, site_id: UUID, held_only: bool, limit: int = 500
    ) -> list[dict[str, Any]]:
        """What the desk holds (oldest first), or with `held_only` false also what went
        back, newest deposits first."""
        rows = await self.pool.fetch(
            "SELECT * FROM luggage WHERE site_id = $1 AND (NOT $2 OR collected_at IS NULL)"
            " ORDER BY CASE WHEN $2 THEN deposited_at END, deposited_at DESC, deposit_id"
            " LIMIT $3",
            site_id, held_only, limit,
        )  # fmt: skip
        return [dict(r) for r in rows]

    async def building_notices(self, site_id: UUID, limit: int = 200) -> list[dict[str, Any]]:
        """The site's notices, newest first, each with who was told, how and when."""
        rows = await self.pool.fetch(
            "SELECT * FROM building_notices WHERE site_id = $1"
            " ORDER BY issued_at DESC, notice_id LIMIT $2",
            site_id, limit,
        )  # fmt: skip
        return [{**dict(r), "deliveries": json.loads(r["deliveries"])} for r in rows]

    async def untold_units(self, site_id: UUID, told: list[str]) -> list[str]:
        """The roster's units with a tenant (from the mail directory) not among `told`."""
        rows = await self.pool.fetch(
            "SELECT unit FROM site_units WHERE site_id = $1 AND NOT moved_out"
            " AND NOT unit = ANY($2::text[]) ORDER BY unit",
            site_id, told,
        )  # fmt: skip
        return [r["unit"] for r in rows]

    async def monthly_reception_time(self, site_id: UUID, period: str) -> dict[str, Any]:
        """Seed 004: "每月统计客户接待时间,与标准接待时间进行对比": the month's visitors
        served at the desk (by the local month of their arrival), against the standard."""
        standard = await self.pool.fetchval(
            "SELECT standard_minutes FROM reception_standards WHERE site_id = $1", site_id
        )
        standard = standard or DEFAULT_MINUTES
        row = await self.pool.fetchrow(
            "SELECT count(*) AS served,"
            " count(*) FILTER (WHERE served_at - arrived_at <= make_interval(mins => $3))"
            " AS within_standard,"
            " avg(extract(epoch FROM served_at - arrived_at)) / 60 AS average_minutes,"
            " max(extract(epoch FROM served_at - arrived_at)) / 60 AS longest_minutes"
            " FROM reception_times WHERE site_id = $1 AND period = $2 AND served_at IS NOT NULL",
            site_id, period, standard,
        )  # fmt: skip
        served, within = row["served"], row["within_standard"]
        average = _minutes(row["average_minutes"])
        return {
            "period": period,
            "standard_minutes": standard,
            "served": served,
            "within_standard": within,
            "share_within_standard": (
                (Decimal(within) / served).quantize(Decimal("0.0001")) if served else None
            ),
            "average_minutes": average,
            "longest_minutes": _minutes(row["longest_minutes"]),
            "meets_standard": average <= standard if average is not None else None,
        }


def _minutes(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_EVEN)


def reception_view(row: dict[str, Any]) -> dict[str, Any]:
    """A `vip_receptions` row as the VIP reception view."""
    place, at = row.pop("pickup_place"), row.pop("pickup_at")
    return {
        **row,
        "escorts": json.loads(row["escorts"]),
        "room_setup": json.loads(row["room_setup"]),
        "pickup": {"place": place, "at": at} if place is not None else None,
    }
