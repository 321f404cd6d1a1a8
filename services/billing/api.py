"""gRPC API of the billing service: finance commands and the finance tables."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID

from pydantic import TypeAdapter, ValidationError

from contracts import billing_api as api
from contracts.fields import Reference
from runtime.clock import clock
from runtime.errors import Forbidden, Invalid
from runtime.rpc import RpcService, correlation_of, site_of
from runtime.sites import site_timezone
from services.billing.application import BillingApplication
from services.billing.domain import UnitAccount
from services.billing.money import Period
from services.billing.projections import BillingQueries

REFERENCE = TypeAdapter(Reference)


def account_view(account: UnitAccount) -> dict[str, Any]:
    return {
        "unit": account.unit,
        "currency": account.currency,
        "outstanding": account.outstanding(),
        "credit": account.credit,
        "balance": account.balance(),
        "lines": [line._asdict() for line in account.lines()],
        "statements": {str(p): d for p, d in sorted(account.statements.items())},
        "profile": account.profile,
    }


def build_api(app: BillingApplication, queries: BillingQueries) -> RpcService:
    rpc = RpcService("billing")
    run = asyncio.to_thread

    def today(request: dict[str, Any]) -> date:
        given = request.get("as_of")
        return date.fromisoformat(given) if given else clock.today(site_timezone(site_of(request)))

    def period(request: dict[str, Any]) -> Period:
        return Period.parse(request["period"])

    @rpc.method
    async def configure(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.ConfigureBilling.model_validate(request["payload"])
        await run(app.configure, site_of(request), cmd, correlation_of(request))
        policy = await run(app.policy, site_of(request))
        return {"days_to_pay": policy.days_to_pay, "grace_days": policy.grace_days,
                "late_fee": policy.late_fee_terms, "currency": policy.currency,
                "approval_chain": list(policy.approval_chain)}  # fmt: skip

    @rpc.method
    async def set_rate(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.SetRate.model_validate(request["payload"])
        await run(app.set_rate, site_of(request), cmd, correlation_of(request))
        return cmd.model_dump()

    @rpc.method
    async def register_units(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.RegisterUnits.model_validate(request["payload"])
        new = await run(app.register_units, site_of(request), cmd, correlation_of(request))
        return {"units": len(cmd.units), "new_units": new}

    @rpc.method
    async def record_water(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.RecordWater.model_validate(request["payload"])
        changed = await run(app.record_water, site_of(request), cmd, correlation_of(request))
        return {"readings_recorded": changed}

    @rpc.method
    async def run_month(request: dict[str, Any]) -> dict[str, Any]:
        return await run(app.run_month, site_of(request), period(request), correlation_of(request))

    @rpc.method
    async def approve(request: dict[str, Any]) -> dict[str, Any]:
        role, actor = request.get("role"), request.get("actor")
        if not role or not actor:
            raise Forbidden("an approval needs the approver's role and name")
        return await run(app.approve, site_of(request), period(request), role, actor,
                         correlation_of(request))  # fmt: skip

    @rpc.method
    async def issue(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.IssueStatements.model_validate(request["payload"])
        return await run(app.issue, site_of(request), period(request), cmd.due_date,
                         correlation_of(request))  # fmt: skip

    @rpc.method
    async def close(request: dict[str, Any]) -> dict[str, Any]:
        return await run(
            app.close_period, site_of(request), period(request), correlation_of(request)
        )

    @rpc.method
    async def get_run(request: dict[str, Any]) -> dict[str, Any]:
        billing_run = await run(app.billing_run, site_of(request), period(request))
        return app.run_view(billing_run)

    @rpc.method
    async def sweep_overdue(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.SweepOverdue.model_validate(request["payload"])
        return await run(app.sweep_overdue, site_of(request), cmd.as_of, correlation_of(request))

    @rpc.method
    async def receive_payment(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.ReceivePayment.model_validate(request["payload"])
        recorded = await run(app.receive_payment, site_of(request), request["unit"], cmd,
                             correlation_of(request))  # fmt: skip
        account = await run(app.account, site_of(request), request["unit"])
        return {"recorded": recorded, **account_view(account)}

    @rpc.method
    async def reverse_payment(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.ReversePayment.model_validate(request["payload"])
        try:
            reference = REFERENCE.validate_python(request["reference"])
        except ValidationError:
            raise Invalid("not a payment reference", field="reference") from None
        await run(app.reverse_payment, site_of(request), request["unit"], reference,
                  cmd, correlation_of(request))  # fmt: skip
        return account_view(await run(app.account, site_of(request), request["unit"]))

    @rpc.method
    async def adjust(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.Adjust.model_validate(request["payload"])
        done = await run(app.adjust, site_of(request), request["unit"], cmd,
                         correlation_of(request))  # fmt: skip
        account = await run(app.account, site_of(request), request["unit"])
        return {"recorded": done, **account_view(account)}

    @rpc.method
    async def unbilled_repairs(request: dict[str, Any]) -> dict[str, Any]:
        """Paid repairs naming no billed unit, for finance to assign."""
        parked = await run(app.unbilled_repairs, site_of(request))
        return {"repairs": [repair._asdict() for repair in parked]}

    @rpc.method
    async def assign_paid_repair(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.AssignPaidRepair.model_validate(request["payload"])
        work_order_id = UUID(request["work_order_id"])
        await run(app.assign_paid_repair, site_of(request), work_order_id, cmd,
                  correlation_of(request))  # fmt: skip
        return account_view(await run(app.account, site_of(request), cmd.unit))

    @rpc.method
    async def get_account(request: dict[str, Any]) -> dict[str, Any]:
        return account_view(await run(app.account, site_of(request), request["unit"]))

    @rpc.method
    async def receipts(request: dict[str, Any]) -> list[dict[str, Any]]:
        receipts = await run(app.receipts, site_of(request))
        return [api.Receipt.model_validate(r).model_dump(mode="json") for r in receipts]

    @rpc.method
    async def unit_tenancy(request: dict[str, Any]) -> dict[str, Any]:
        account = await run(app.account, site_of(request), request["unit"])
        return api.UnitTenancy(
            unit=account.unit, deposits_held=account.deposits_held,
            tenancies=[{"tenancy_id": t, "billing_starts_on": start, "moved_out_on": until}
                       for t, (start, until) in account.tenancies.items()],
            final_settlements=list(account.final_settlements.values()),
        ).model_dump(mode="json")  # fmt: skip

    @rpc.method
    async def receivable(request: dict[str, Any]) -> dict[str, Any]:
        return await queries.receivable(site_of(request), request["period"], today(request))

    @rpc.method
    async def paid(request: dict[str, Any]) -> dict[str, Any]:
        return await queries.paid(site_of(request), request["period"], today(request))

    @rpc.method
    async def arrears(request: dict[str, Any]) -> dict[str, Any]:
        return await queries.arrears(site_of(request), today(request))

    @rpc.method
    async def collection_rate(request: dict[str, Any]) -> dict[str, Any]:
        return await queries.collection_rate(site_of(request), request["period"], today(request))

    @rpc.method
    async def group_arrears(request: dict[str, Any]) -> dict[str, Any]:
        """Every site's arrears totals (the gateway lets only group admins ask)."""
        as_of = date.fromisoformat(request["as_of"]) if request.get("as_of") else clock.today()
        sites = await queries.sites()
        tables = await queries.arrears_of_sites(sites, as_of)
        rows = [{"site_id": site, **table["totals"]} for site, table in tables.items()]
        return {"as_of": as_of, "sites": rows}

    return rpc
