"""gRPC methods of the printables: the site's letterhead, the payment notice of a unit's
issued month and a receipt by number, each answered as a PDF (`Printout`)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any
from uuid import UUID

import asyncpg

from contracts import billing_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.clock import clock, local_date
from runtime.errors import NotFound
from runtime.rpc import RpcService
from runtime.sites import site_timezone
from services.billing.application import BillingApplication
from services.billing.domain import FeeSchedule
from services.billing.letterhead import HOW_TO_PAY, HOW_TO_PAY_EN, Letterhead
from services.billing.money import Period
from services.billing.notice_roster import tenant_of
from services.billing.pdf import notice_pdf, receipt_pdf
from services.billing.printables import Heading, payment_notice, receipt_slip


def letterhead(app: BillingApplication, site_id: UUID) -> dict[str, Any]:
    found: Letterhead | None = app._get(Letterhead.create_id(site_id))
    return dict(found.fields) if found else {"site_name": str(site_id)}


def heading(app: BillingApplication, site_id: UUID, lang: str) -> Heading:
    """The letterhead in `lang`, English falling back to Chinese; a site that set none is
    headed by its id and told the seed's way to pay."""
    fields = letterhead(app, site_id)
    if lang == "en":
        return Heading(fields.get("site_name_en") or fields["site_name"], fields.get("payee"),
                       fields.get("how_to_pay_en") or HOW_TO_PAY_EN)  # fmt: skip
    return Heading(fields["site_name"], fields.get("payee"), fields.get("how_to_pay") or HOW_TO_PAY)


def set_letterhead(app: BillingApplication, site_id: UUID, cmd: api.SetLetterhead,
                   cid: str | None) -> None:  # fmt: skip
    def command() -> None:
        now = clock.now()
        found: Letterhead | None = app._get(Letterhead.create_id(site_id))
        head = found or Letterhead(site_id=site_id, at=now)
        if head.change(fields=cmd.model_dump(), at=now) or found is None:
            app.save(head)

    app.run(cid, command)


def printout(name: str, pdf: bytes) -> api.Printout:
    return api.Printout(filename=name, content=base64.b64encode(pdf))


def serve_printables(rpc: RpcService, app: BillingApplication, pool: asyncpg.Pool) -> None:
    run = asyncio.to_thread

    @rpc.implements(api.SET_LETTERHEAD)
    async def set_head(request: SiteCommand[api.SetLetterhead],
                       call: CallContext) -> api.SetLetterhead:  # fmt: skip
        await run(set_letterhead, app, request.site_id, request.payload, call.correlation_id)
        return api.SetLetterhead.model_validate(await run(letterhead, app, request.site_id))

    @rpc.implements(api.GET_LETTERHEAD)
    async def get_head(request: SiteRequest, call: CallContext) -> api.SetLetterhead:
        return api.SetLetterhead.model_validate(await run(letterhead, app, request.site_id))

    @rpc.implements(api.PRINT_NOTICE)
    async def print_notice(request: api.NoticeRef, call: CallContext) -> api.Printout:
        site, period = request.site_id, Period.parse(request.period)
        account = await run(app.account, site, request.unit)
        schedule: FeeSchedule | None = await run(app._get, FeeSchedule.create_id(site))
        rates = schedule.rates_for(period) if schedule else {}
        head = await run(heading, app, site, request.lang)
        tenant = await tenant_of(pool, site, request.unit, period)
        today = clock.today(site_timezone(site))
        notice = payment_notice(account, period, rates, head, tenant, today)
        pdf = await run(notice_pdf, notice, request.lang)
        return printout(f"notice-{request.unit}-{period}-{request.lang}.pdf", pdf)

    @rpc.implements(api.PRINT_RECEIPT)
    async def print_receipt(request: api.ReceiptRef, call: CallContext) -> api.Printout:
        site, zone = request.site_id, site_timezone(request.site_id)
        book = await run(app.receipts, site)
        if request.number > len(book):
            raise NotFound(f"no receipt number {request.number} at this site")
        receipt = book[request.number - 1]
        account = await run(app.account, site, receipt["unit"])
        placed, unplaced = account.placed(receipt["reference"])
        issued = Period.of(local_date(receipt["issued_at"], zone))
        payer = await tenant_of(pool, site, receipt["unit"], issued)
        head = await run(heading, app, site, request.lang)
        slip = receipt_slip(receipt, head, payer, placed, unplaced, account.currency)
        pdf = await run(receipt_pdf, slip, request.lang, zone)
        return printout(f"receipt-{request.number}-{request.lang}.pdf", pdf)
