"""Errors across gRPC: 503 only when a dependency is really down, a defect is 500.

A service's handlers here meet real closed ports (nothing listens there: the database
or the broker is down) or a plain bug; the client sees what the gateway will answer.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import psycopg
import pytest
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel, Field

from contracts import visitor_api
from contracts.methods import CallContext, Empty, Method, Request, SiteCommand, SiteRequest
from runtime.auth import Role
from runtime.errors import Invalid, ServiceFault, ServiceUnavailable
from runtime.rpc import RpcClient, RpcService, serve
from services.gateway.app import create_app
from tests.helpers import bearer, gateway_settings, problem
from tests.infra import free_port

CLOSED = free_port()  # nothing listens here


class Sized(BaseModel):
    size: int = Field(ge=1, le=10)


class Table(Request):
    payload: list[dict[str, str]]


def probe(name: str, request: type[Request] = Empty) -> Method[Any, Any]:
    return Method("visitor", name, request, Any)


READ_MODEL_DOWN, EVENT_STORE_DOWN, BROKER_DOWN = (
    probe("ReadModelDown"), probe("EventStoreDown"), probe("BrokerDown")
)  # fmt: skip
BAD_INPUT = probe("BadInput", SiteCommand[Sized])
WRONG_ANSWER = Method("visitor", "WrongAnswer", Empty, Sized)
ECHO = probe("Echo", Table)


def faulty_service() -> RpcService:
    rpc = RpcService("visitor")

    @rpc.implements(visitor_api.IN_BUILDING)
    async def in_building(request: SiteRequest, call: CallContext) -> Any:  # a defect
        return {"first": [][0]}

    @rpc.implements(READ_MODEL_DOWN)
    async def read_model_down(request: Empty, call: CallContext) -> Any:
        await asyncpg.connect(f"postgresql://x:y@127.0.0.1:{CLOSED}/x", timeout=2)

    @rpc.implements(EVENT_STORE_DOWN)
    async def event_store_down(request: Empty, call: CallContext) -> Any:
        psycopg.connect(f"postgresql://x:y@127.0.0.1:{CLOSED}/x", connect_timeout=2)

    @rpc.implements(BROKER_DOWN)
    async def broker_down(request: Empty, call: CallContext) -> Any:
        producer = AIOKafkaProducer(bootstrap_servers=f"127.0.0.1:{CLOSED}")
        try:
            await producer.start()
        finally:
            await producer.stop()

    @rpc.implements(BAD_INPUT)
    async def bad_input(request: SiteCommand[Sized], call: CallContext) -> Any:
        return request.payload

    @rpc.implements(WRONG_ANSWER)
    async def wrong_answer(request: Empty, call: CallContext) -> Any:
        return {"size": "eleven"}

    @rpc.implements(ECHO)
    async def echo(request: Table, call: CallContext) -> Any:
        return request.payload

    return rpc


@pytest.fixture(scope="module")
async def target() -> AsyncIterator[str]:
    port = free_port()
    server = await serve(faulty_service(), port)
    yield f"127.0.0.1:{port}"
    await server.stop(grace=None)


@pytest.fixture
async def client(target: str) -> AsyncIterator[RpcClient]:
    client = RpcClient(target, "visitor", timeout=10)
    yield client
    await client.close()


async def test_a_defect_in_a_service_is_a_fault_logged_there(
    client: RpcClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="runtime.rpc"), pytest.raises(ServiceFault):
        await client(
            visitor_api.IN_BUILDING, SiteRequest(site_id=uuid4()),
            CallContext(correlation_id="corr-defect"),
        )  # fmt: skip
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert logged and "corr-defect" in logged[0].getMessage() and logged[0].exc_info


@pytest.mark.parametrize("method", [READ_MODEL_DOWN, EVENT_STORE_DOWN, BROKER_DOWN], ids=repr)
async def test_an_unreachable_database_or_broker_is_unavailable(
    client: RpcClient, method: Method[Empty, Any]
) -> None:
    with pytest.raises(ServiceUnavailable, match="cannot reach its database or broker"):
        await client(method, Empty())


async def test_bad_input_keeps_its_field(client: RpcClient) -> None:
    with pytest.raises(Invalid) as raised:
        await client(
            BAD_INPUT, SiteCommand[Sized].model_construct(site_id=uuid4(), payload={"size": 11})
        )
    assert raised.value.field == "size"


async def test_a_request_is_validated_as_json_strictly(client: RpcClient) -> None:
    """The service decodes a request in strict JSON mode: `"5"` is not an integer."""
    with pytest.raises(Invalid) as raised:
        await client(
            BAD_INPUT, SiteCommand[Sized].model_construct(site_id=uuid4(), payload={"size": "5"})
        )
    assert raised.value.field == "size"


async def test_an_answer_outside_its_declaration_is_a_fault(client: RpcClient) -> None:
    with pytest.raises(ServiceFault):
        await client(WRONG_ANSWER, Empty())


async def test_messages_larger_than_grpcs_default_4_mib_pass(client: RpcClient) -> None:
    table = [{"unit": f"U{i:06d}", "outstanding": "1234.56"} for i in range(120_000)]
    assert await client(ECHO, Table(payload=table)) == table  # ~6 MB each way


async def test_the_gateway_answers_a_service_defect_with_500(target: str) -> None:
    site = uuid4()
    app = create_app(gateway_settings(visitor_grpc_target=target))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gateway") as http,
    ):
        response = await http.get(
            f"/sites/{site}/in-building",
            headers={**bearer(Role.RECEPTIONIST, [site]), "X-Correlation-ID": "corr-500"},
        )
    assert response.status_code == 500
    error = problem(response)
    assert error.kind == "internal" and "corr-500" in error.detail
    assert error.body["correlation_id"] == "corr-500"
