"""Every service's port answers the standard gRPC health check and server reflection, and
reflection tells the truth: a generic client that knows nothing but what reflection says
calls a method (as grpcurl or a client in another language would)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import grpc
import pytest
from google.protobuf import descriptor_pool, json_format, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from contracts import visitor_api as api
from contracts.methods import CallContext, SiteRequest
from runtime.errors import NotFound
from runtime.rpc import RpcService, serve
from tests.infra import free_port

ROWS = [
    {"visit_id": str(uuid4()), "site_id": str(uuid4()), "business_date": "2026-11-20",
     "visitor_name": "Zhang San", "visitor_company": None, "host_unit": "8B",
     "host_name": "Wang Wu", "purpose": "interview", "party_size": 1, "pre_registered": False,
     "status": "checked_in", "expected_from": None, "expected_until": None,
     "registered_at": "2026-11-20T01:00:00Z", "host_notified_at": "2026-11-20T01:01:00Z",
     "checked_in_at": "2026-11-20T01:05:00Z", "checked_out_at": None, "id_checked": True,
     "id_type": "id_card", "denial_reason": None, "overstayed_on": None}
]  # fmt: skip


def service() -> RpcService:
    rpc = RpcService(api.SERVICE)

    @rpc.implements(api.IN_BUILDING)
    async def in_building(request: SiteRequest, call: CallContext) -> Any:
        return ROWS

    @rpc.implements(api.GET_VISIT)
    async def get_visit(request: api.VisitRef, call: CallContext) -> Any:
        raise NotFound("no such visit", field="visit_id")

    return rpc


@pytest.fixture
async def served() -> AsyncIterator[tuple[RpcService, str]]:
    rpc, port = service(), free_port()
    server = await serve(rpc, port)
    yield rpc, f"127.0.0.1:{port}"
    await server.stop(None)


def check(target: str, name: str) -> int:
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        return int(stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5).status)


async def test_health_follows_what_the_service_reports(served: tuple[RpcService, str]) -> None:
    rpc, target = served
    serving = health_pb2.HealthCheckResponse.SERVING
    for name in ("concierge.visitor", ""):
        assert await asyncio.to_thread(check, target, name) == serving
    await rpc.report_health(False)
    assert await asyncio.to_thread(check, target, "concierge.visitor") == (
        health_pb2.HealthCheckResponse.NOT_SERVING
    )


def call_by_reflection(target: str, method: str, request: dict[str, Any]) -> tuple[Any, ...]:
    """Call `method` knowing only what reflection says: its input and output messages."""
    with grpc.insecure_channel(target) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        services = set(database.get_services())
        pool = descriptor_pool.DescriptorPool(database)
        described = pool.FindServiceByName("concierge.visitor").FindMethodByName(method)
        request_class = message_factory.GetMessageClass(described.input_type)
        answer_class = message_factory.GetMessageClass(described.output_type)
        message = json_format.ParseDict({"json": json.dumps(request)}, request_class())
        call = channel.unary_unary(
            f"/concierge.visitor/{method}",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=answer_class.FromString,
        )
        try:
            answer = call(message, timeout=5)
        except grpc.RpcError as exc:
            return services, described.input_type.full_name, None, exc
        return services, described.input_type.full_name, json.loads(answer.json), None


async def test_reflection_describes_the_methods_and_a_generic_client_calls_them(
    served: tuple[RpcService, str],
) -> None:
    _, target = served
    services, message, answer, error = await asyncio.to_thread(
        call_by_reflection, target, "InBuilding", {"site_id": str(uuid4())}
    )
    assert {"concierge.visitor", "grpc.health.v1.Health"} <= services
    assert message == "concierge.Json"
    assert answer == ROWS and error is None


async def test_a_generic_client_gets_the_errors_the_gateway_gets(
    served: tuple[RpcService, str],
) -> None:
    _, target = served
    *_, error = await asyncio.to_thread(
        call_by_reflection, target, "GetVisit", {"site_id": str(uuid4()), "visit_id": "x"}
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert json.loads(error.details())["field"] == "visit_id"
