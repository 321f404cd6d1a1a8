"""Billing's reactions to other contexts, through Kafka only.

A verified paid repair (`concierge.workorder.v1` RepairVerified with a fee) becomes a
charge on the tenant's account for the monthly run. Idempotent: the charge id comes
from the work order, so a redelivered event posts nothing twice. A repair for a unit
billing does not know is parked for finance to assign (see `UnbilledRepairs`).

The tenancy (`concierge.tenancy.v1`): a move-in registers the unit and starts its
charges on the billing start date; a move-out stops them at the move-out date and draws
the final settlement; a fit-out's deposit is held (a liability) until it is settled
(`TenancyCharges`). Idempotent: each is recorded once per tenancy or permit.

DOMAIN.md: every id a flow carries belongs to the same site. A message whose envelope
names another site than its data is refused loudly (`ForeignSiteReference`: dead
letter, metric, error log by the consumer runner), never applied.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts import tenancy as tenancy_events
from contracts.envelope import Envelope
from contracts.workorder import RepairVerified
from runtime.errors import ForeignSiteReference
from runtime.reaction import CommandReaction
from services.billing.application import BillingApplication


class PaidRepairCharges(CommandReaction[BillingApplication]):
    name = "billing_paid_repairs"

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            e: Any = envelope.data
            if isinstance(e, RepairVerified) and e.paid and e.fee > 0:
                require_own_site(envelope)
                await asyncio.to_thread(
                    self.app.post_paid_repair, e.site_id, e.unit, e.work_order_id, e.number,
                    e.fee, e.occurred_at, envelope.correlation_id,
                )  # fmt: skip


def require_own_site(envelope: Envelope) -> None:
    """A message whose envelope names another site than its data is refused."""
    e: Any = envelope.data
    if envelope.site != e.site_id:
        raise ForeignSiteReference(
            f"{type(e).__name__} of site {e.site_id} came as site {envelope.site}'s ({envelope.id})"
        )


class TenancyCharges(CommandReaction[BillingApplication]):
    name = "billing_tenancy"

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            e: Any = envelope.data
            cid = envelope.correlation_id
            match e:
                case tenancy_events.TenantMovedIn():
                    require_own_site(envelope)
                    await asyncio.to_thread(self.app.begin_tenancy, e.site_id, e.unit,
                                            e.tenancy_id, e.billing_starts_on, e.occurred_at,
                                            cid)  # fmt: skip
                case tenancy_events.TenantMovedOut():
                    require_own_site(envelope)
                    await asyncio.to_thread(self.app.end_tenancy, e.site_id, e.unit,
                                            e.tenancy_id, e.moved_out_on,
                                            e.settlement_reference, e.occurred_at, cid)  # fmt: skip
                case tenancy_events.FitOutApplied() if e.deposit > 0:
                    require_own_site(envelope)
                    await asyncio.to_thread(self.app.hold_deposit, e.site_id, e.unit,
                                            e.permit_id, e.deposit, e.occurred_at, cid)  # fmt: skip
                case tenancy_events.FitOutDepositSettled() if e.deposit > 0:
                    require_own_site(envelope)
                    await asyncio.to_thread(self.app.release_deposit, e.site_id, e.unit,
                                            e.permit_id, e.refunded, e.deposit - e.refunded,
                                            e.occurred_at, cid)  # fmt: skip
