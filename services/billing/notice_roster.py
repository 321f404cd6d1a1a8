"""Who the tenant of a unit is, for the printed payment notice: billing's copy of the
tenancy roster (`concierge.tenancy.v1`), like mail's directory and feedback's
complainants (issue 11: "one roster for everyone").

A unit has had one tenant after another; a month's notice names the tenant whose
billing span (billing start to move-out, both days included) reaches into that month,
the latest one when two do.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from contracts import tenancy as tenancy_events
from contracts.envelope import Envelope
from services.billing.money import Period
from services.billing.printables import TenantName
from services.billing.reactions import require_own_site

TENANTS_SQL = """
CREATE TABLE IF NOT EXISTS billing_tenants (
    site_id uuid NOT NULL, tenancy_id uuid NOT NULL, unit text NOT NULL,
    name_zh text NOT NULL, name_en text, billing_starts_on date NOT NULL,
    moved_out_on date,
    PRIMARY KEY (site_id, tenancy_id));
CREATE INDEX IF NOT EXISTS billing_tenants_unit ON billing_tenants (site_id, unit);
"""
MOVED_IN = (
    "INSERT INTO billing_tenants VALUES ($1, $2, $3, $4, $5, $6, NULL)"
    " ON CONFLICT (site_id, tenancy_id) DO UPDATE SET unit = EXCLUDED.unit,"
    " name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en,"
    " billing_starts_on = EXCLUDED.billing_starts_on"
)
RENAMED = (
    "UPDATE billing_tenants SET name_zh = $3, name_en = $4 WHERE site_id = $1 AND tenancy_id = $2"
)
MOVED_OUT = "UPDATE billing_tenants SET moved_out_on = $3 WHERE site_id = $1 AND tenancy_id = $2"
TENANT_OF = (
    "SELECT name_zh, name_en FROM billing_tenants"
    " WHERE site_id = $1 AND unit = $2 AND billing_starts_on <= $4"
    " AND (moved_out_on IS NULL OR moved_out_on >= $3)"
    " ORDER BY billing_starts_on DESC LIMIT 1"
)


class TenantRoster:
    """Billing's `billing_tenants` table, from move-ins, changes of details and move-outs."""

    name = "billing_tenant_roster"
    tables = ("billing_tenants",)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(TENANTS_SQL)

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            match e := envelope.data:
                case tenancy_events.TenantMovedIn():
                    require_own_site(envelope)
                    await conn.execute(MOVED_IN, e.site_id, e.tenancy_id, e.unit, e.name_zh,
                                       e.name_en, e.billing_starts_on)  # fmt: skip
                case tenancy_events.TenantDetailsChanged():
                    require_own_site(envelope)
                    await conn.execute(RENAMED, e.site_id, e.tenancy_id, e.name_zh, e.name_en)
                case tenancy_events.TenantMovedOut():
                    require_own_site(envelope)
                    await conn.execute(MOVED_OUT, e.site_id, e.tenancy_id, e.moved_out_on)


async def tenant_of(pool: asyncpg.Pool, site_id: UUID, unit: str,
                    period: Period) -> TenantName | None:  # fmt: skip
    """The unit's tenant in `period` (the latest to reach into it), or None."""
    try:
        row = await pool.fetchrow(TENANT_OF, site_id, unit, period.first_day, period.last_day)
    except asyncpg.UndefinedTableError:  # the roster's consumer has not started yet
        return None
    return TenantName(row["name_zh"], row["name_en"]) if row else None
