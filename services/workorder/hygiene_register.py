"""Read models of hygiene, part of the work-order read model: the cleaning areas with
their vendors (`cleaning_areas`) and the inspections (`hygiene_inspections`, one row per
inspection, filed by the site's local month of the inspection), each keyed by its
aggregate and filed by site."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

import asyncpg

from contracts import workorder as ev
from runtime.readmodel import RowSet
from services.workorder.hygiene import Level, next_due

HYGIENE_SQL = """
CREATE TABLE IF NOT EXISTS cleaning_areas (
    area_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    name text NOT NULL,
    vendor text NOT NULL,
    registered_on date NOT NULL);
CREATE INDEX IF NOT EXISTS cleaning_areas_site ON cleaning_areas (site_id, name);
CREATE TABLE IF NOT EXISTS hygiene_inspections (
    inspection_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    area_id uuid NOT NULL,
    area text NOT NULL,
    vendor text NOT NULL,
    level text NOT NULL,
    inspected_on date NOT NULL,
    period text NOT NULL,
    inspector text NOT NULL,
    items jsonb NOT NULL,
    overall_score numeric(4, 1) NOT NULL,
    note text,
    recorded_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS hygiene_inspections_site_period
    ON hygiene_inspections (site_id, period);
CREATE INDEX IF NOT EXISTS hygiene_inspections_area ON hygiene_inspections (area_id, level);
"""
TABLES = ("cleaning_areas", "hygiene_inspections")

AREA_COLUMNS = ("area_id", "site_id", "name", "vendor", "registered_on")
INSPECTION_COLUMNS = (
    "inspection_id", "site_id", "area_id", "area", "vendor", "level", "inspected_on", "period",
    "inspector", "items", "overall_score", "note", "recorded_at",
)  # fmt: skip
VIEW_COLUMNS = tuple(c for c in INSPECTION_COLUMNS if c != "period")


class HygieneFold:
    """How the hygiene events change the rows (in memory)."""

    def __init__(self, areas: RowSet, inspections: RowSet) -> None:
        self.areas = areas
        self.inspections = inspections

    @classmethod
    async def load(cls, conn: asyncpg.Connection, events: list[Any]) -> HygieneFold:
        area_events = ev.CleaningAreaRegistered | ev.CleaningVendorChanged
        area_ids = list({e.area_id for e in events if isinstance(e, area_events)})
        inspection_ids = list({e.inspection_id for e in events if hasattr(e, "inspection_id")})
        return cls(
            await RowSet.load(conn, "cleaning_areas", AREA_COLUMNS, area_ids),
            await RowSet.load(conn, "hygiene_inspections", INSPECTION_COLUMNS, inspection_ids),
        )

    async def save(self, conn: asyncpg.Connection) -> None:
        await self.areas.save(conn)
        await self.inspections.save(conn)

    def apply(self, e: Any) -> None:
        match e:
            case ev.CleaningAreaRegistered():
                self.areas.create(e.area_id, site_id=e.site_id, name=e.name, vendor=e.vendor,
                                  registered_on=e.registered_on)  # fmt: skip
            case ev.CleaningVendorChanged():
                self.areas.update(e.area_id, vendor=e.vendor)
            case ev.HygieneInspected():
                self.inspections.create(
                    e.inspection_id, site_id=e.site_id, area_id=e.area_id, area=e.area,
                    vendor=e.vendor, level=e.level.value, inspected_on=e.inspected_on,
                    period=e.inspected_on.strftime("%Y-%m"), inspector=e.inspector,
                    items=json.dumps([i.model_dump() for i in e.items]),
                    overall_score=e.overall_score, note=e.note, recorded_at=e.occurred_at,
                )  # fmt: skip


class HygieneQueries:
    """Reads of the hygiene registers, always filtered by site."""

    pool: asyncpg.Pool

    async def cleaning_areas(self, site_id: UUID) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT * FROM cleaning_areas WHERE site_id = $1 ORDER BY name, area_id", site_id
        )
        return [dict(r) for r in rows]

    async def hygiene_inspections(
        self, site_id: UUID, period: str | None, area_id: UUID | None, limit: int = 500
    ) -> list[dict[str, Any]]:
        """Latest first, of a month and of an area when named."""
        rows = await self.pool.fetch(
            f"SELECT {', '.join(VIEW_COLUMNS)} FROM hygiene_inspections WHERE site_id = $1"
            " AND ($2::text IS NULL OR period = $2) AND ($3::uuid IS NULL OR area_id = $3)"
            " ORDER BY inspected_on DESC, recorded_at DESC, inspection_id LIMIT $4",
            site_id, period, area_id, limit,
        )  # fmt: skip
        return [{**dict(r), "items": json.loads(r["items"])} for r in rows]

    async def overdue_inspections(self, site_id: UUID, today: date) -> dict[str, Any]:
        """Seed 001 "班组每七天检验1次,管区半月检验1次,部门每个月检验一次": every area and
        level whose next inspection was due before `today` (an area never inspected at a
        level is due an interval after its registration)."""
        rows = await self.pool.fetch(
            "SELECT a.area_id, a.name, a.vendor, a.registered_on, l.level,"
            " max(i.inspected_on) AS last_inspected_on"
            " FROM cleaning_areas a CROSS JOIN unnest($2::text[]) AS l(level)"
            " LEFT JOIN hygiene_inspections i ON i.area_id = a.area_id AND i.level = l.level"
            " AND i.site_id = a.site_id"
            " WHERE a.site_id = $1 GROUP BY a.area_id, a.name, a.vendor, a.registered_on, l.level",
            site_id, [level.value for level in Level],
        )  # fmt: skip
        overdue = []
        for r in rows:
            due = next_due(Level(r["level"]), r["last_inspected_on"] or r["registered_on"])
            if due < today:
                overdue.append({
                    "area_id": r["area_id"], "area": r["name"], "vendor": r["vendor"],
                    "level": r["level"], "last_inspected_on": r["last_inspected_on"],
                    "due_on": due, "days_overdue": (today - due).days,
                })  # fmt: skip
        overdue.sort(key=lambda o: (o["due_on"], o["area"], list(Level).index(Level(o["level"]))))
        return {"as_of": today, "overdue": overdue}

    async def vendor_scores(self, site_id: UUID, period: str) -> dict[str, Any]:
        """Each vendor's inspections in the month (of the areas it cleaned when inspected)
        and their average overall score, lowest first."""
        rows = await self.pool.fetch(
            "SELECT vendor, area_id, overall_score FROM hygiene_inspections"
            " WHERE site_id = $1 AND period = $2",
            site_id, period,
        )  # fmt: skip
        by_vendor: dict[str, list[Any]] = defaultdict(list)
        for r in rows:
            by_vendor[r["vendor"]].append(r)
        vendors = [
            {
                "vendor": vendor,
                "inspections": len(scored),
                "areas": len({r["area_id"] for r in scored}),
                "average_score": (
                    sum((r["overall_score"] for r in scored), Decimal(0)) / len(scored)
                ).quantize(Decimal("0.1"), ROUND_HALF_UP),
                "lowest_score": min(r["overall_score"] for r in scored),
            }
            for vendor, scored in by_vendor.items()
        ]
        vendors.sort(key=lambda v: (v["average_score"], v["vendor"]))
        return {"period": period, "vendors": vendors}
