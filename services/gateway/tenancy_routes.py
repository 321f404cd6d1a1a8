"""Tenancy endpoints: move-in, details, notice, move-out, fit-out permits, tenant files and
the roster."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Request

from contracts import tenancy_api as api
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.security import FRONT_DESK, call_service, payload, site_access

router = APIRouter(tags=["tenancy"])
SITE = "/sites/{site_id}/tenancy"
CS = frozenset({Role.CS_REP, Role.CS_SUPERVISOR, Role.CS_MANAGER})

CustomerService = Annotated[Principal, site_access(CS)]
# Customer service and engineering each approve a fit-out (the role says which).
FitOutApprover = Annotated[
    Principal, site_access(frozenset({Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.DISPATCHER}))
]
Inspector = Annotated[Principal, site_access(CS | {Role.DISPATCHER, Role.TECHNICIAN})]
# The roster is sent to every department (seed 001); files and permits stay with CS.
RosterReader = Annotated[
    Principal,
    site_access(FRONT_DESK | {Role.DISPATCHER, Role.ACCOUNTANT, Role.FINANCE_MANAGER, Role.BI}),
]
Reader = Annotated[Principal, site_access(CS | {Role.DISPATCHER, Role.GROUP_ADMIN, Role.BI})]


async def call(request: Request, method: str, site_id: UUID, **fields: Any) -> Any:
    return await call_service(request, "tenancy", method, site_id, **fields)


# -- tenancies ---------------------------------------------------------------------------


@router.post(f"{SITE}/tenancies", status_code=201, summary="Move a tenant in (handover)")
async def move_in(
    site_id: UUID, cmd: JsonBody[api.MoveIn], request: Request, _: CustomerService
) -> api.TenancyView:
    return api.TenancyView.model_validate(await call(request, "MoveIn", site_id, **payload(cmd)))


@router.get(f"{SITE}/tenancies", summary="The roster: tenants in residence or under notice")
async def roster(site_id: UUID, request: Request, _: RosterReader) -> list[api.RosterEntry]:
    return [api.RosterEntry.model_validate(r) for r in await call(request, "Roster", site_id)]


@router.get(f"{SITE}/tenancies/{{tenancy_id}}", summary="One tenancy")
async def get_tenancy(
    site_id: UUID, tenancy_id: UUID, request: Request, _: Reader
) -> api.TenancyView:
    return api.TenancyView.model_validate(
        await call(request, "GetTenancy", site_id, tenancy_id=tenancy_id)
    )


@router.get(f"{SITE}/tenancies/{{tenancy_id}}/history", summary="The master record's history")
async def history(
    site_id: UUID, tenancy_id: UUID, request: Request, _: Reader
) -> list[api.TenancyChange]:
    changes = await call(request, "TenancyHistory", site_id, tenancy_id=tenancy_id)
    return [api.TenancyChange.model_validate(c) for c in changes]


@router.put(f"{SITE}/tenancies/{{tenancy_id}}/details", summary="Change the master record")
async def change_details(site_id: UUID, tenancy_id: UUID, cmd: JsonBody[api.TenantDetails],
                         request: Request, _: CustomerService) -> api.TenancyView:  # fmt: skip
    return api.TenancyView.model_validate(
        await call(request, "ChangeDetails", site_id, tenancy_id=tenancy_id, **payload(cmd))
    )


@router.post(f"{SITE}/tenancies/{{tenancy_id}}/notice", summary="The tenant gives notice")
async def give_notice(site_id: UUID, tenancy_id: UUID, cmd: JsonBody[api.GiveNotice],
                      request: Request, _: CustomerService) -> api.TenancyView:  # fmt: skip
    return api.TenancyView.model_validate(
        await call(request, "GiveNotice", site_id, tenancy_id=tenancy_id, **payload(cmd))
    )


@router.post(f"{SITE}/tenancies/{{tenancy_id}}/move-out", summary="Move the tenant out")
async def move_out(site_id: UUID, tenancy_id: UUID, cmd: JsonBody[api.MoveOut],
                   request: Request, _: CustomerService) -> api.TenancyView:  # fmt: skip
    return api.TenancyView.model_validate(
        await call(request, "MoveOut", site_id, tenancy_id=tenancy_id, **payload(cmd))
    )


# -- fit-out permits ---------------------------------------------------------------------


@router.post(f"{SITE}/fit-outs", status_code=201, summary="Apply for a fit-out permit")
async def apply_fit_out(
    site_id: UUID, cmd: JsonBody[api.ApplyFitOut], request: Request, _: CustomerService
) -> api.FitOutView:
    return api.FitOutView.model_validate(
        await call(request, "ApplyFitOut", site_id, **payload(cmd))
    )


@router.get(f"{SITE}/fit-outs", summary="The site's fit-out permits")
async def fit_outs(site_id: UUID, request: Request, _: Reader) -> list[api.FitOutLine]:
    return [api.FitOutLine.model_validate(r) for r in await call(request, "FitOuts", site_id)]


@router.get(f"{SITE}/fit-outs/{{permit_id}}", summary="One fit-out permit")
async def get_fit_out(
    site_id: UUID, permit_id: UUID, request: Request, _: Reader
) -> api.FitOutView:
    return api.FitOutView.model_validate(
        await call(request, "GetFitOut", site_id, permit_id=permit_id)
    )


@router.post(
    f"{SITE}/fit-outs/{{permit_id}}/approval",
    summary="Approve for customer service or engineering (the caller's role says which)",
)
async def approve_fit_out(
    site_id: UUID, permit_id: UUID, request: Request, who: FitOutApprover
) -> api.FitOutView:
    return api.FitOutView.model_validate(
        await call(request, "ApproveFitOut", site_id, permit_id=permit_id, role=who.role.value)
    )


@router.post(f"{SITE}/fit-outs/{{permit_id}}/inspections", summary="Inspect the works")
async def inspect_fit_out(site_id: UUID, permit_id: UUID, cmd: JsonBody[api.InspectFitOut],
                          request: Request, _: Inspector) -> api.FitOutView:  # fmt: skip
    return api.FitOutView.model_validate(
        await call(request, "InspectFitOut", site_id, permit_id=permit_id, **payload(cmd))
    )


@router.post(f"{SITE}/fit-outs/{{permit_id}}/completion", summary="Accept the finished works")
async def complete_fit_out(site_id: UUID, permit_id: UUID, cmd: JsonBody[api.CompleteFitOut],
                           request: Request, _: Inspector) -> api.FitOutView:  # fmt: skip
    return api.FitOutView.model_validate(
        await call(request, "CompleteFitOut", site_id, permit_id=permit_id, **payload(cmd))
    )


@router.post(
    f"{SITE}/fit-outs/{{permit_id}}/deposit-settlement",
    summary="Refund the deposit, less deductions with reasons",
)
async def settle_deposit(site_id: UUID, permit_id: UUID,
                         cmd: JsonBody[api.SettleFitOutDeposit], request: Request,
                         _: CustomerService) -> api.FitOutView:  # fmt: skip
    return api.FitOutView.model_validate(
        await call(request, "SettleFitOutDeposit", site_id, permit_id=permit_id, **payload(cmd))
    )


# -- tenant files ------------------------------------------------------------------------


@router.post(f"{SITE}/files", status_code=201, summary="File a document in the filing log")
async def file_document(
    site_id: UUID, cmd: JsonBody[api.FileDocument], request: Request, _: CustomerService
) -> api.TenantFileView:
    return api.TenantFileView.model_validate(
        await call(request, "FileDocument", site_id, **payload(cmd))
    )


@router.get(f"{SITE}/files", summary="The filing log, with who has each file out")
async def files(site_id: UUID, request: Request, _: CustomerService) -> list[api.TenantFileLine]:
    return [api.TenantFileLine.model_validate(r) for r in await call(request, "Files", site_id)]


@router.get(f"{SITE}/files/overdue-borrowings", summary="Files out past their due-back date")
async def overdue_borrowings(
    site_id: UUID, request: Request, _: CustomerService
) -> list[api.OverdueBorrowing]:
    rows = await call(request, "OverdueBorrowings", site_id)
    return [api.OverdueBorrowing.model_validate(r) for r in rows]


@router.get(f"{SITE}/files/{{file_id}}", summary="One tenant file")
async def get_file(
    site_id: UUID, file_id: UUID, request: Request, _: CustomerService
) -> api.TenantFileView:
    return api.TenantFileView.model_validate(
        await call(request, "GetFile", site_id, file_id=file_id)
    )


@router.post(f"{SITE}/files/{{file_id}}/borrowing", summary="Lend a file out (借阅登记)")
async def borrow_file(site_id: UUID, file_id: UUID, cmd: JsonBody[api.BorrowFile],
                      request: Request, _: CustomerService) -> api.TenantFileView:  # fmt: skip
    return api.TenantFileView.model_validate(
        await call(request, "BorrowFile", site_id, file_id=file_id, **payload(cmd))
    )


@router.post(f"{SITE}/files/{{file_id}}/return", summary="The original is back")
async def return_file(site_id: UUID, file_id: UUID, cmd: JsonBody[api.ReturnFile],
                      request: Request, _: CustomerService) -> api.TenantFileView:  # fmt: skip
    return api.TenantFileView.model_validate(
        await call(request, "ReturnFile", site_id, file_id=file_id, **payload(cmd))
    )
