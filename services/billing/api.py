"""gRPC API of the billing service: finance commands and the finance tables."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID

from contracts import billing_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.clock import clock
from runtime.errors import Forbidden
from runtime.rpc import RpcService
from runtime.sites import site_timezone
from services.billing.application import BillingApplication
from services.billing.application_phone import phone_charges_view
from services.billing.domain import UnitAccount
from services.billing.money import Period
from services.billing.print_api import serve_printables
from services.billing.projections import BillingQueries


def account_view(account: UnitAccount) -> api.AccountView:
    return api.AccountView(
        unit=account.unit,
        currency=account.currency,
        outstanding=account.outstanding(),
        credit=account.credit,
        balance=account.balance(),
        lines=[line._asdict() for line in account.lines()],
        statements={str(p): d for p, d in sorted(account.statements.items())},
        profile=account.profile or None,
    )


def build_api(app: BillingApplication, queries: BillingQueries) -> RpcService:
    rpc = RpcService(api.SERVICE)
    run = asyncio.to_thread
    serve_printables(rpc, app, queries.pool)  # the notice and the receipt as PDF

    def today(request: api.AsOfQuery) -> date:
        return request.as_of or clock.today(site_timezone(request.site_id))

    async def account(site_id: UUID, unit: str) -> api.AccountView:
        return account_view(await run(app.account, site_id, unit))

    async def posting(site_id: UUID, unit: str, recorded: bool) -> api.AccountPosting:
        view = await account(site_id, unit)
        return api.AccountPosting(recorded=recorded, **dict(view))

    @rpc.implements(api.CONFIGURE)
    async def configure(
        request: SiteCommand[api.ConfigureBilling], call: CallContext
    ) -> dict[str, Any]:
        await run(app.configure, request.site_id, request.payload, call.correlation_id)
        policy = await run(app.policy, request.site_id)
        return {"days_to_pay": policy.days_to_pay, "grace_days": policy.grace_days,
                "late_fee": policy.late_fee_terms, "currency": policy.currency,
                "approval_chain": list(policy.approval_chain)}  # fmt: skip

    @rpc.implements(api.SET_RATE)
    async def set_rate(request: SiteCommand[api.SetRate], call: CallContext) -> api.SetRate:
        await run(app.set_rate, request.site_id, request.payload, call.correlation_id)
        return request.payload

    @rpc.implements(api.REGISTER_UNITS)
    async def register_units(
        request: SiteCommand[api.RegisterUnits], call: CallContext
    ) -> api.UnitsRegistered:
        cmd = request.payload
        new = await run(app.register_units, request.site_id, cmd, call.correlation_id)
        return api.UnitsRegistered(units=len(cmd.units), new_units=new)

    @rpc.implements(api.RECORD_WATER)
    async def record_water(
        request: SiteCommand[api.RecordWater], call: CallContext
    ) -> api.ReadingsRecorded:
        changed = await run(app.record_water, request.site_id, request.payload,
                            call.correlation_id)  # fmt: skip
        return api.ReadingsRecorded(readings_recorded=changed)

    @rpc.implements(api.RUN_MONTH)
    async def run_month(request: api.PeriodRef, call: CallContext) -> dict[str, Any]:
        period = Period.parse(request.period)
        return await run(app.run_month, request.site_id, period, call.correlation_id)

    @rpc.implements(api.APPROVE)
    async def approve(request: api.PeriodRef, call: CallContext) -> dict[str, Any]:
        if not call.role or not call.actor:
            raise Forbidden("an approval needs the approver's role and name")
        return await run(app.approve, request.site_id, Period.parse(request.period), call.role,
                         call.actor, call.correlation_id)  # fmt: skip

    @rpc.implements(api.ISSUE)
    async def issue(
        request: api.OnPeriod[api.IssueStatements], call: CallContext
    ) -> dict[str, Any]:
        return await run(app.issue, request.site_id, Period.parse(request.period),
                         request.payload.due_date, call.correlation_id)  # fmt: skip

    @rpc.implements(api.CLOSE)
    async def close(request: api.PeriodRef, call: CallContext) -> dict[str, Any]:
        period = Period.parse(request.period)
        return await run(app.close_period, request.site_id, period, call.correlation_id)

    @rpc.implements(api.GET_RUN)
    async def get_run(request: api.PeriodRef, call: CallContext) -> dict[str, Any]:
        billing_run = await run(app.billing_run, request.site_id, Period.parse(request.period))
        return app.run_view(billing_run)

    @rpc.implements(api.SWEEP_OVERDUE)
    async def sweep_overdue(
        request: SiteCommand[api.SweepOverdue], call: CallContext
    ) -> dict[str, Any]:
        return await run(app.sweep_overdue, request.site_id, request.payload.as_of,
                         call.correlation_id, call.actor)  # fmt: skip

    @rpc.implements(api.RECEIVE_PAYMENT)
    async def receive_payment(
        request: api.OnUnit[api.ReceivePayment], call: CallContext
    ) -> api.AccountPosting:
        recorded = await run(app.receive_payment, request.site_id, request.unit, request.payload,
                             call.correlation_id, call.actor)  # fmt: skip
        return await posting(request.site_id, request.unit, recorded)

    @rpc.implements(api.REVERSE_PAYMENT)
    async def reverse_payment(
        request: api.OnPayment[api.ReversePayment], call: CallContext
    ) -> api.AccountView:
        await run(app.reverse_payment, request.site_id, request.unit, request.reference,
                  request.payload, call.correlation_id)  # fmt: skip
        return await account(request.site_id, request.unit)

    @rpc.implements(api.ADJUST)
    async def adjust(request: api.OnUnit[api.Adjust], call: CallContext) -> api.AccountPosting:
        done = await run(app.adjust, request.site_id, request.unit, request.payload,
                         call.correlation_id)  # fmt: skip
        return await posting(request.site_id, request.unit, done)

    @rpc.implements(api.UNBILLED_REPAIRS)
    async def unbilled_repairs(request: SiteRequest, call: CallContext) -> dict[str, Any]:
        """Paid repairs naming no billed unit, for finance to assign."""
        parked = await run(app.unbilled_repairs, request.site_id)
        return {"repairs": [repair._asdict() for repair in parked]}

    @rpc.implements(api.ASSIGN_PAID_REPAIR)
    async def assign_paid_repair(
        request: api.OnParkedRepair[api.AssignPaidRepair], call: CallContext
    ) -> api.AccountView:
        await run(app.assign_paid_repair, request.site_id, request.work_order_id,
                  request.payload, call.correlation_id)  # fmt: skip
        return await account(request.site_id, request.payload.unit)

    @rpc.implements(api.GET_ACCOUNT)
    async def get_account(request: api.UnitRef, call: CallContext) -> api.AccountView:
        return await account(request.site_id, request.unit)

    @rpc.implements(api.UNIT_TENANCY)
    async def unit_tenancy(request: api.UnitRef, call: CallContext) -> api.UnitTenancy:
        found = await run(app.account, request.site_id, request.unit)
        return api.UnitTenancy(
            unit=found.unit, deposits_held=found.deposits_held,
            tenancies=[api.TenancySpan(tenancy_id=t, billing_starts_on=start, moved_out_on=until)
                       for t, (start, until) in found.tenancies.items()],
            final_settlements=[api.FinalSettlement.model_validate(statement)
                               for statement in found.final_settlements.values()],
        )  # fmt: skip

    @rpc.implements(api.RECEIPTS)
    async def receipts(request: SiteRequest, call: CallContext) -> list[api.Receipt]:
        found = await run(app.receipts, request.site_id)
        return [api.Receipt.model_validate(receipt) for receipt in found]

    @rpc.implements(api.RECEIVABLE)
    async def receivable(request: api.TableQuery, call: CallContext) -> dict[str, Any]:
        return await queries.receivable(request.site_id, request.period, today(request))

    @rpc.implements(api.PAID)
    async def paid(request: api.TableQuery, call: CallContext) -> dict[str, Any]:
        return await queries.paid(request.site_id, request.period, today(request))

    @rpc.implements(api.ARREARS)
    async def arrears(request: api.ArrearsQuery, call: CallContext) -> dict[str, Any]:
        return await queries.arrears(request.site_id, today(request), request.limit,
                                     request.after)  # fmt: skip

    @rpc.implements(api.COLLECTION_RATE)
    async def collection_rate(request: api.TableQuery, call: CallContext) -> dict[str, Any]:
        return await queries.collection_rate(request.site_id, request.period, today(request))

    @rpc.implements(api.GROUP_ARREARS)
    async def group_arrears(request: api.GroupAsOfQuery, call: CallContext) -> dict[str, Any]:
        """Every site's arrears totals (the gateway lets only group admins ask)."""
        as_of = request.as_of or clock.today()
        sites = await queries.sites()
        tables = await queries.arrears_of_sites(sites, as_of, limit=0)  # the totals alone
        rows = [{"site_id": site, **table["totals"]} for site, table in tables.items()]
        return {"as_of": as_of, "sites": rows}

    # -- collection follow-up (催缴) ---------------------------------------------------

    def collection_policy_view(site_id: UUID) -> dict[str, Any]:
        policy = app.collection_policy(site_id)
        return {**policy.days, "set_by": policy.set_by}

    @rpc.implements(api.SET_COLLECTION_POLICY)
    async def set_collection_policy(
        request: SiteCommand[api.SetCollectionPolicy], call: CallContext
    ) -> dict[str, Any]:
        await run(app.set_collection_policy, request.site_id, request.payload, call.actor,
                  call.correlation_id)  # fmt: skip
        return await run(collection_policy_view, request.site_id)

    @rpc.implements(api.GET_COLLECTION_POLICY)
    async def get_collection_policy(request: SiteRequest, call: CallContext) -> dict[str, Any]:
        return await run(collection_policy_view, request.site_id)

    @rpc.implements(api.RECORD_PHONE_REMINDER)
    async def record_phone_reminder(
        request: api.OnUnit[api.RecordPhoneReminder], call: CallContext
    ) -> dict[str, Any]:
        return await run(app.record_phone_reminder, request.site_id, request.unit,
                         request.payload, call.actor, call.correlation_id)  # fmt: skip

    @rpc.implements(api.SEND_FINAL_LETTER)
    async def send_final_letter(
        request: api.OnUnit[api.SendFinalLetter], call: CallContext
    ) -> dict[str, Any]:
        return await run(app.send_final_letter, request.site_id, request.unit, request.payload,
                         call.actor, call.correlation_id)  # fmt: skip

    async def chase_terms(site_id: UUID) -> tuple[dict[str, int], int]:
        policy = await run(app.collection_policy, site_id)
        return policy.days, (await run(app.policy, site_id)).grace_days

    @rpc.implements(api.COLLECTION_LOG)
    async def collection_log(request: api.UnitRef, call: CallContext) -> dict[str, Any]:
        """A unit's log from the read model (404 for a unit not billed at the site)."""
        await run(app.account, request.site_id, request.unit)
        days, grace = await chase_terms(request.site_id)
        as_of = clock.today(site_timezone(request.site_id))
        return await queries.unit_collection(request.site_id, request.unit, days, grace, as_of)

    @rpc.implements(api.COLLECTION_TODAY)
    async def collection_today(request: api.AsOfQuery, call: CallContext) -> dict[str, Any]:
        days, grace = await chase_terms(request.site_id)
        return await queries.collection_today(request.site_id, days, grace, today(request))

    # -- phone charges (电话费统计表) --------------------------------------------------

    @rpc.implements(api.ENTER_PHONE_CHARGES)
    async def enter_phone_charges(
        request: api.OnPeriod[api.EnterPhoneCharges], call: CallContext
    ) -> dict[str, Any]:
        return await run(app.enter_phone_charges, request.site_id, Period.parse(request.period),
                         request.payload, call.actor, call.correlation_id)  # fmt: skip

    @rpc.implements(api.VERIFY_PHONE_CHARGES)
    async def verify_phone_charges(request: api.PeriodRef, call: CallContext) -> dict[str, Any]:
        return await run(app.verify_phone_charges, request.site_id,
                         Period.parse(request.period), call.actor,
                         call.correlation_id)  # fmt: skip

    @rpc.implements(api.GET_PHONE_CHARGES)
    async def get_phone_charges(request: api.PeriodRef, call: CallContext) -> dict[str, Any]:
        found = await run(app.phone_charges, request.site_id, Period.parse(request.period))
        return phone_charges_view(found)

    return rpc
