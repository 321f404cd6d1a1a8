"""Tenancy read models: the roster per site (who is in which unit, with contacts), the
fit-out permits and the tenant files with their borrowings (overdue ones listed)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from contracts import tenancy as ev
from contracts.envelope import Envelope

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS tenancies (
    tenancy_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    unit text NOT NULL,
    status text NOT NULL,
    kind text NOT NULL,
    name_zh text NOT NULL,
    name_en text,
    contact jsonb NOT NULL,
    emergency_contact jsonb,
    moved_in_on date NOT NULL,
    billing_starts_on date NOT NULL,
    notice_on date,
    moving_out_on date,
    moved_out_on date,
    settlement_reference text);
CREATE INDEX IF NOT EXISTS tenancies_site_unit ON tenancies (site_id, unit);
CREATE TABLE IF NOT EXISTS fit_outs (
    permit_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    tenancy_id uuid NOT NULL,
    unit text NOT NULL,
    status text NOT NULL,
    contractor text NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    deposit numeric(14, 2) NOT NULL,
    approvals int NOT NULL DEFAULT 0,
    last_inspection_passed bool,
    refunded numeric(14, 2),
    deducted numeric(14, 2));
CREATE INDEX IF NOT EXISTS fit_outs_site ON fit_outs (site_id, status);
CREATE TABLE IF NOT EXISTS tenant_files (
    file_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    number text NOT NULL,
    title text NOT NULL,
    pages int NOT NULL,
    filed_on date NOT NULL,
    filed_by text NOT NULL,
    category text NOT NULL,
    unit text,
    borrower text,
    borrowed_on date,
    due_back_on date);
CREATE INDEX IF NOT EXISTS tenant_files_site ON tenant_files (site_id, number);
"""

_DETAILS = (
    "UPDATE tenancies SET kind = $2, name_zh = $3, name_en = $4, contact = $5::jsonb,"
    " emergency_contact = $6::jsonb WHERE tenancy_id = $1"
)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value.model_dump(mode="json"))


class TenancyReadModel:
    name = "tenancy_read_model"
    tables = ("tenancies", "fit_outs", "tenant_files")

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(SCHEMA_SQL)

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        # In order, one statement per event: a batch is one transaction, and a tenancy's
        # events are few (a move-in, some changes, a notice, a move-out).
        for envelope in envelopes:
            statement = _statement(envelope.data)
            if statement is not None:
                await conn.execute(*statement)


