"""What a service's gRPC port says of itself: the `concierge.Json` message, the service's
methods for server reflection, and the standard health service.

Every method takes and answers one declared message, `concierge.Json { string json = 1; }`,
whose `json` is the request or answer as JSON (the models in `contracts/*_api.py`, whose
JSON Schemas pydantic gives: see docs/grpc.md). So
reflection tells the truth about the wire, and a generic client (grpcurl, a client in
another language with a one-message .proto) can call any method; the models stay the one
schema language, not mirrored into .proto files that would drift from them.
"""

from __future__ import annotations

from collections.abc import Iterable

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from contracts.methods import PACKAGE

JSON_FILE = f"{PACKAGE}/json.proto"
FieldProto = descriptor_pb2.FieldDescriptorProto


def _json_file() -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(name=JSON_FILE, package=PACKAGE, syntax="proto3")
    message = file.message_type.add(name="Json")
    message.field.add(name="json", number=1, type=FieldProto.TYPE_STRING,
                      label=FieldProto.LABEL_OPTIONAL, json_name="json")  # fmt: skip
    return file


def _service_file(service: str, methods: Iterable[str]) -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(
        name=f"{PACKAGE}/{service}.proto", package=PACKAGE, syntax="proto3",
        dependency=[JSON_FILE],
    )  # fmt: skip
    described = file.service.add(name=service)
    for name in sorted(methods):
        described.method.add(
            name=name, input_type=f".{PACKAGE}.Json", output_type=f".{PACKAGE}.Json"
        )
    return file


_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_json_file())
Json = message_factory.GetMessageClass(_POOL.FindMessageTypeByName(f"{PACKAGE}.Json"))


def wrap(data: bytes) -> bytes:
    """JSON bytes as a `concierge.Json` message on the wire."""
    return bytes(Json(json=data.decode()).SerializeToString())


def unwrap(data: bytes) -> bytes:
    """The JSON bytes a `concierge.Json` message carries (ValueError if it is not one)."""
    try:
        return str(Json.FromString(data).json).encode()
    except DecodeError as exc:
        raise ValueError(f"not a {PACKAGE}.Json message: {exc}") from None


def enable_reflection(server: grpc.aio.Server, service: str, methods: Iterable[str]) -> None:
    """Server reflection for the service (`grpcurl list`, `describe`) and for itself."""
    pool = descriptor_pool.DescriptorPool()
    pool.Add(_json_file())
    pool.Add(_service_file(service, methods))
    names = (f"{PACKAGE}.{service}", health.SERVICE_NAME, reflection.SERVICE_NAME)
    reflection.enable_server_reflection(names, server, pool=pool)


def add_health_service(server: grpc.aio.Server) -> health.aio.HealthServicer:
    """The standard gRPC health service (grpc.health.v1.Health), fed by `follow_health`."""
    servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    return servicer


async def report_health(servicer: health.aio.HealthServicer, service: str, serving: bool) -> None:
    """The service's status, under its own name and the server's (`""`)."""
    status = SERVING if serving else NOT_SERVING
    for name in (f"{PACKAGE}.{service}", ""):
        await servicer.set(name, status)


SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
