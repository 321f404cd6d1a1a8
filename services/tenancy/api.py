"""gRPC API of the tenancy service: move-in, details, notice, move-out, fit-out permits,
tenant files, and the roster."""

from __future__ import annotations

import asyncio
from typing import Any

from contracts import tenancy_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.clock import clock
from runtime.errors import Forbidden
from runtime.rpc import RpcService, actor_of
from runtime.sites import site_timezone
from services.tenancy.application import TenancyApplication
from services.tenancy.contract import contract_for
from services.tenancy.domain import FitOutPermit, Tenancy, TenantFile
from services.tenancy.projections import TenancyQueries

APPROVER_DEPARTMENTS = {
    # Customer service approves as the office that "办理二次装修申请手续"; engineering as
    # the department that supervises the works.
    "cs_supervisor": "customer_service",
    "cs_manager": "customer_service",
    "dispatcher": "engineering",
}


def tenancy_view(t: Tenancy) -> api.TenancyView:
    return api.TenancyView(
        tenancy_id=t.id, site_id=t.site_id, unit=t.unit, status=t.status.value, kind=t.kind,
        name_zh=t.name_zh, name_en=t.name_en, contact=t.contact,
        emergency_contact=t.emergency_contact, moved_in_on=t.moved_in_on,
        billing_starts_on=t.billing_starts_on, checklist=t.checklist,
        meter_readings_in=t.meter_readings_in, keys_issued=t.keys_issued, notice_on=t.notice_on,
        moving_out_on=t.moving_out_on, moved_out_on=t.moved_out_on,
        meter_readings_out=t.meter_readings_out, inspection=t.inspection,
        keys_returned=t.keys_returned, keys_missing=t.keys_missing,
        forwarding_address=t.forwarding_address, settlement_reference=t.settlement_reference,
        version=t.version,
    )  # fmt: skip


def fit_out_view(p: FitOutPermit) -> api.FitOutView:
    last = p.inspections[-1]["passed"] if p.inspections else None
    return api.FitOutView(
        permit_id=p.id, site_id=p.site_id, tenancy_id=p.tenancy_id, unit=p.unit,
        status=p.status.value, plans=p.plans, contractor=p.contractor,
        contractor_phone=p.contractor_phone, starts_on=p.starts_on, ends_on=p.ends_on,
        deposit=p.deposit, approvals=p.approvals, inspections=len(p.inspections),
        last_inspection_passed=last, open_findings=p.open_findings, accepted_by=p.accepted_by,
        deductions=p.deductions, refunded=p.refunded, version=p.version,
    )  # fmt: skip


def file_view(f: TenantFile) -> api.TenantFileView:
    return api.TenantFileView(
        file_id=f.id, site_id=f.site_id, number=f.number, title=f.title, pages=f.pages,
        filed_on=f.filed_on, filed_by=f.filed_by, category=f.category, unit=f.unit,
        borrower=f.borrower, borrowed_on=f.borrowed_on, due_back_on=f.due_back_on,
        version=f.version,
    )  # fmt: skip


def change_view(e: Any) -> api.TenancyChange:
    """A history entry shows the event the change published (never the store's internals)."""
    return api.TenancyChange(
        version=e.originator_version, change=type(e).__name__, at=e.at, details=contract_for(e)
    )


