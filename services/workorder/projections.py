"""Work-order read models: the board, SLA breaches, three-equals, weekly report, and
the complaints work orders may name.

One `work_orders` row per item holds its current state; every report is a query on
it, always filtered by site. Times are stored as instants; periods and weeks are
cut in the site's own time zone. `known_complaints` holds, per complaint published on
the feedback topic, its site, category and status (kept by the complaints reaction).
Building operations keep their own tables in the same read model: patrols and
emergencies in `registers`, hygiene in `hygiene_register`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from contracts import feedback
from contracts import workorder as ev
from contracts.envelope import Envelope
from contracts.methods import Page
from runtime.errors import ForeignSiteReference
from runtime.readmodel import RowSet
from runtime.sites import site_timezone
from services.workorder.domain import ComplaintOnRecord
from services.workorder.hygiene_register import HYGIENE_SQL, HygieneFold, HygieneQueries
from services.workorder.hygiene_register import TABLES as HYGIENE_TABLES
from services.workorder.registers import REGISTERS_SQL, RegisterFold, RegisterQueries
from services.workorder.registers import TABLES as REGISTER_TABLES

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS work_orders (
    work_order_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    number text,
    status text NOT NULL,
    source text NOT NULL,
    category text NOT NULL,
    department text NOT NULL,
    location text NOT NULL,
    unit text,
    tenant text,
    content text NOT NULL,
    reporter text NOT NULL,
    complaint_id uuid,
    reported_at timestamptz NOT NULL,
    team text,
    technician text,
    urgency text,
    paid bool NOT NULL DEFAULT false,
    deadline timestamptz,
    dispatched_at timestamptz,
    started_at timestamptz,
    completed_at timestamptz,
    completed_late bool,
    labour_hours numeric,
    fee numeric(12, 2),
    verified_at timestamptz,
    reopen_count int NOT NULL DEFAULT 0,
    last_reopen_reason text,
    voided_at timestamptz,
    void_reason text,
    patrol_round_id uuid);
ALTER TABLE work_orders ADD COLUMN IF NOT EXISTS patrol_round_id uuid;
CREATE INDEX IF NOT EXISTS work_orders_site_status ON work_orders (site_id, status);
CREATE INDEX IF NOT EXISTS work_orders_site_reported ON work_orders (site_id, reported_at);
CREATE INDEX IF NOT EXISTS work_orders_site_dispatched ON work_orders (site_id, dispatched_at);
"""
KNOWN_COMPLAINTS_SQL = """
CREATE TABLE IF NOT EXISTS known_complaints (
    complaint_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    category text NOT NULL,
    status text NOT NULL);
"""

COLUMNS = (
    "work_order_id", "site_id", "number", "status", "source", "category", "department",
    "location", "unit", "tenant", "content", "reporter", "complaint_id", "reported_at", "team",
    "technician", "urgency", "paid", "deadline", "dispatched_at", "started_at", "completed_at",
    "completed_late", "labour_hours", "fee", "verified_at", "reopen_count",
    "last_reopen_reason", "voided_at", "void_reason", "patrol_round_id",
)  # fmt: skip

BOARD_CAP = 1000  # rows the board answers without a limit
OPEN = ("reported", "dispatched", "in_progress", "reopened")
RETURNED = ("completed", "closed")


COMPLAINT_COLUMNS = ("complaint_id", "site_id", "category", "status")
COMPLAINT_STATUS = {
    feedback.ComplaintRegistered: "registered",
    feedback.ComplaintRejected: "rejected",
    feedback.ComplaintInvestigated: "investigating",
    feedback.ComplaintEscalated: "escalated",
    feedback.ComplaintResolved: "resolved",
    feedback.ComplaintReplied: "replied",
    feedback.ComplaintReopened: "reopened",
}


class WorkOrderReadModel:
    """The work-order board and the building-operations registers: a batch is folded over
    the rows it touches and written back in bulk.

    The API reads known_complaints too, so the table exists from the first start,
    whichever part runs first; the complaints reaction owns (and rebuilds) its rows.
    """

    name = "workorder_read_model"
    tables = ("work_orders", *REGISTER_TABLES, *HYGIENE_TABLES)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(SCHEMA_SQL + KNOWN_COMPLAINTS_SQL + REGISTERS_SQL + HYGIENE_SQL)

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        events = [envelope.data for envelope in envelopes]
        order_ids = list({e.work_order_id for e in events if isinstance(e, ev.WorkOrderEvent)})
        orders = await RowSet.load(conn, "work_orders", COLUMNS, order_ids)
        registers = await RegisterFold.load(conn, events)
        hygiene = await HygieneFold.load(conn, events)
        for e in events:
            if isinstance(e, ev.WorkOrderEvent):
                apply(orders, e)
            else:
                registers.apply(e)
                hygiene.apply(e)
        await orders.save(conn)
        await registers.save(conn)
        await hygiene.save(conn)


