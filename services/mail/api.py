"""gRPC API of the mail service: the register's commands and views."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID

from contracts import mail_api as api
from runtime.clock import clock
from runtime.rpc import RpcService, correlation_of, site_of
from runtime.sites import site_timezone
from services.mail.application import MailApplication
from services.mail.domain import MailItem
from services.mail.projections import MailQueries


def item_view(item: MailItem) -> dict[str, Any]:
    return {
        "item_id": item.id, "site_id": item.site_id, "kind": item.kind,
        "status": item.status.value, "recipient_unit": item.recipient_unit,
        "recipient_person": item.recipient_person, "urgent": item.urgent,
        "received_at": item.received_at, "reminders": item.reminders, "version": item.version,
    }  # fmt: skip


async def sweep_site(app: MailApplication, queries: MailQueries, site_id: UUID,
                     cid: str | None) -> dict[str, int]:  # fmt: skip
    awaiting, pending = await queries.sweep_candidates(site_id)
    return await asyncio.to_thread(app.sweep, site_id, awaiting, pending, cid)


def build_api(app: MailApplication, queries: MailQueries) -> RpcService:
    rpc = RpcService("mail")
    run = asyncio.to_thread

    async def on_item(request: dict[str, Any], action: Any, *args: Any) -> dict[str, Any]:
        item_id = UUID(request["item_id"])
        return item_view(
            await run(action, site_of(request), item_id, *args, correlation_of(request))
        )

    @rpc.method
    async def update_directory(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.UpdateDirectory.model_validate(request["payload"])
        units = await run(app.update_directory, site_of(request), cmd, correlation_of(request))
        return {"units": units}

    @rpc.method
    async def configure(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.ConfigureMail.model_validate(request["payload"])
        await run(app.configure, site_of(request), cmd, correlation_of(request))
        return cmd.model_dump()

    @rpc.method
    async def receive(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.ReceiveMail.model_validate(request["payload"])
        return item_view(await run(app.receive, site_of(request), cmd, correlation_of(request)))

    @rpc.method
    async def resolve(request: dict[str, Any]) -> dict[str, Any]:
        cmd = api.ResolveRecipient.model_validate(request["payload"])
        return await on_item(request, app.resolve, cmd, request.get("actor") or "customer service")

    @rpc.method
    async def collect(request: dict[str, Any]) -> dict[str, Any]:
        return await on_item(
            request, app.collect, api.CollectMail.model_validate(request["payload"])
        )

    @rpc.method
    async def archive(request: dict[str, Any]) -> dict[str, Any]:
        return await on_item(
            request, app.archive, api.ArchiveMail.model_validate(request["payload"])
        )

    @rpc.method
    async def get_item(request: dict[str, Any]) -> dict[str, Any]:
        return item_view(await run(app.item, site_of(request), UUID(request["item_id"])))

    @rpc.method
    async def sweep(request: dict[str, Any]) -> dict[str, Any]:
        return await sweep_site(app, queries, site_of(request), correlation_of(request))

    @rpc.method
    async def awaiting_pickup(request: dict[str, Any]) -> list[dict[str, Any]]:
        return await queries.awaiting_pickup(site_of(request))

    @rpc.method
    async def register(request: dict[str, Any]) -> list[dict[str, Any]]:
        day = request.get("date")
        site = site_of(request)
        return await queries.register(
            site, date.fromisoformat(day) if day else clock.today(site_timezone(site))
        )

    @rpc.method
    async def ageing(request: dict[str, Any]) -> dict[str, Any]:
        return await queries.ageing(site_of(request), clock.now())

    return rpc