def build_api(app: TenancyApplication, queries: TenancyQueries) -> RpcService:
    rpc = RpcService(api.SERVICE)
    run = asyncio.to_thread

    # ---------------------------------------------------------------- tenancies

    @rpc.implements(api.MOVE_IN)
    async def move_in(request: SiteCommand[api.MoveIn], call: CallContext) -> api.TenancyView:
        return tenancy_view(
            await run(app.move_in, request.site_id, request.payload, call.correlation_id)
        )

    def tenancy_step(method: Any, action: Any) -> None:
        """One step of a tenancy (details, notice, move-out): the same shape for each."""

        @rpc.implements(method)
        async def handle(request: Any, call: CallContext) -> api.TenancyView:
            tenancy = await run(action, request.site_id, request.tenancy_id, request.payload,
                                call.correlation_id)  # fmt: skip
            return tenancy_view(tenancy)

    tenancy_step(api.CHANGE_DETAILS, app.change_details)
    tenancy_step(api.GIVE_NOTICE, app.give_notice)
    tenancy_step(api.MOVE_OUT, app.move_out)

    @rpc.implements(api.GET_TENANCY)
    async def get_tenancy(request: api.TenancyRef, call: CallContext) -> api.TenancyView:
        return tenancy_view(await run(app.tenancy, request.site_id, request.tenancy_id))

    @rpc.implements(api.TENANCY_HISTORY)
    async def tenancy_history(
        request: api.TenancyRef, call: CallContext
    ) -> list[api.TenancyChange]:
        events = await run(app.history, request.site_id, request.tenancy_id)
        return [change_view(e) for e in events]

    @rpc.implements(api.ROSTER)
    async def roster(request: SiteRequest, call: CallContext) -> list[api.RosterEntry]:
        rows = await queries.roster(request.site_id)
        return [api.RosterEntry.model_validate(row) for row in rows]

    # ---------------------------------------------------------------- fit-out permits

    @rpc.implements(api.APPLY_FIT_OUT)
    async def apply_fit_out(
        request: SiteCommand[api.ApplyFitOut], call: CallContext
    ) -> api.FitOutView:
        return fit_out_view(
            await run(app.apply_fit_out, request.site_id, request.payload, call.correlation_id)
        )

    @rpc.implements(api.APPROVE_FIT_OUT)
    async def approve_fit_out(request: api.PermitRef, call: CallContext) -> api.FitOutView:
        """The department approving is the approver's: customer service or engineering."""
        department = APPROVER_DEPARTMENTS.get(call.role or "")
        if department is None:
            raise Forbidden("a fit-out is approved by customer service or engineering")
        permit = await run(app.approve_fit_out, request.site_id, request.permit_id, department,
                           actor_of(call), call.correlation_id)  # fmt: skip
        return fit_out_view(permit)

    def permit_step(method: Any, action: Any) -> None:
        """One step of a permit (inspection, completion, deposit settlement)."""

        @rpc.implements(method)
        async def handle(request: Any, call: CallContext) -> api.FitOutView:
            permit = await run(action, request.site_id, request.permit_id, request.payload,
                               call.correlation_id)  # fmt: skip
            return fit_out_view(permit)

    permit_step(api.INSPECT_FIT_OUT, app.inspect_fit_out)
    permit_step(api.COMPLETE_FIT_OUT, app.complete_fit_out)
    permit_step(api.SETTLE_FIT_OUT_DEPOSIT, app.settle_fit_out_deposit)

    @rpc.implements(api.GET_FIT_OUT)
    async def get_fit_out(request: api.PermitRef, call: CallContext) -> api.FitOutView:
        return fit_out_view(await run(app.permit, request.site_id, request.permit_id))

    @rpc.implements(api.FIT_OUTS)
    async def fit_outs(request: SiteRequest, call: CallContext) -> list[api.FitOutLine]:
        rows = await queries.fit_outs(request.site_id)
        return [api.FitOutLine.model_validate(row) for row in rows]

    # ---------------------------------------------------------------- tenant files

    @rpc.implements(api.FILE_DOCUMENT)
    async def file_document(
        request: SiteCommand[api.FileDocument], call: CallContext
    ) -> api.TenantFileView:
        return file_view(
            await run(app.file_document, request.site_id, request.payload, call.correlation_id)
        )

    def file_step(method: Any, action: Any) -> None:
        """One step of a file's borrowing (lent out, returned)."""

        @rpc.implements(method)
        async def handle(request: Any, call: CallContext) -> api.TenantFileView:
            tenant_file = await run(action, request.site_id, request.file_id, request.payload,
                                    call.correlation_id)  # fmt: skip
            return file_view(tenant_file)

    file_step(api.BORROW_FILE, app.borrow_file)
    file_step(api.RETURN_FILE, app.return_file)

    @rpc.implements(api.GET_FILE)
    async def get_file(request: api.FileRef, call: CallContext) -> api.TenantFileView:
        return file_view(await run(app.tenant_file, request.site_id, request.file_id))

    @rpc.implements(api.FILES)
    async def files(request: SiteRequest, call: CallContext) -> list[api.TenantFileLine]:
        rows = await queries.files(request.site_id)
        return [api.TenantFileLine.model_validate(row) for row in rows]

    @rpc.implements(api.OVERDUE_BORROWINGS)
    async def overdue_borrowings(
        request: SiteRequest, call: CallContext
    ) -> list[api.OverdueBorrowing]:
        today = clock.today(site_timezone(request.site_id))
        rows = await queries.overdue_borrowings(request.site_id, today)
        return [api.OverdueBorrowing.model_validate(row) for row in rows]

    return rpc
