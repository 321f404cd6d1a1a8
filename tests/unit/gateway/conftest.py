"""The gateway in-process: with no service behind it (what it refuses on its own), or
with services that only decode each request (what a service refuses, as the gateway
answers it), without databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from contracts import billing_api, feedback_api, mail_api, visitor_api, workorder_api
from contracts.methods import CallContext, Method
from runtime.errors import Conflict
from runtime.rpc import RpcService, serve
from services.gateway.app import create_app
from tests.helpers import gateway_settings
from tests.infra import free_port

CONTEXTS = (visitor_api, workorder_api, billing_api, feedback_api, mail_api)
DECODED = "decoded"  # what a decoding service answers a request it accepts (a 409)


def decoding_service(context: Any) -> RpcService:
    """Every method of `context`, answering a request that decodes with a Conflict."""
    rpc = RpcService(context.SERVICE)
    for method in vars(context).values():
        if isinstance(method, Method):

            @rpc.implements(method)
            async def decoded(request: Any, call: CallContext) -> Any:
                raise Conflict(DECODED)

    return rpc


async def client_of(settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gateway", timeout=30) as client,
    ):
        yield client


@pytest.fixture(scope="module")
async def gateway() -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_of(gateway_settings()):
        yield client


@pytest.fixture(scope="module")
async def decoding_gateway() -> AsyncIterator[httpx.AsyncClient]:
    """The gateway over services that decode each request and go no further (a deadline
    long enough for a 5,000-row body on a loaded machine: 0.5 s gave 503s)."""
    servers, targets = [], {}
    for context in CONTEXTS:
        port = free_port()
        servers.append(await serve(decoding_service(context), port))
        targets[f"{context.SERVICE}_grpc_target"] = f"127.0.0.1:{port}"
    try:
        async for client in client_of(gateway_settings(**targets, grpc_timeout_seconds=10)):
            yield client
    finally:
        for server in servers:
            await server.stop(None)
