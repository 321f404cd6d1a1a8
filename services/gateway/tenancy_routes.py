"""Tenancy endpoints: move-in, details, notice, move-out, fit-out permits, tenant files and
the roster."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request

from contracts import tenancy_api as api
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.security import FRONT_DESK, call, site_access

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


# -- tenancies ---------------------------------------------------------------------------


@router.post(f"{SITE}/tenancies", status_code=201, summary="Move a tenant in (handover)")
async def move_in(
    site_id: UUID, cmd: JsonBody[api.MoveIn], request: Request, _: CustomerService
) -> api.TenancyView:
    return await call(request, api.MOVE_IN, site_id=site_id, payload=cmd)


@router.get(f"{SITE}/tenancies", summary="The roster: tenants in residence or under notice")
async def roster(site_id: UUID, request: Request, _: RosterReader) -> list[api.RosterEntry]:
    return await call(request, api.ROSTER, site_id=site_id)


@router.get(f"{SITE}/tenancies/{{tenancy_id}}", summary="One tenancy")
async def get_tenancy(
    site_id: UUID, tenancy_id: UUID, request: Request, _: Reader
) -> api.TenancyView:
    return await call(request, api.GET_TENANCY, site_id=site_id, tenancy_id=tenancy_id)


@router.get(f"{SITE}/tenancies/{{tenancy_id}}/history", summary="The master record's history")
async def history(
    site_id: UUID, tenancy_id: UUID, request: Request, _: Reader
) -> list[api.TenancyChange]:
    return await call(request, api.TENANCY_HISTORY, site_id=site_id, tenancy_id=tenancy_id)


@router.put(f"{SITE}/tenancies/{{tenancy_id}}/details", summary="Change the master record")
async def change_details(site_id: UUID, tenancy_id: UUID, cmd: JsonBody[api.TenantDetails],
                         request: Request, _: CustomerService) -> api.TenancyView:  # fmt: skip
    return await call(request, api.CHANGE_DETAILS, site_id=site_id, tenancy_id=tenancy_id,
                      payload=cmd)  # fmt: skip


@router.post(f"{SITE}/tenancies/{{tenancy_id}}/notice", summary="The tenant gives notice")
async def give_notice(site_id: UUID, tenancy_id: UUID, cmd: JsonBody[api.GiveNotice],
                      request: Request, _: CustomerService) -> api.TenancyView:  # fmt: skip
    return await call(request, api.GIVE_NOTICE, site_id=site_id, tenancy_id=tenancy_id,
                      payload=cmd)  # fmt: skip


@router.post(f"{SITE}/tenancies/{{tenancy_id}}/move-out", summary="Move the tenant out")
async def move_out(site_id: UUID, tenancy_id: UUID, cmd: JsonBody[api.MoveOut],
                   request: Request, _: CustomerService) -> api.TenancyView:  # fmt: skip
    return await call(request, api.MOVE_OUT, site_id=site_id, tenancy_id=tenancy_id,
                      payload=cmd)  # fmt: skip


# -- fit-out permits ---------------------------------------------------------------------


@router.post(f"{SITE}/fit-outs", status_code=201, summary="Apply for a fit-out permit")
async def apply_fit_out(
    site_id: UUID, cmd: JsonBody[api.ApplyFitOut], request: Request, _: CustomerService
) -> api.FitOutView:
    return await call(request, api.APPLY_FIT_OUT, site_id=site_id, payload=cmd)


@router.get(f"{SITE}/fit-outs", summary="The site's fit-out permits")
async def fit_outs(site_id: UUID, request: Request, _: Reader) -> list[api.FitOutLine]:
    return await call(request, api.FIT_OUTS, site_id=site_id)


@router.get(f"{SITE}/fit-outs/{{permit_id}}", summary="One fit-out permit")
async def get_fit_out(
    site_id: UUID, permit_id: UUID, request: Request, _: Reader
) -> api.FitOutView:
    return await call(request, api.GET_FIT_OUT, site_id=site_id, permit_id=permit_id)


@router.post(
    f"{SITE}/fit-outs/{{permit_id}}/approval",
    summary="Approve for customer service or engineering (the caller's role says which)",
)
async def approve_fit_out(
    site_id: UUID, permit_id: UUID, request: Request, _: FitOutApprover
) -> api.FitOutView:
    return await call(request, api.APPROVE_FIT_OUT, site_id=site_id, permit_id=permit_id)


@router.post(f"{SITE}/fit-outs/{{permit_id}}/inspections", summary="Inspect the works")
async def inspect_fit_out(site_id: UUID, permit_id: UUID, cmd: JsonBody[api.InspectFitOut],
                          request: Request, _: Inspector) -> api.FitOutView:  # fmt: skip
    return await call(request, api.INSPECT_FIT_OUT, site_id=site_id, permit_id=permit_id,
                      payload=cmd)  # fmt: skip


@router.post(f"{SITE}/fit-outs/{{permit_id}}/completion", summary="Accept the finished works")
async def complete_fit_out(site_id: UUID, permit_id: UUID, cmd: JsonBody[api.CompleteFitOut],
                           request: Request, _: Inspector) -> api.FitOutView:  # fmt: skip
    return await call(request, api.COMPLETE_FIT_OUT, site_id=site_id, permit_id=permit_id,
                      payload=cmd)  # fmt: skip


@router.post(
    f"{SITE}/fit-outs/{{permit_id}}/deposit-settlement",
    summary="Refund the deposit, less deductions with reasons",
)
async def settle_deposit(site_id: UUID, permit_id: UUID,
                         cmd: JsonBody[api.SettleFitOutDeposit], request: Request,
                         _: CustomerService) -> api.FitOutView:  # fmt: skip
    return await call(request, api.SETTLE_FIT_OUT_DEPOSIT, site_id=site_id, permit_id=permit_id,
                      payload=cmd)  # fmt: skip


# -- tenant files ------------------------------------------------------------------------


@router.post(f"{SITE}/files", status_code=201, summary="File a document in the filing log")
async def file_document(
    site_id: UUID, cmd: JsonBody[api.FileDocument], request: Request, _: CustomerService
) -> api.TenantFileView:
    return await call(request, api.FILE_DOCUMENT, site_id=site_id, payload=cmd)


@router.get(f"{SITE}/files", summary="The filing log, with who has each file out")
async def files(site_id: UUID, request: Request, _: CustomerService) -> list[api.TenantFileLine]:
    return await call(request, api.FILES, site_id=site_id)


@router.get(f"{SITE}/files/overdue-borrowings", summary="Files out past their due-back date")
async def overdue_borrowings(
    site_id: UUID, request: Request, _: CustomerService
) -> list[api.OverdueBorrowing]:
    return await call(request, api.OVERDUE_BORROWINGS, site_id=site_id)


@router.get(f"{SITE}/files/{{file_id}}", summary="One tenant file")
async def get_file(
    site_id: UUID, file_id: UUID, request: Request, _: CustomerService
) -> api.TenantFileView:
    return await call(request, api.GET_FILE, site_id=site_id, file_id=file_id)


@router.post(f"{SITE}/files/{{file_id}}/borrowing", summary="Lend a file out (借阅登记)")
async def borrow_file(site_id: UUID, file_id: UUID, cmd: JsonBody[api.BorrowFile],
                      request: Request, _: CustomerService) -> api.TenantFileView:  # fmt: skip
    return await call(request, api.BORROW_FILE, site_id=site_id, file_id=file_id, payload=cmd)


@router.post(f"{SITE}/files/{{file_id}}/return", summary="The original is back")
async def return_file(site_id: UUID, file_id: UUID, cmd: JsonBody[api.ReturnFile],
                      request: Request, _: CustomerService) -> api.TenantFileView:  # fmt: skip
    return await call(request, api.RETURN_FILE, site_id=site_id, file_id=file_id, payload=cmd)
