"""Read models of building operations, part of the work-order read model: the patrol
plans (`patrol_plans`), the rounds with their records (`patrol_rounds`), the
managers' sign-offs of the day's patrols (`patrol_days`), the incident log
(`incidents`) and the drills (`drills`), each row keyed by its aggregate and filed by
site.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from contracts import workorder as ev
from runtime.readmodel import RowSet

REGISTERS_SQL = """
CREATE TABLE IF NOT EXISTS patrol_plans (
    plan_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    zone text NOT NULL,
    checkpoints jsonb NOT NULL,
    drawn_by text NOT NULL,
    drawn_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS patrol_plans_site ON patrol_plans (site_id, zone);
CREATE TABLE IF NOT EXISTS patrol_rounds (
    round_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    zone text NOT NULL,
    business_date date NOT NULL,
    patroller text NOT NULL,
    checkpoints jsonb NOT NULL,
    records jsonb NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    missed jsonb);
CREATE INDEX IF NOT EXISTS patrol_rounds_site_date ON patrol_rounds (site_id, business_date);
CREATE TABLE IF NOT EXISTS patrol_days (
    patrol_day_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    business_date date NOT NULL,
    rounds int NOT NULL,
    signed_off_by text NOT NULL,
    signed_off_at timestamptz NOT NULL,
    note text,
    UNIQUE (site_id, business_date));
CREATE TABLE IF NOT EXISTS incidents (
    incident_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    kind text NOT NULL,
    place text NOT NULL,
    description text NOT NULL,
    happened_at timestamptz NOT NULL,
    reported_by text NOT NULL,
    reported_at timestamptz NOT NULL,
    actions jsonb NOT NULL,
    follow_ups jsonb NOT NULL,
    closed_at timestamptz,
    closed_by text,
    summary text);
CREATE INDEX IF NOT EXISTS incidents_site ON incidents (site_id, happened_at);
CREATE TABLE IF NOT EXISTS drills (
    drill_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    kind text NOT NULL,
    held_on date NOT NULL,
    participants jsonb NOT NULL,
    duration_minutes int NOT NULL,
    findings text NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS drills_site ON drills (site_id, held_on);
"""
TABLES = ("patrol_plans", "patrol_rounds", "patrol_days", "incidents", "drills")

PLAN_COLUMNS = ("plan_id", "site_id", "zone", "checkpoints", "drawn_by", "drawn_at")
ROUND_COLUMNS = (
    "round_id",
    "site_id",
    "plan_id",
    "zone",
    "business_date",
    "patroller",
    "checkpoints",
    "records",
    "started_at",
    "finished_at",
    "missed",
)
INCIDENT_COLUMNS = (
    "incident_id", "site_id", "kind", "place", "description", "happened_at", "reported_by",
    "reported_at", "actions", "follow_ups", "closed_at", "closed_by", "summary",
)  # fmt: skip
DRILL_COLUMNS = (
    "drill_id", "site_id", "kind", "held_on", "participants", "duration_minutes", "findings",
    "recorded_by", "recorded_at",
)  # fmt: skip
DAY_COLUMNS = (
    "patrol_day_id",
    "site_id",
    "business_date",
    "rounds",
    "signed_off_by",
    "signed_off_at",
    "note",
)


def _ids(events: list[Any], key: str) -> list[UUID]:
    return list({getattr(e, key) for e in events if hasattr(e, key)})


def _checkpoints(e: ev.PatrolPlanDrawn | ev.PatrolRoundStarted) -> str:
    return json.dumps([c.model_dump() for c in e.checkpoints])


class RegisterFold:
    """How the building-operations events change the register rows (in memory)."""

    def __init__(
        self, plans: RowSet, rounds: RowSet, days: RowSet, incidents: RowSet, drills: RowSet
    ) -> None:
        self.plans = plans
        self.rounds = rounds
        self.days = days
        self.incidents = incidents
        self.drills = drills

    @classmethod
    async def load(cls, conn: asyncpg.Connection, events: list[Any]) -> RegisterFold:
        """The rows a batch of events touches."""
        return cls(
            await RowSet.load(conn, "patrol_plans", PLAN_COLUMNS, _ids(events, "plan_id")),
            await RowSet.load(conn, "patrol_rounds", ROUND_COLUMNS, _ids(events, "round_id")),
            await RowSet.load(conn, "patrol_days", DAY_COLUMNS, _ids(events, "patrol_day_id")),
            await RowSet.load(conn, "incidents", INCIDENT_COLUMNS, _ids(events, "incident_id")),
            await RowSet.load(conn, "drills", DRILL_COLUMNS, _ids(events, "drill_id")),
        )

    async def save(self, conn: asyncpg.Connection) -> None:
        for rows in (self.plans, self.rounds, self.days, self.incidents, self.drills):
            await rows.save(conn)

    def apply(self, e: Any) -> None:
        match e:
            case ev.PatrolPlanDrawn():
                self.plans.create(
                    e.plan_id,
                    site_id=e.site_id,
                    zone=e.zone,
                    checkpoints=_checkpoints(e),
                    drawn_by=e.drawn_by,
                    drawn_at=e.occurred_at,
                )
            case ev.PatrolRoundStarted():
                self.rounds.create(
                    e.round_id,
                    site_id=e.site_id,
                    plan_id=e.plan_id,
                    zone=e.zone,
                    business_date=e.business_date,
                    patroller=e.patroller,
                    checkpoints=_checkpoints(e),
                    records="[]",
                    started_at=e.occurred_at,
                )
            case ev.PatrolCheckpointRecorded():
                records = json.loads(self.rounds.get(e.round_id)["records"])
                records.append(
                    {
                        "checkpoint": e.checkpoint,
                        "position": e.position,
                        "found": e.found,
                        "work_order_id": e.work_order_id and str(e.work_order_id),
                        "at": e.occurred_at.isoformat(),
                    }
                )
                self.rounds.update(e.round_id, records=json.dumps(records))
            case ev.PatrolRoundFinished():
                self.rounds.update(
                    e.round_id, finished_at=e.occurred_at, missed=json.dumps(e.missed)
                )
            case ev.PatrolDaySignedOff():
                self.days.create(
                    e.patrol_day_id,
                    site_id=e.site_id,
                    business_date=e.business_date,
                    rounds=e.rounds,
                    signed_off_by=e.signed_off_by,
                    signed_off_at=e.occurred_at,
                    note=e.note,
                )
            case ev.IncidentReported():
                self.incidents.create(
                    e.incident_id, site_id=e.site_id, kind=e.kind.value, place=e.place,
                    description=e.description, happened_at=e.happened_at,
                    reported_by=e.reported_by, reported_at=e.occurred_at, actions="[]",
                    follow_ups="[]",
                )  # fmt: skip
            case ev.IncidentActionTaken():
                row = self.incidents.get(e.incident_id)
                entry = {"action": e.action, "by": e.taken_by, "at": e.occurred_at.isoformat()}
                self.incidents.update(e.incident_id, actions=_appended(row, "actions", entry))
            case ev.IncidentFollowUpRecorded():
                row = self.incidents.get(e.incident_id)
                entry = {"follow_up": e.follow_up, "by": e.recorded_by,
                         "at": e.occurred_at.isoformat()}  # fmt: skip
                self.incidents.update(e.incident_id, follow_ups=_appended(row, "follow_ups", entry))
            case ev.IncidentClosed():
                self.incidents.update(e.incident_id, closed_at=e.occurred_at,
                                      closed_by=e.closed_by, summary=e.summary)  # fmt: skip
            case ev.DrillRecorded():
                self.drills.create(
                    e.drill_id, site_id=e.site_id, kind=e.kind.value, held_on=e.held_on,
                    participants=json.dumps(e.participants), duration_minutes=e.duration_minutes,
                    findings=e.findings, recorded_by=e.recorded_by, recorded_at=e.occurred_at,
                )  # fmt: skip


def _appended(row: dict[str, Any], column: str, entry: dict[str, Any]) -> str:
    return json.dumps([*json.loads(row[column]), entry])


def round_view(row: dict[str, Any]) -> dict[str, Any]:
    """A `patrol_rounds` row as the round view (what is not yet visited, from its
    records)."""
    checkpoints = json.loads(row["checkpoints"])
    records = json.loads(row["records"])
    seen = {r["checkpoint"] for r in records}
    return {
        **row,
        "checkpoints": checkpoints,
        "records": records,
        "not_visited": [c["checkpoint"] for c in checkpoints if c["checkpoint"] not in seen],
        "missed": row["missed"] and json.loads(row["missed"]),
    }


class RegisterQueries:
    """Reads of the building-operations registers, always filtered by site."""

    pool: asyncpg.Pool

    async def patrol_plans(self, site_id: UUID) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT * FROM patrol_plans WHERE site_id = $1 ORDER BY zone, drawn_at, plan_id",
            site_id,
        )
        return [{**dict(r), "checkpoints": json.loads(r["checkpoints"])} for r in rows]

    async def patrol_day(self, site_id: UUID, day: date) -> dict[str, Any]:
        """Seed 001 "每日审核职员巡视统计表": the day's rounds with their findings, the
        repairs those opened and the checkpoints missed, and the manager's sign-off."""
        async with (
            self.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            rounds = [
                round_view(dict(r))
                for r in await conn.fetch(
                    "SELECT * FROM patrol_rounds WHERE site_id = $1 AND business_date = $2"
                    " ORDER BY started_at, round_id",
                    site_id,
                    day,
                )
            ]
            signed = await conn.fetchrow(
                "SELECT * FROM patrol_days WHERE site_id = $1 AND business_date = $2",
                site_id,
                day,
            )
        findings = [r for rnd in rounds for r in rnd["records"] if r["found"]]
        return {
            "business_date": day,
            "rounds": rounds,
            "rounds_open": sum(1 for r in rounds if r["finished_at"] is None),
            "findings": len(findings),
            "repairs_opened": [r["work_order_id"] for r in findings if r["work_order_id"]],
            "missed_checkpoints": sum(len(r["missed"] or []) for r in rounds),
            "signed_off_by": signed and signed["signed_off_by"],
            "signed_off_at": signed and signed["signed_off_at"],
            "note": signed and signed["note"],
        }

    async def incidents(
        self, site_id: UUID, open_only: bool, limit: int = 500
    ) -> list[dict[str, Any]]:
        """The site's incident log, latest first; with `open_only`, those not closed."""
        rows = await self.pool.fetch(
            "SELECT * FROM incidents WHERE site_id = $1 AND (NOT $2 OR closed_at IS NULL)"
            " ORDER BY happened_at DESC, incident_id LIMIT $3",
            site_id, open_only, limit,
        )  # fmt: skip
        return [
            {**dict(r), "actions": json.loads(r["actions"]),
             "follow_ups": json.loads(r["follow_ups"])}
            for r in rows
        ]  # fmt: skip

    async def drills(self, site_id: UUID, limit: int = 500) -> list[dict[str, Any]]:
        """The site's drills, latest first."""
        rows = await self.pool.fetch(
            "SELECT * FROM drills WHERE site_id = $1 ORDER BY held_on DESC, recorded_at DESC,"
            " drill_id LIMIT $2",
            site_id, limit,
        )  # fmt: skip
        return [{**dict(r), "participants": json.loads(r["participants"])} for r in rows]
