"""Feedback read models: open complaints and deadlines, resolution times, statistics by
category and cause, satisfaction per site and quarter against the 90% target."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from contracts import feedback as ev
from contracts.envelope import Envelope
from runtime.errors import Invalid
from runtime.readmodel import RowSet
from runtime.sites import site_timezone
from services.feedback.answers import WRITTEN
from services.feedback.domain import TARGET_SATISFIED_SHARE

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS complaints (
    complaint_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    channel text NOT NULL,
    complainant text NOT NULL,
    unit text,
    company text,
    category text NOT NULL,
    content text NOT NULL,
    status text NOT NULL,
    cause text,
    deadline timestamptz NOT NULL,
    registered_at timestamptz NOT NULL,
    resolved_at timestamptz,
    replied_at timestamptz,
    escalated_to text,
    reopen_count int NOT NULL DEFAULT 0,
    work_order_id uuid,
    resolution text);
CREATE INDEX IF NOT EXISTS complaints_site_status ON complaints (site_id, status);
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS anonymous bool NOT NULL DEFAULT false;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS location text;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS received_on date;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS answered_at timestamptz;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS last_update_at timestamptz;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS updates int NOT NULL DEFAULT 0;
ALTER TABLE complaints ADD COLUMN IF NOT EXISTS written_reply bool NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS complaints_site_day ON complaints (site_id, received_on);
CREATE TABLE IF NOT EXISTS complaint_internal_feedback (
    complaint_id uuid, number int, site_id uuid NOT NULL, department text NOT NULL,
    content text NOT NULL, given_by text NOT NULL, given_at timestamptz NOT NULL,
    acknowledged_by text, acknowledged_at timestamptz, PRIMARY KEY (complaint_id, number));
CREATE TABLE IF NOT EXISTS survey_responses (
    response_id uuid PRIMARY KEY, site_id uuid NOT NULL, quarter text NOT NULL, unit text,
    average numeric(4, 2) NOT NULL, satisfied bool NOT NULL, at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS tenant_visits (
    visit_id uuid PRIMARY KEY, site_id uuid NOT NULL, unit text NOT NULL, tenant text,
    visited_by text NOT NULL, findings jsonb NOT NULL, follow_ups jsonb NOT NULL,
    at timestamptz NOT NULL);
"""

SITE_TENANTS_SQL = """
CREATE TABLE IF NOT EXISTS site_tenants (
    site_id uuid, unit text, tenant text NOT NULL, company bool NOT NULL,
    contact_phone text, moved_out bool NOT NULL,
    PRIMARY KEY (site_id, unit));
"""

COLUMNS = (
    "complaint_id", "site_id", "channel", "complainant", "unit", "company", "category",
    "content", "status", "cause", "deadline", "registered_at", "resolved_at", "replied_at",
    "escalated_to", "reopen_count", "work_order_id", "resolution", "anonymous", "location",
    "received_on", "answered_at", "last_update_at", "updates", "written_reply",
)  # fmt: skip
OPEN = ("registered", "investigating", "escalated", "reopened")
# The local day a complaint arrived on ($4: the site's zone); rows from before
# `received_on` existed take their registration's day.
DAY = "coalesce(received_on, (registered_at AT TIME ZONE $4)::date)"


class FeedbackReadModel:
    name = "feedback_read_model"
    tables = ("complaints", "survey_responses", "tenant_visits", "complaint_internal_feedback")

    async def setup(self, conn: asyncpg.Connection) -> None:
        # The API reads site_tenants too, so the table exists from the first start,
        # whichever part runs first; the complainants reaction owns (and rebuilds) its rows.
        await conn.execute(SCHEMA_SQL + SITE_TENANTS_SQL)

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        ids = list(
            {e.data.complaint_id for e in envelopes if isinstance(e.data, ev.ComplaintEvent)}
        )
        complaints = await RowSet.load(conn, "complaints", COLUMNS, ids)
        surveys, visits = [], []
        for envelope in envelopes:
            e: Any = envelope.data
            match e:
                case ev.InternalFeedbackGiven():
                    await conn.execute(
                        "INSERT INTO complaint_internal_feedback VALUES"
                        " ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)",
                        e.complaint_id, e.number, e.site_id, e.department, e.content,
                        e.given_by, e.occurred_at,
                    )  # fmt: skip
                case ev.InternalFeedbackAcknowledged():
                    await conn.execute(
                        "UPDATE complaint_internal_feedback SET acknowledged_by = $3,"
                        " acknowledged_at = $4 WHERE complaint_id = $1 AND number = $2",
                        e.complaint_id, e.number, e.acknowledged_by, e.occurred_at,
                    )  # fmt: skip
                case ev.SurveyResponseRecorded():
                    average = round(sum(e.scores.values()) / len(e.scores), 2)
                    surveys.append((e.response_id, e.site_id, e.quarter, e.unit, average,
                                    e.satisfied, e.occurred_at))  # fmt: skip
                case ev.TenantVisitLogged():
                    visits.append((e.visit_id, e.site_id, e.unit, e.tenant, e.visited_by,
                                   json.dumps(e.findings), json.dumps(e.follow_ups),
                                   e.occurred_at))  # fmt: skip
                case _:
                    apply(complaints, e)
        await complaints.save(conn)
        if surveys:
            await conn.executemany(
                "INSERT INTO survey_responses VALUES ($1, $2, $3, $4, $5, $6, $7)", surveys
            )
        if visits:
            await conn.executemany(
                "INSERT INTO tenant_visits VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)",
                visits,
            )


