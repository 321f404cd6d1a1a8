"""Read models of building operations, part of the work-order read model: the patrol
plans (`patrol_plans`), the rounds with their records (`patrol_rounds`) and the
managers' sign-offs of the day's patrols (`patrol_days`), each row keyed by its
aggregate and filed by site.
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
"""
TABLES = ("patrol_plans", "patrol_rounds", "patrol_days")

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

    def __init__(self, plans: RowSet, rounds: RowSet, days: RowSet) -> None:
        self.plans = plans
        self.rounds = rounds
        self.days = days

    @classmethod
    async def load(cls, conn: asyncpg.Connection, events: list[Any]) -> RegisterFold:
        """The rows a batch of events touches."""
        return cls(
            await RowSet.load(conn, "patrol_plans", PLAN_COLUMNS, _ids(events, "plan_id")),
            await RowSet.load(conn, "patrol_rounds", ROUND_COLUMNS, _ids(events, "round_id")),
            await RowSet.load(conn, "patrol_days", DAY_COLUMNS, _ids(events, "patrol_day_id")),
        )

    async def save(self, conn: asyncpg.Connection) -> None:
        for rows in (self.plans, self.rounds, self.days):
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
