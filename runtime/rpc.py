"""gRPC between the gateway and the services, carrying the pydantic command models.

Methods are unary calls `/concierge.<service>/<Method>` whose messages are the JSON of
the models in `contracts/*_api.py`: one schema language (pydantic) for HTTP, gRPC and
events instead of a second one in .proto files. Errors travel as status codes, mapped
once here from the `runtime.errors` hierarchy and back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import grpc
from pydantic import ValidationError
from pydantic_core import to_json

from runtime.errors import (
    ERRORS_BY_CODE,
    ConciergeError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
)
from runtime.outage import is_outage

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[Any]]

GRPC_STATUS: dict[type[ConciergeError], grpc.StatusCode] = {
    Invalid: grpc.StatusCode.INVALID_ARGUMENT,
    NotFound: grpc.StatusCode.NOT_FOUND,
    Conflict: grpc.StatusCode.FAILED_PRECONDITION,
    Forbidden: grpc.StatusCode.PERMISSION_DENIED,
    Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    ServiceUnavailable: grpc.StatusCode.UNAVAILABLE,
}


def encode(value: Any) -> bytes:
    return to_json(value)


def decode(data: bytes) -> Any:
    return json.loads(data) if data else None


def validation_error(exc: ValidationError) -> Invalid:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    return Invalid(f"{field}: {first['msg']}" if field else first["msg"], field=field)


class RpcService:
    """A service's gRPC endpoint: register async handlers by method name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.methods: dict[str, Handler] = {}

    def method(self, fn: Handler) -> Handler:
        self.methods[_camel(fn.__name__)] = fn
        return fn

    def generic_handler(self) -> grpc.GenericRpcHandler:
        handlers = {
            name: grpc.unary_unary_rpc_method_handler(
                self._wrap(fn), request_deserializer=decode, response_serializer=encode
            )
            for name, fn in self.methods.items()
        }
        return grpc.method_handlers_generic_handler(f"concierge.{self.name}", handlers)

    def _wrap(self, fn: Handler) -> Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]:
        async def call(request: dict[str, Any], context: grpc.aio.ServicerContext) -> Any:
            try:
                return await fn(request)
            except ValidationError as exc:
                error: ConciergeError = validation_error(exc)
            except ConciergeError as exc:
                error = exc
            except Exception as exc:
                if not is_outage(exc):
                    raise
                log.warning("%s: %s unavailable: %s", self.name, type(exc).__name__, exc)
                error = ServiceUnavailable(f"the {self.name} service cannot reach its database; "
                                           "try again shortly")  # fmt: skip
            details = json.dumps(
                {"code": error.code, "message": error.message, "field": error.field}
            )
            await context.abort(GRPC_STATUS[type(error)], details)

        return call


async def serve(service: RpcService, port: int) -> grpc.aio.Server:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers([service.generic_handler()])
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    return server


class RpcClient:
    """Calls one service; errors come back as the same `ConciergeError` classes."""

    def __init__(self, target: str, service: str, timeout: float = 5.0) -> None:
        self.channel = grpc.aio.insecure_channel(target)
        self.service = service
        self.timeout = timeout

    async def call(self, method: str, **request: Any) -> Any:
        stub = self.channel.unary_unary(
            f"/concierge.{self.service}/{method}",
            request_serializer=encode,
            response_deserializer=decode,
        )
        try:
            return await stub(request, timeout=self.timeout)
        except grpc.aio.AioRpcError as exc:
            raise _error_from(exc, self.service) from None

    async def close(self) -> None:
        await self.channel.close()


def _error_from(exc: grpc.aio.AioRpcError, service: str) -> ConciergeError:
    if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return ServiceUnavailable(f"the {service} service is not answering; try again shortly")
    try:
        details = json.loads(exc.details() or "")
        cls = ERRORS_BY_CODE[details["code"]]
        return cls(details["message"], field=details.get("field"))
    except (ValueError, KeyError, TypeError):
        log.error("unexpected error from %s: %s %s", service, exc.code(), exc.details())
        return ServiceUnavailable(f"the {service} service failed; try again shortly")


def site_of(request: dict[str, Any]) -> UUID:
    """The site a request acts on (checked against the caller's token by the gateway)."""
    return UUID(request["site_id"])


def correlation_of(request: dict[str, Any]) -> str | None:
    return request.get("correlation_id")


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