def _statement(e: Any) -> tuple[Any, ...] | None:
    match e:
        case ev.TenantMovedIn():
            return (
                "INSERT INTO tenancies (tenancy_id, site_id, unit, status, kind, name_zh,"
                " name_en, contact, emergency_contact, moved_in_on, billing_starts_on)"
                " VALUES ($1, $2, $3, 'in_residence', $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10)"
                " ON CONFLICT (tenancy_id) DO NOTHING",
                e.tenancy_id, e.site_id, e.unit, e.kind.value, e.name_zh, e.name_en,
                _json(e.contact), _json(e.emergency_contact), e.moved_in_on, e.billing_starts_on,
            )  # fmt: skip
        case ev.TenantDetailsChanged():
            return (_DETAILS, e.tenancy_id, e.kind.value, e.name_zh, e.name_en,
                    _json(e.contact), _json(e.emergency_contact))  # fmt: skip
        case ev.MoveOutNoticeGiven():
            return ("UPDATE tenancies SET status = 'notice_given', notice_on = $2,"
                    " moving_out_on = $3 WHERE tenancy_id = $1",
                    e.tenancy_id, e.notice_on, e.moving_out_on)  # fmt: skip
        case ev.TenantMovedOut():
            return ("UPDATE tenancies SET status = 'moved_out', moved_out_on = $2,"
                    " settlement_reference = $3 WHERE tenancy_id = $1",
                    e.tenancy_id, e.moved_out_on, e.settlement_reference)  # fmt: skip
        case ev.FitOutApplied():
            return (
                "INSERT INTO fit_outs (permit_id, site_id, tenancy_id, unit, status, contractor,"
                " starts_on, ends_on, deposit) VALUES ($1, $2, $3, $4, 'applied', $5, $6, $7, $8)"
                " ON CONFLICT (permit_id) DO NOTHING",
                e.permit_id, e.site_id, e.tenancy_id, e.unit, e.contractor, e.starts_on,
                e.ends_on, e.deposit,
            )  # fmt: skip
        case ev.FitOutApproved():
            return ("UPDATE fit_outs SET approvals = approvals + 1,"
                    " status = CASE WHEN $2 THEN 'approved' ELSE status END WHERE permit_id = $1",
                    e.permit_id, e.fully_approved)  # fmt: skip
        case ev.FitOutInspected():
            return ("UPDATE fit_outs SET last_inspection_passed = $2 WHERE permit_id = $1",
                    e.permit_id, e.passed)  # fmt: skip
        case ev.FitOutCompleted():
            return ("UPDATE fit_outs SET status = 'completed' WHERE permit_id = $1", e.permit_id)
        case ev.FitOutDepositSettled():
            return ("UPDATE fit_outs SET status = 'settled', refunded = $2, deducted = $3"
                    " WHERE permit_id = $1",
                    e.permit_id, e.refunded, e.deposit - e.refunded)  # fmt: skip
        case ev.TenantFileFiled():
            return (
                "INSERT INTO tenant_files (file_id, site_id, number, title, pages, filed_on,"
                " filed_by, category, unit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                " ON CONFLICT (file_id) DO NOTHING",
                e.file_id, e.site_id, e.number, e.title, e.pages, e.filed_on, e.filed_by,
                e.category, e.unit,
            )  # fmt: skip
        case ev.TenantFileBorrowed():
            return ("UPDATE tenant_files SET borrower = $2, borrowed_on = $3, due_back_on = $4"
                    " WHERE file_id = $1",
                    e.file_id, e.borrower, e.borrowed_on, e.due_back_on)  # fmt: skip
        case ev.TenantFileReturned():
            return ("UPDATE tenant_files SET borrower = NULL, borrowed_on = NULL,"
                    " due_back_on = NULL WHERE file_id = $1", e.file_id)  # fmt: skip
    return None


class TenancyQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def roster(self, site_id: UUID) -> list[dict[str, Any]]:
        """The site's tenants now (in residence or under notice), by unit: the list sent
        to every department (seed 001 "定时整理大厦入住用户名单并分发给对应部门")."""
        rows = await self.pool.fetch(
            "SELECT tenancy_id, unit, status, kind, name_zh, name_en, contact,"
            " emergency_contact, moved_in_on, moving_out_on FROM tenancies"
            " WHERE site_id = $1 AND status <> 'moved_out' ORDER BY unit, tenancy_id",
            site_id,
        )
        return [
            {**dict(r), "contact": json.loads(r["contact"]),
             "emergency_contact": json.loads(r["emergency_contact"])
             if r["emergency_contact"] else None}
            for r in rows
        ]  # fmt: skip

    async def fit_outs(self, site_id: UUID) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT permit_id, tenancy_id, unit, status, contractor, starts_on, ends_on, deposit,"
            " approvals, last_inspection_passed, refunded, deducted FROM fit_outs"
            " WHERE site_id = $1 ORDER BY starts_on, permit_id",
            site_id,
        )
        return [dict(r) for r in rows]

    async def files(self, site_id: UUID) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT file_id, number, title, pages, filed_on, filed_by, category, unit, borrower,"
            " borrowed_on, due_back_on FROM tenant_files WHERE site_id = $1 ORDER BY number",
            site_id,
        )
        return [dict(r) for r in rows]

    async def overdue_borrowings(self, site_id: UUID, today: date) -> list[dict[str, Any]]:
        """Files out past their due-back date, longest overdue first."""
        rows = await self.pool.fetch(
            "SELECT file_id, number, title, borrower, borrowed_on, due_back_on,"
            " $2::date - due_back_on AS days_overdue FROM tenant_files"
            " WHERE site_id = $1 AND borrower IS NOT NULL AND due_back_on < $2"
            " ORDER BY due_back_on, number",
            site_id, today,
        )  # fmt: skip
        return [dict(r) for r in rows]