def apply(rows: RowSet, e: Any) -> None:
    key, at = e.complaint_id, e.occurred_at
    match e:
        case ev.ComplaintRegistered():
            rows.create(
                key, site_id=e.site_id, channel=(e.intake_channel or e.channel).value,
                complainant=e.complainant, unit=e.unit, company=e.company,
                category=e.category.value, content=e.content, status="registered",
                deadline=e.deadline, registered_at=at, reopen_count=0, anonymous=e.anonymous,
                location=e.location, received_on=e.received_on, updates=0, written_reply=False,
            )  # fmt: skip
        case ev.ComplainantInformed():
            row, written = rows.get(key), e.channel.value in WRITTEN
            rows.update(key, answered_at=row["answered_at"] or at, last_update_at=at,
                        updates=row["updates"] + 1,
                        written_reply=row["written_reply"] or written)  # fmt: skip
        case ev.ComplaintRejected():
            rows.update(key, status="rejected", resolution=e.reason, resolved_at=at)
        case ev.ComplaintInvestigated():
            rows.update(key, status="investigating", cause=e.cause.value)
        case ev.ComplaintEscalated():
            rows.update(key, status="escalated", escalated_to=e.escalated_to)
        case ev.ComplaintResolved():
            rows.update(key, status="resolved", resolution=e.resolution, resolved_at=at,
                        work_order_id=e.work_order_id)  # fmt: skip
        case ev.ComplaintReplied():
            row, channel = rows.get(key), (e.answer_channel or e.channel).value
            rows.update(key, status="replied", replied_at=at, answered_at=row["answered_at"] or at,
                        written_reply=row["written_reply"] or channel in WRITTEN)  # fmt: skip
        case ev.ComplaintReopened():
            row = rows.get(key)
            rows.update(key, status="reopened", reopen_count=row["reopen_count"] + 1,
                        resolved_at=None, replied_at=None)  # fmt: skip


# A complaint not answered before its deadline ($3: now); services.feedback.answers.is_late.
LATE = "(NOT anonymous AND coalesce(answered_at, $3) >= deadline)"


class FeedbackQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def open_complaints(self, site_id: UUID, now: datetime) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT *, NOT anonymous AND answered_at IS NULL AND deadline <= $3 AS overdue,"
            f" {LATE} AS late FROM complaints WHERE site_id = $1"
            " AND status = ANY($2::text[]) ORDER BY deadline, complaint_id",
            site_id, list(OPEN), now,
        )  # fmt: skip
        return [dict(r) for r in rows]

    async def statistics(self, site_ids: list[UUID] | None) -> list[dict[str, Any]]:
        """Per site: counts by category, cause and status, and resolution hours."""
        rows = await self.pool.fetch(
            "SELECT site_id, category, coalesce(cause, 'undetermined') AS cause, status,"
            " count(*) AS complaints,"
            " avg(extract(epoch FROM resolved_at - registered_at) / 3600)"
            "  FILTER (WHERE resolved_at IS NOT NULL AND status <> 'rejected') AS hours"
            " FROM complaints WHERE $1::uuid[] IS NULL OR site_id = ANY($1::uuid[])"
            " GROUP BY site_id, category, cause, status ORDER BY site_id, category, cause",
            site_ids,
        )
        return [
            {**dict(r), "hours": None if r["hours"] is None else round(float(r["hours"]), 2)}
            for r in rows
        ]

    async def satisfaction(self, site_id: UUID) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT quarter, count(*) AS responses, count(*) FILTER (WHERE satisfied)"
            " AS satisfied FROM survey_responses WHERE site_id = $1"
            " GROUP BY quarter ORDER BY quarter",
            site_id,
        )
        return [
            {
                "quarter": r["quarter"],
                "responses": r["responses"],
                "satisfied": r["satisfied"],
                "satisfied_share": round(r["satisfied"] / r["responses"], 4),
                "target": TARGET_SATISFIED_SHARE,
                "meets_target": r["satisfied"] / r["responses"] >= TARGET_SATISFIED_SHARE,
            }
            for r in rows
        ]

    async def tenant_of(self, site_id: UUID, unit: str) -> dict[str, Any] | None:
        """The unit's tenant on the site's roster; None for a site with no roster yet.
        A site with a roster knows all of its units: another is none of this site's."""
        row = await self.pool.fetchrow(
            "SELECT EXISTS (SELECT 1 FROM site_tenants WHERE site_id = $1) AS roster,"
            " (SELECT to_jsonb(t) FROM site_tenants t WHERE site_id = $1 AND unit = $2) AS tenant",
            site_id, unit,
        )  # fmt: skip
        if not row["roster"]:
            return None
        if row["tenant"] is None:
            raise Invalid(f"unit {unit} is not a unit of this site", field="unit")
        return dict(json.loads(row["tenant"]))

    async def late_complaints(
        self, site_id: UUID, day: date, now: datetime
    ) -> list[dict[str, Any]]:
        """The complaints received on a local day with no answer before their deadline
        (seed 001: "当日给回复"): answered after it, or not yet."""
        rows = await self.pool.fetch(
            "SELECT complaint_id, channel, complainant, unit, category, status, registered_at,"
            f" deadline, answered_at FROM complaints WHERE site_id = $1 AND {DAY} = $2"
            f" AND {LATE} ORDER BY registered_at, complaint_id",
            site_id, day, now, site_timezone(site_id),
        )  # fmt: skip
        return [dict(r) for r in rows]

    async def weekly_tally(self, site_id: UUID, week_start: date, now: datetime) -> dict[str, Any]:
        """The week's complaints (received on the site's local days `week_start` and the
        six after) by type, cause and location, with how many are open and were late."""
        week_end = week_start + timedelta(days=6)
        rows = [dict(r) for r in await self.pool.fetch(
            "SELECT category, coalesce(cause, 'undetermined') AS cause,"
            " coalesce(location, unit, 'unspecified') AS location, count(*) AS complaints,"
            " count(*) FILTER (WHERE status = ANY($5::text[])) AS still_open,"
            f" count(*) FILTER (WHERE {LATE}) AS late FROM complaints"
            f" WHERE site_id = $1 AND {DAY} BETWEEN $2 AND $6"
            " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            site_id, week_start, now, site_timezone(site_id), list(OPEN), week_end,
        )]  # fmt: skip
        return {"week_start": week_start, "week_end": week_end,
                "complaints": sum(r["complaints"] for r in rows),
                "late": sum(r["late"] for r in rows), "rows": rows}  # fmt: skip

    async def internal_feedback(
        self, site_id: UUID, unacknowledged_only: bool
    ) -> list[dict[str, Any]]:
        """Feedback to the departments at fault, newest first (the 500 latest)."""
        rows = await self.pool.fetch(
            "SELECT f.complaint_id, f.number, f.department, f.content, f.given_by, f.given_at,"
            " f.acknowledged_by, f.acknowledged_at, c.category, c.unit"
            " FROM complaint_internal_feedback f JOIN complaints c USING (complaint_id)"
            " WHERE f.site_id = $1 AND (NOT $2 OR f.acknowledged_by IS NULL)"
            " ORDER BY f.given_at DESC, f.complaint_id, f.number LIMIT 500",
            site_id, unacknowledged_only,
        )  # fmt: skip
        return [dict(r) for r in rows]

    async def follow_ups(self, site_id: UUID) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT visit_id, unit, tenant, visited_by, follow_ups, at FROM tenant_visits"
            " WHERE site_id = $1 AND follow_ups <> '[]'::jsonb ORDER BY at DESC LIMIT 500",
            site_id,
        )
        return [{**dict(r), "follow_ups": json.loads(r["follow_ups"])} for r in rows]