def know_complaint(complaints: RowSet, e: feedback.ComplaintEvent) -> None:
    """How a published complaint event changes what work orders know of it.

    A complaint belongs to the site it was registered at: an event naming it from
    another site is refused (ForeignSiteReference), never applied.
    """
    row = complaints.rows.get(e.complaint_id)
    if row is not None and row["site_id"] != e.site_id:
        raise ForeignSiteReference(
            f"{type(e).__name__} from site {e.site_id} names complaint {e.complaint_id}"
            f" of site {row['site_id']}"
        )
    status = COMPLAINT_STATUS[type(e)]
    if isinstance(e, feedback.ComplaintRegistered):
        complaints.create(e.complaint_id, site_id=e.site_id, category=e.category.value,
                          status=status)  # fmt: skip
    else:
        complaints.update(e.complaint_id, status=status)


def apply(orders: RowSet, e: Any) -> None:
    """How each published work-order event changes its board row."""
    key, at = e.work_order_id, e.occurred_at
    match e:
        case ev.RepairReported():
            orders.create(
                key, site_id=e.site_id, status="reported", source=e.source.value,
                category=e.category.value, department=e.department, location=e.location,
                unit=e.unit, tenant=e.tenant, content=e.content, reporter=e.reporter,
                complaint_id=e.complaint_id, reported_at=at, paid=False, reopen_count=0,
                patrol_round_id=e.patrol_round_id,
            )  # fmt: skip
        case ev.RepairDispatched():
            orders.update(
                key, status="dispatched", number=e.number, team=e.team,
                technician=e.technician, urgency=e.urgency.value, paid=e.paid,
                deadline=e.deadline, dispatched_at=at,
            )  # fmt: skip
        case ev.RepairStarted():
            orders.update(key, status="in_progress", technician=e.technician, started_at=at)
        case ev.RepairCompleted():
            orders.update(
                key, status="completed", completed_at=at, completed_late=e.completed_late,
                labour_hours=e.labour_hours, fee=e.fee,
            )  # fmt: skip
        case ev.RepairVerified():
            orders.update(key, status="closed", verified_at=at)
        case ev.RepairReopened():
            row = orders.get(key)
            orders.update(
                key, status="reopened", reopen_count=row["reopen_count"] + 1,
                last_reopen_reason=e.reason, completed_at=None,
            )  # fmt: skip
        case ev.WorkOrderVoided():
            orders.update(key, status="voided", voided_at=at, void_reason=e.reason)


def month_bounds(period: str, zone: str) -> tuple[datetime, datetime]:
    """The instants a `YYYY-MM` month starts and ends at a site."""
    year, month = (int(p) for p in period.split("-"))
    start = datetime(year, month, 1, tzinfo=ZoneInfo(zone))
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=ZoneInfo(zone))
    return start, end


