"""gRPC API of the tenancy service: move-in, details, notice, move-out, fit-out permits,
tenant files, and the roster."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from contracts import tenancy_api as api
from runtime.clock import clock
from runtime.errors import Forbidden
from runtime.rpc import RpcService, correlation_of, site_of
from runtime.sites import site_timezone
from services.tenancy.application import TenancyApplication
from services.tenancy.domain import FitOutPermit, Tenancy, TenantFile
from services.tenancy.projections import TenancyQueries

APPROVER_DEPARTMENTS = {
    # Customer service approves as the office that "办理二次装修申请手续"; engineering as
    # the department that supervises the works.
    "cs_supervisor": "customer_service",
    "cs_manager": "customer_service",
    "dispatcher": "engineering",
}


def tenancy_view(t: Tenancy) -> dict[str, Any]:
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
    ).model_dump(mode="json")  # fmt: skip


def fit_out_view(p: FitOutPermit) -> dict[str, Any]:
    last = p.inspections[-1]["passed"] if p.inspections else None
    return api.FitOutView(
        permit_id=p.id, site_id=p.site_id, tenancy_id=p.tenancy_id, unit=p.unit,
        status=p.status.value, plans=p.plans, contractor=p.contractor,
        contractor_phone=p.contractor_phone, starts_on=p.starts_on, ends_on=p.ends_on,
        deposit=p.deposit, approvals=p.approvals, inspections=len(p.inspections),
        last_inspection_passed=last, open_findings=p.open_findings, accepted_by=p.accepted_by,
        deductions=p.deductions, refunded=p.refunded, version=p.version,
    ).model_dump(mode="json")  # fmt: skip


def file_view(f: TenantFile) -> dict[str, Any]:
    return api.TenantFileView(
        file_id=f.id, site_id=f.site_id, number=f.number, title=f.title, pages=f.pages,
        filed_on=f.filed_on, filed_by=f.filed_by, category=f.category, unit=f.unit,
        borrower=f.borrower, borrowed_on=f.borrowed_on, due_back_on=f.due_back_on,
        version=f.version,
    ).model_dump(mode="json")  # fmt: skip


def change_view(e: Any) -> dict[str, Any]:
    details = {k: v for k, v in e.__dict__.items()
               if k not in ("originator_id", "originator_version", "timestamp", "site_id",
                            "correlation_id", "at", "unit")}  # fmt: skip
    return api.TenancyChange(
        version=e.originator_version, change=type(e).__name__, at=e.at, details=details
    ).model_dump(mode="json")


def build_api(app: TenancyApplication, queries: TenancyQueries) -> RpcService:
    rpc = RpcService("tenancy")
    run = asyncio.to_thread

    def command(model: type[Any], request: dict[str, Any]) -> Any:
        return model.model_validate(request["payload"])

    # ---------------------------------------------------------------- tenancies

    @rpc.method
    async def move_in(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.MoveIn, request)
        return tenancy_view(await run(app.move_in, site_of(request), cmd, correlation_of(request)))

    @rpc.method
    async def change_details(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.TenantDetails, request)
        return tenancy_view(await run(app.change_details, site_of(request),
                                      UUID(request["tenancy_id"]), cmd,
                                      correlation_of(request)))  # fmt: skip

    @rpc.method
    async def give_notice(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.GiveNotice, request)
        return tenancy_view(await run(app.give_notice, site_of(request),
                                      UUID(request["tenancy_id"]), cmd,
                                      correlation_of(request)))  # fmt: skip

    @rpc.method
    async def move_out(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.MoveOut, request)
        return tenancy_view(await run(app.move_out, site_of(request),
                                      UUID(request["tenancy_id"]), cmd,
                                      correlation_of(request)))  # fmt: skip

    @rpc.method
    async def get_tenancy(request: dict[str, Any]) -> dict[str, Any]:
        return tenancy_view(await run(app.tenancy, site_of(request), UUID(request["tenancy_id"])))

    @rpc.method
    async def tenancy_history(request: dict[str, Any]) -> list[dict[str, Any]]:
        events = await run(app.history, site_of(request), UUID(request["tenancy_id"]))
        return [change_view(e) for e in events]

    @rpc.method
    async def roster(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.roster(site_of(request))

    # ---------------------------------------------------------------- fit-out permits

    @rpc.method
    async def apply_fit_out(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.ApplyFitOut, request)
        return fit_out_view(
            await run(app.apply_fit_out, site_of(request), cmd, correlation_of(request))
        )

    @rpc.method
    async def approve_fit_out(request: dict[str, Any]) -> dict[str, Any]:
        """The department approving is the approver's: customer service or engineering."""
        department = APPROVER_DEPARTMENTS.get(request.get("role") or "")
        actor = request.get("actor")
        if department is None or not actor:
            raise Forbidden("a fit-out is approved by customer service or engineering, by name")
        return fit_out_view(await run(app.approve_fit_out, site_of(request),
                                      UUID(request["permit_id"]), department, actor,
                                      correlation_of(request)))  # fmt: skip

    @rpc.method
    async def inspect_fit_out(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.InspectFitOut, request)
        return fit_out_view(await run(app.inspect_fit_out, site_of(request),
                                      UUID(request["permit_id"]), cmd,
                                      correlation_of(request)))  # fmt: skip

    @rpc.method
    async def complete_fit_out(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.CompleteFitOut, request)
        return fit_out_view(await run(app.complete_fit_out, site_of(request),
                                      UUID(request["permit_id"]), cmd,
                                      correlation_of(request)))  # fmt: skip

    @rpc.method
    async def settle_fit_out_deposit(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.SettleFitOutDeposit, request)
        return fit_out_view(await run(app.settle_fit_out_deposit, site_of(request),
                                      UUID(request["permit_id"]), cmd,
                                      correlation_of(request)))  # fmt: skip

    @rpc.method
    async def get_fit_out(request: dict[str, Any]) -> dict[str, Any]:
        return fit_out_view(await run(app.permit, site_of(request), UUID(request["permit_id"])))

    @rpc.method
    async def fit_outs(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.fit_outs(site_of(request))

    # ---------------------------------------------------------------- tenant files

    @rpc.method
    async def file_document(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.FileDocument, request)
        return file_view(
            await run(app.file_document, site_of(request), cmd, correlation_of(request))
        )

    @rpc.method
    async def borrow_file(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.BorrowFile, request)
        return file_view(await run(app.borrow_file, site_of(request), UUID(request["file_id"]),
                                   cmd, correlation_of(request)))  # fmt: skip

    @rpc.method
    async def return_file(request: dict[str, Any]) -> dict[str, Any]:
        cmd = command(api.ReturnFile, request)
        return file_view(await run(app.return_file, site_of(request), UUID(request["file_id"]),
                                   cmd, correlation_of(request)))  # fmt: skip

    @rpc.method
    async def get_file(request: dict[str, Any]) -> dict[str, Any]:
        return file_view(await run(app.tenant_file, site_of(request), UUID(request["file_id"])))

    @rpc.method
    async def files(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.files(site_of(request))

    @rpc.method
    async def overdue_borrowings(request: dict[str, Any]) -> list[dict[str, Any]]:
        site_id = site_of(request)
        return await queries.overdue_borrowings(site_id, clock.today(site_timezone(site_id)))

    return rpc
