"""Collection follow-up read side: each unit's log and the units to chase today, from the
billing read model (lines and allocations as of a day, the sweep's notices, the logged
calls, letters and escalations), with the rules of `services.billing.collection`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from contracts import billing as ev
from runtime.sites import site_timezone
from services.billing.collection import chase_view, log_view, overdue_of, to_chase

OPEN_LINES = (
    "SELECT l.unit, l.amount - coalesce(sum(a.amount) FILTER (WHERE a.at < $2), 0)"
    " AS open, CASE WHEN l.due_set_at < $2 THEN l.due_date END AS due_date"
    " FROM billing_lines l LEFT JOIN billing_allocations a"
    " ON a.account_id = l.account_id AND a.line_id = l.line_id"
    " WHERE l.site_id = $1 AND l.posted_at < $2 AND ($3::text IS NULL OR l.unit = $3)"
    " GROUP BY l.account_id, l.line_id"
)


def end_of(day: date, zone: str) -> datetime:
    """The last instant of a business day at a site: "as of" a date includes the day."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(zone))


async def open_lines(pool: asyncpg.Pool, site_id: UUID, cutoff: datetime,
                     unit: str | None = None) -> list[asyncpg.Record]:  # fmt: skip
    """Every line of the site (or of one unit) posted before `cutoff`: its unit, what was
    still open on it then, and its due date if it was set by then."""
    rows: list[asyncpg.Record] = await pool.fetch(OPEN_LINES, site_id, cutoff, unit)
    return rows


def collection_row(entry_id: str, e: Any) -> tuple[Any, ...]:
    """A logged step of a chase as a row of `billing_collection_log`, dated by the site's
    business day it happened on."""
    zone = ZoneInfo(site_timezone(e.site_id))
    outcome = promised_on = note = None
    match e:
        case ev.PhoneReminderRecorded():
            action, at, outcome, promised_on, note = (
                "phone_reminder", e.called_at, e.outcome, e.promised_on, e.note
            )  # fmt: skip
            on = at.astimezone(zone).date()
        case ev.FinalLetterSent():
            action, at, note = "final_letter", e.sent_at, e.note
            on = at.astimezone(zone).date()
        case _:
            action, at, on = "escalation", e.occurred_at, e.escalated_on
    return (entry_id, e.site_id, e.unit, action, at, on, e.by, outcome, promised_on, note,
            e.amount_overdue)  # fmt: skip


class CollectionQueries:
    """Part of `BillingQueries`."""

    pool: asyncpg.Pool

    async def collection_today(self, site_id: UUID, days: dict[str, int], grace_days: int,
                               as_of: date) -> dict[str, Any]:  # fmt: skip
        """The units to chase on `as_of`: overdue, and a level due by the policy or a
        promise broken (none with a promise still to come); the largest overdue amount
        first, then the longest overdue, then by unit."""
        lines, entries = await self._chase_rows(site_id, as_of, None)
        chases = [chase_view(unit, days, overdue_of(owed, grace_days, as_of),
                             entries.get(unit, []), as_of)
                  for unit, owed in lines.items()]  # fmt: skip
        due = [c for c in chases if to_chase(c)]
        due.sort(key=lambda c: (-c["amount_overdue"], -c["days_overdue"], c["unit"]))
        return {"as_of": as_of, "units": due}

    async def unit_collection(self, site_id: UUID, unit: str, days: dict[str, int],
                              grace_days: int, as_of: date) -> dict[str, Any]:  # fmt: skip
        """One unit's log (the sweep's notices and the logged steps) and its chase."""
        lines, entries = await self._chase_rows(site_id, as_of, unit)
        overdue = overdue_of(lines.get(unit, []), grace_days, as_of)
        return log_view(unit, days, overdue, entries.get(unit, []), as_of)

    async def _chase_rows(self, site_id: UUID, as_of: date, unit: str | None) -> tuple[
        dict[str, list[tuple[date | None, Decimal]]], dict[str, list[dict[str, Any]]]
    ]:  # fmt: skip
        zone = site_timezone(site_id)
        cutoff = end_of(as_of, zone)
        lines: dict[str, list[tuple[date | None, Decimal]]] = defaultdict(list)
        for row in await open_lines(self.pool, site_id, cutoff, unit):
            lines[row["unit"]].append((row["due_date"], row["open"]))
        entries: dict[str, list[dict[str, Any]]] = defaultdict(list)
        notices = await self.pool.fetch(
            "SELECT unit, period, amount, at FROM billing_notices WHERE site_id = $1"
            " AND kind = 'dunning' AND at < $2 AND ($3::text IS NULL OR unit = $3)",
            site_id, cutoff, unit,
        )  # fmt: skip
        for row in notices:
            entries[row["unit"]].append({
                "action": "notice", "at": row["at"], "on": row["at"].astimezone(
                    ZoneInfo(zone)).date(), "by": None, "period": row["period"],
                "outcome": None, "promised_on": None, "note": None, "amount": row["amount"],
            })  # fmt: skip
        logged = await self.pool.fetch(
            "SELECT unit, action, at, business_date, by, outcome, promised_on, note, amount"
            " FROM billing_collection_log WHERE site_id = $1 AND business_date <= $2"
            " AND ($3::text IS NULL OR unit = $3) ORDER BY at, entry_id",
            site_id, as_of, unit,
        )  # fmt: skip
        for row in logged:
            entries[row["unit"]].append({**dict(row), "on": row["business_date"], "period": None})
        return lines, entries
