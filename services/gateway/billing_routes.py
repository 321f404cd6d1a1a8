"""Finance endpoints: rates, units, the monthly run, payments, overdue, the tables."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from contracts import billing_api as api
from contracts.fields import BusinessDate, Period, Reference
from contracts.methods import Method
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.exports import number_columns, table_download, text_columns
from services.gateway.limits import BULK_BODY
from services.gateway.security import (
    GROUP_READERS,
    call,
    group_access,
    site_access,
)

router = APIRouter(tags=["billing"])
SITE = "/sites/{site_id}/billing"

FINANCE_MANAGEMENT = frozenset({Role.ACCOUNTANT, Role.FINANCE_MANAGER, Role.CS_MANAGER})
Setup = Annotated[Principal, site_access(FINANCE_MANAGEMENT | {Role.GROUP_ADMIN})]
Runner = Annotated[Principal, site_access(FINANCE_MANAGEMENT)]
# Who may sign a table off; the site's chain says which of them, in which order. Never
# the cashier (seed 001: the cashier takes the money).
Approver = Annotated[
    Principal,
    site_access(
        frozenset({Role.CS_MANAGER, Role.GENERAL_MANAGER, Role.FINANCE_MANAGER, Role.ACCOUNTANT})
    ),
]
Cashier = Annotated[Principal, site_access(frozenset({Role.CASHIER, Role.ACCOUNTANT}))]
Reader = Annotated[
    Principal,
    site_access(
        FINANCE_MANAGEMENT
        | {Role.CASHIER, Role.GENERAL_MANAGER, Role.CS_SUPERVISOR, Role.GROUP_ADMIN, Role.BI}
    ),
]
GroupReader = Annotated[Principal, group_access(GROUP_READERS)]
PeriodPath = Annotated[Period, Path()]
PeriodQuery = Annotated[Period, Query()]
Unit = Annotated[api.BilledUnit, Path()]
PaymentReference = Annotated[Reference, Path(description="the payment's reference")]
Format = Annotated[str, Query(pattern="^(json|csv|xlsx)$")]
AsOf = BusinessDate | None
UnitsPage = Annotated[api.UnitsPage, Query()]


@router.put(f"{SITE}/settings", summary="Days to pay, grace days, late fee, currency")
async def configure(
    site_id: UUID, cmd: JsonBody[api.ConfigureBilling], request: Request, _: Setup
) -> api.ConfigureBilling:
    return await call(request, api.CONFIGURE, site_id=site_id, payload=cmd)


@router.put(f"{SITE}/rates", summary="A fee rate from a month on")
async def set_rate(
    site_id: UUID, cmd: JsonBody[api.SetRate], request: Request, _: Setup
) -> api.SetRate:
    return await call(request, api.SET_RATE, site_id=site_id, payload=cmd)


@router.put(
    f"{SITE}/units",
    summary="Register units and what they are billed on",
    openapi_extra=BULK_BODY,
)
async def register_units(
    site_id: UUID, cmd: JsonBody[api.RegisterUnits], request: Request, _: Setup
) -> api.UnitsRegistered:
    return await call(request, api.REGISTER_UNITS, site_id=site_id, payload=cmd)


@router.put(
    f"{SITE}/water-readings",
    summary="The month's water meter readings (m3)",
    openapi_extra=BULK_BODY,
)
async def record_water(
    site_id: UUID, cmd: JsonBody[api.RecordWater], request: Request, _: Setup
) -> api.ReadingsRecorded:
    return await call(request, api.RECORD_WATER, site_id=site_id, payload=cmd)


@router.post(f"{SITE}/runs/{{period}}", summary="Post the month's charges; draft the table")
async def run_month(
    site_id: UUID, period: PeriodPath, request: Request, _: Runner
) -> api.RunDrafted:
    return await call(request, api.RUN_MONTH, site_id=site_id, period=period)


@router.get(f"{SITE}/runs/{{period}}", summary="A month's run: status, approvals, totals")
async def get_run(site_id: UUID, period: PeriodPath, request: Request, _: Reader) -> api.RunView:
    return await call(request, api.GET_RUN, site_id=site_id, period=period)


@router.post(
    f"{SITE}/runs/{{period}}/approval", summary="Sign the table off: the site's chain, in order"
)
async def approve(
    site_id: UUID, period: PeriodPath, request: Request, who: Approver
) -> api.RunView:
    return await call(request, api.APPROVE, site_id=site_id, period=period)


@router.post(f"{SITE}/runs/{{period}}/statements", summary="Issue the payment notices")
async def issue(
    site_id: UUID,
    period: PeriodPath,
    cmd: JsonBody[api.IssueStatements],
    request: Request,
    _: Runner,
) -> api.RunIssued:
    return await call(request, api.ISSUE, site_id=site_id, period=period, payload=cmd)


@router.post(f"{SITE}/runs/{{period}}/close", summary="Close the month to postings")
async def close(site_id: UUID, period: PeriodPath, request: Request, _: Runner) -> api.RunView:
    return await call(request, api.CLOSE, site_id=site_id, period=period)


@router.post(f"{SITE}/overdue-sweep", summary="Mark overdue, send dunning, assess late fees")
async def sweep_overdue(
    site_id: UUID, cmd: JsonBody[api.SweepOverdue], request: Request, _: Runner
) -> api.SweepReport:
    return await call(request, api.SWEEP_OVERDUE, site_id=site_id, payload=cmd)


@router.get(f"{SITE}/units/{{unit}}", summary="A unit's account: lines, balance, credit")
async def get_account(site_id: UUID, unit: Unit, request: Request, _: Reader) -> api.AccountView:
    return await call(request, api.GET_ACCOUNT, site_id=site_id, unit=unit)


@router.get(f"{SITE}/receipts", summary="Receipts in number order, voided ones kept")
async def receipts(site_id: UUID, request: Request, _: Reader) -> list[api.Receipt]:
    return await call(request, api.RECEIPTS, site_id=site_id)


@router.get(
    f"{SITE}/units/{{unit}}/tenancy",
    summary="The unit's tenancies as billed: charge days, deposits held, final settlements",
)
async def unit_tenancy(site_id: UUID, unit: Unit, request: Request, _: Reader) -> api.UnitTenancy:
    return await call(request, api.UNIT_TENANCY, site_id=site_id, unit=unit)


@router.post(f"{SITE}/units/{{unit}}/payments", summary="Record a payment (once per reference)")
async def receive_payment(
    site_id: UUID, unit: Unit, cmd: JsonBody[api.ReceivePayment], request: Request, _: Cashier
) -> api.AccountPosting:
    return await call(request, api.RECEIVE_PAYMENT, site_id=site_id, unit=unit, payload=cmd)


@router.post(f"{SITE}/units/{{unit}}/payments/{{reference}}/reversal", summary="Reverse a payment")
async def reverse_payment(
    site_id: UUID,
    unit: Unit,
    reference: PaymentReference,
    cmd: JsonBody[api.ReversePayment],
    request: Request,
    _: Runner,
) -> api.AccountView:
    return await call(
        request, api.REVERSE_PAYMENT, site_id=site_id, unit=unit, reference=reference,
        payload=cmd,
    )  # fmt: skip


@router.post(f"{SITE}/units/{{unit}}/adjustments", summary="A correction in an open period")
async def adjust(
    site_id: UUID, unit: Unit, cmd: JsonBody[api.Adjust], request: Request, _: Runner
) -> api.AccountPosting:
    return await call(request, api.ADJUST, site_id=site_id, unit=unit, payload=cmd)


@router.get(f"{SITE}/unbilled-repairs", summary="Paid repairs naming no billed unit")
async def unbilled_repairs(site_id: UUID, request: Request, _: Reader) -> api.UnbilledRepairs:
    return await call(request, api.UNBILLED_REPAIRS, site_id=site_id)


@router.post(
    f"{SITE}/unbilled-repairs/{{work_order_id}}/assignment",
    summary="Charge a parked paid repair to a unit",
)
async def assign_paid_repair(site_id: UUID, work_order_id: UUID,
                             cmd: JsonBody[api.AssignPaidRepair], request: Request,
                             _: Runner) -> api.AccountView:  # fmt: skip
    return await call(request, api.ASSIGN_PAID_REPAIR, site_id=site_id,
                      work_order_id=work_order_id, payload=cmd)  # fmt: skip


_Table = TypeVar("_Table", api.FeeTable, api.ArrearsTable)


async def _table(request: Request, method: Method[Any, _Table], site_id: UUID, name: str,
                 fmt: str, **fields: Any) -> _Table | Response:  # fmt: skip
    table: _Table = await call(request, method, site_id=site_id, **fields)
    if fmt == "json":
        return table
    amounts: list[str]
    if isinstance(table, api.ArrearsTable):
        amounts = ["current", "0-30", "31-60", "61-90", "90+", "outstanding", "credit"]
    else:
        amounts = [*table.fee_types, "total"]
    columns = [*text_columns("unit"), *number_columns(*amounts)]
    rows = [*table.units, {"unit": "TOTAL", **table.totals.model_dump(mode="json")}]
    return table_download(rows, columns, f"{name}-{site_id}", fmt)


@router.get(
    f"{SITE}/receivable",
    summary="Monthly receivable table (JSON, CSV or XLSX)",
    response_model=api.FeeTable,
)
async def receivable(site_id: UUID, period: PeriodQuery, request: Request, _: Reader,
                     as_of: AsOf = None,
                     format: Format = "json") -> api.FeeTable | Response:  # fmt: skip
    return await _table(request, api.RECEIVABLE, site_id, f"receivable-{period}", format,
                        period=period, as_of=as_of)  # fmt: skip


@router.get(
    f"{SITE}/paid", summary="Monthly paid table (JSON, CSV or XLSX)", response_model=api.FeeTable
)
async def paid(site_id: UUID, period: PeriodQuery, request: Request, _: Reader,
               as_of: AsOf = None, format: Format = "json") -> api.FeeTable | Response:  # fmt: skip
    return await _table(request, api.PAID, site_id, f"paid-{period}", format,
                        period=period, as_of=as_of)  # fmt: skip


@router.get(
    f"{SITE}/arrears",
    summary="Arrears with ageing, as of a date (JSON, CSV or XLSX)",
    response_model=api.ArrearsTable,
)
async def arrears(site_id: UUID, request: Request, _: Reader, page: UnitsPage,
                  as_of: AsOf = None,
                  format: Format = "json") -> api.ArrearsTable | Response:  # fmt: skip
    """`?limit=` (1..500) units after `?after=` (the previous page's `next_after`), in
    code-point order of the unit, with the totals over every unit; a CSV or XLSX export
    is always the whole table."""
    paging = page.model_dump() if format == "json" else {}
    return await _table(request, api.ARREARS, site_id, "arrears", format, as_of=as_of,
                        **paging)  # fmt: skip


@router.get(f"{SITE}/collection-rate", summary="Collected / receivable per day from the notice")
async def collection_rate(site_id: UUID, period: PeriodQuery, request: Request, _: Reader,
                          as_of: AsOf = None) -> api.CollectionRate:  # fmt: skip
    return await call(request, api.COLLECTION_RATE, site_id=site_id, period=period,
                      as_of=as_of)  # fmt: skip


@router.get("/group/billing/arrears", summary="Group roll-up: every site's arrears totals")
async def group_arrears(request: Request, _: GroupReader, as_of: AsOf = None) -> api.GroupArrears:
    return await call(request, api.GROUP_ARREARS, as_of=as_of)


# -- printables: the payment notice (缴费通知单) and the receipt (收据) as PDF ------------

PDF_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document as PDF (fonts embedded)",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
Lang = Annotated[api.Language, Query(description="zh (Chinese, the default) or en")]
ReceiptNumberPath = Annotated[api.ReceiptNumber, Path(description="the receipt's number")]


def pdf_download(printout: api.Printout) -> Response:
    """The PDF inline (a browser shows it), named for saving; a non-ASCII name (a unit
    may be 十二A) travels as RFC 6266 `filename*`."""
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_"
                         for c in printout.filename)  # fmt: skip
    disposition = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(printout.filename)}"
    return Response(printout.content, media_type="application/pdf",
                    headers={"Content-Disposition": disposition})  # fmt: skip


@router.put(f"{SITE}/letterhead", summary="The site's name, payee and how to pay, as printed")
async def set_letterhead(
    site_id: UUID, cmd: JsonBody[api.SetLetterhead], request: Request, _: Setup
) -> api.SetLetterhead:
    return await call(request, api.SET_LETTERHEAD, site_id=site_id, payload=cmd)


@router.get(f"{SITE}/letterhead", summary="The site's letterhead for printed notices")
async def get_letterhead(site_id: UUID, request: Request, _: Reader) -> api.SetLetterhead:
    return await call(request, api.GET_LETTERHEAD, site_id=site_id)


@router.get(
    f"{SITE}/units/{{unit}}/notices/{{period}}.pdf",
    summary="The unit's payment notice (缴费通知单) of an issued month, as PDF",
    response_class=Response,
    responses=PDF_ANSWER,
)
async def print_notice(site_id: UUID, unit: Unit, period: PeriodPath, request: Request,
                       _: Reader, lang: Lang = "zh") -> Response:  # fmt: skip
    printout = await call(request, api.PRINT_NOTICE, site_id=site_id, unit=unit, period=period,
                          lang=lang)  # fmt: skip
    return pdf_download(printout)


@router.get(
    f"{SITE}/receipts/{{number}}.pdf",
    summary="A receipt (收据) by number, as PDF; a voided one marked 作废/VOID",
    response_class=Response,
    responses=PDF_ANSWER,
)
async def print_receipt(site_id: UUID, number: ReceiptNumberPath, request: Request, _: Reader,
                        lang: Lang = "zh") -> Response:  # fmt: skip
    printout = await call(request, api.PRINT_RECEIPT, site_id=site_id, number=number, lang=lang)
    return pdf_download(printout)