class WorkOrderQueries(RegisterQueries, HygieneQueries):
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._snapshot: ContextVar[asyncpg.Connection | None] = ContextVar(
            "workorder_snapshot", default=None
        )

    async def complaint(self, site_id: UUID, complaint_id: UUID) -> ComplaintOnRecord | None:
        """The complaint as work orders know it, if it is one of this site's."""
        row = await self.pool.fetchrow(
            "SELECT site_id, category, status FROM known_complaints"
            " WHERE site_id = $1 AND complaint_id = $2",
            site_id, complaint_id,
        )  # fmt: skip
        return ComplaintOnRecord(**dict(row)) if row else None

    async def board(
        self, site_id: UUID, filters: dict[str, str | None], page: Page
    ) -> list[dict[str, Any]]:
        """Newest first; a page of it, or its first `BOARD_CAP` rows without a limit."""
        clauses, args = ["site_id = $1"], [site_id]
        for column in ("status", "category", "team", "urgency"):
            if filters.get(column):
                args.append(filters[column])  # type: ignore[arg-type]
                clauses.append(f"{column} = ${len(args)}")
        return await self._rows(
            f"SELECT * FROM work_orders WHERE {' AND '.join(clauses)}"
            f" ORDER BY reported_at DESC, work_order_id LIMIT ${len(args) + 1}"
            f" OFFSET ${len(args) + 2}",
            *args, page.limit or BOARD_CAP, page.offset,
        )  # fmt: skip

    async def sla_breaches(self, site_id: UUID, now: datetime) -> dict[str, Any]:
        """Open past their deadline, and completed after it."""
        async with self.snapshot():
            return await self._sla_breaches(site_id, now)

    async def _sla_breaches(self, site_id: UUID, now: datetime) -> dict[str, Any]:
        overdue = await self._rows(
            "SELECT * FROM work_orders WHERE site_id = $1 AND status = ANY($2::text[])"
            " AND deadline < $3 ORDER BY deadline",
            site_id, list(OPEN), now,
        )  # fmt: skip
        late = await self._rows(
            "SELECT * FROM work_orders WHERE site_id = $1 AND completed_late"
            " ORDER BY completed_at DESC LIMIT 1000",
            site_id,
        )
        return {"as_of": now, "open_past_deadline": overdue, "completed_late": late}

    async def three_equals(self, site_id: UUID, period: str) -> dict[str, Any]:
        """Reported = dispatched = issued; returned = issued; voided apart (item by item)."""
        start, end = month_bounds(period, site_timezone(site_id))
        async with self.snapshot():
            return await self._three_equals(site_id, period, start, end)

    async def _three_equals(
        self, site_id: UUID, period: str, start: datetime, end: datetime
    ) -> dict[str, Any]:
        reported = await self._rows(
            "SELECT * FROM work_orders WHERE site_id = $1 AND reported_at >= $2"
            " AND reported_at < $3 ORDER BY reported_at",
            site_id, start, end,
        )  # fmt: skip
        issued = await self._rows(
            "SELECT * FROM work_orders WHERE site_id = $1 AND dispatched_at >= $2"
            " AND dispatched_at < $3 ORDER BY number",
            site_id, start, end,
        )  # fmt: skip
        return reconcile(period, reported, issued)

    async def weekly(self, site_id: UUID, week_start: date, now: datetime,
                     stale_days: int = 7) -> dict[str, Any]:  # fmt: skip
        zone = ZoneInfo(site_timezone(site_id))
        start = datetime.combine(week_start, time.min, tzinfo=zone)
        end = start + timedelta(days=7)
        async with self.snapshot():
            return await self._weekly(site_id, week_start, start, end, now, stale_days)

    async def _weekly(
        self, site_id: UUID, week_start: date, start: datetime, end: datetime, now: datetime,
        stale_days: int,
    ) -> dict[str, Any]:  # fmt: skip
        open_items = await self._rows(
            "SELECT * FROM work_orders WHERE site_id = $1 AND status = ANY($2::text[])"
            " AND reported_at < $3 ORDER BY reported_at",
            site_id, list(OPEN), end,
        )  # fmt: skip
        week = await self._rows(
            "SELECT * FROM work_orders WHERE site_id = $1 AND reported_at >= $2"
            " AND reported_at < $3",
            site_id, start, end,
        )  # fmt: skip
        stale_before = min(end, now) - timedelta(days=stale_days)
        return {
            "week_start": week_start,
            "reported": len(week),
            "completed": sum(1 for r in week if r["status"] in RETURNED),
            "open": len(open_items),
            "long_unresolved": [r for r in open_items if r["reported_at"] < stale_before],
            "reported_by_category": dict(Counter(r["category"] for r in week)),
            "open_by_category": dict(Counter(r["category"] for r in open_items)),
            "open_by_team": dict(Counter(r["team"] or "(not dispatched)" for r in open_items)),
        }

    async def _rows(self, query: str, *args: Any) -> list[dict[str, Any]]:
        conn = self._snapshot.get()
        if conn is not None:
            return [dict(r) for r in await conn.fetch(query, *args)]
        return [dict(r) for r in await self.pool.fetch(query, *args)]

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[None]:
        """Queries inside see one consistent state (a report never mixes two)."""
        async with (
            self.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            token = self._snapshot.set(conn)
            try:
                yield
            finally:
                self._snapshot.reset(token)


def reconcile(
    period: str, reported: list[dict[str, Any]], issued: list[dict[str, Any]]
) -> dict[str, Any]:
    """The three-equals report from the items reported and the orders issued in a period."""
    mismatches: list[dict[str, Any]] = []
    voided_before_dispatch = [
        r for r in reported if r["number"] is None and r["status"] == "voided"
    ]
    for row in reported:
        if row["number"] is None and row["status"] != "voided":
            mismatches.append(_item("reported_not_dispatched", row))
    voided_issued = [r for r in issued if r["status"] == "voided"]
    returned = [r for r in issued if r["status"] in RETURNED]
    for row in issued:
        if row["status"] not in RETURNED and row["status"] != "voided":
            mismatches.append(_item("issued_not_returned", row))
    seqs = sorted(int(r["number"].rsplit("-", 1)[1]) for r in issued)
    prefix = issued[0]["number"].rsplit("-", 1)[0] if issued else ""
    for missing in sorted(set(range(seqs[0], seqs[-1] + 1)) - set(seqs)) if seqs else []:
        mismatches.append({"kind": "number_missing", "number": f"{prefix}-{missing:05d}"})
    dispatched = sum(1 for r in reported if r["number"] is not None)
    return {
        "period": period,
        "reported": len(reported),
        "reported_by_source": dict(Counter(r["source"] for r in reported)),
        "dispatched": dispatched,
        "issued": len(issued),
        "returned": len(returned),
        "voided_before_dispatch": len(voided_before_dispatch),
        "voided_after_dispatch": len(voided_issued),
        "reported_equals_dispatched": len(reported) - len(voided_before_dispatch) == dispatched,
        "issued_equals_returned": len(issued) - len(voided_issued) == len(returned),
        "mismatches": mismatches,
    }


def _item(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": kind,
        "work_order_id": row["work_order_id"],
        "number": row["number"],
        "status": row["status"],
        "category": row["category"],
        "reported_at": row["reported_at"],
    }
