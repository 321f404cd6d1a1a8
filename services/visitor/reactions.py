"""The visitor context's reaction to the roster, through Kafka only: the units of each
site, and whose tenant has moved out, so the desk names only its own site's units as
hosts (`site_units`, keyed by site and unit). The tenancy context's move-ins and
move-outs are the roster; the mail directory (`PUT /mail/directory`, which also follows
the tenancy events) still feeds it for sites that keep their directory by hand."""

from __future__ import annotations

import asyncpg

from contracts.envelope import Envelope
from contracts.mail import MailDirectoryUpdated
from contracts.tenancy import TenantMovedIn, TenantMovedOut
from services.visitor.projections import SITE_UNITS_SQL

UPSERT_UNIT = (
    "INSERT INTO site_units (site_id, unit, moved_out) VALUES ($1, $2, $3)"
    " ON CONFLICT (site_id, unit) DO UPDATE SET moved_out = EXCLUDED.moved_out"
)


class SiteRoster:
    name = "visitor_site_roster"
    tables = ("site_units",)

    async def setup(self, conn: asyncpg.Connection) -> None:
        await conn.execute(SITE_UNITS_SQL)

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        rows = []
        for envelope in envelopes:
            match e := envelope.data:
                case MailDirectoryUpdated():
                    moved_out = set(e.moved_out)
                    rows += [(e.site_id, unit, unit in moved_out) for unit in e.units]
                case TenantMovedIn():
                    rows.append((e.site_id, e.unit, False))
                case TenantMovedOut():
                    rows.append((e.site_id, e.unit, True))
        if rows:  # in order: a later update of a unit wins
            await conn.executemany(UPSERT_UNIT, rows)
