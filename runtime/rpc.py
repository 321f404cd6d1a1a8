"""gRPC between the gateway and the services, carrying the pydantic command models.

Methods are unary calls `/concierge.<service>/<Method>` whose messages are the JSON of
the models in `contracts/*_api.py`: one schema language (pydantic) for HTTP, gRPC and
events instead of a second one in .proto files. Errors travel as status codes, mapped
once here from the `runtime.errors` hierarchy and back:

- the caller's mistakes (`ConciergeError`, pydantic `ValidationError`) keep their class;
- a database or broker that cannot be reached is UNAVAILABLE (HTTP 503, "try again");
- anything else is a defect: logged with its traceback in the service and INTERNAL on
  the wire (HTTP 500), never passed off as "try again shortly".
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
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
    ServiceFault,
    ServiceUnavailable,
    Unauthenticated,
)
from runtime.outage import is_outage

log = logging.getLogger(__name__)

# Larger than the gateway's largest request body (the bulk registers) and than the
# largest table a query answers; gRPC's default of 4 MiB would fail both.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MESSAGE_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
]
# Error details travel in gRPC trailers: keep them well under the metadata size limit.
MAX_DETAIL = 500

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
    first = exc.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(p) for p in first["loc"])[:200] or None
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
        method = f"{self.name}.{_camel(fn.__name__)}"

        async def call(request: dict[str, Any], context: grpc.aio.ServicerContext) -> Any:
            try:
                return await fn(request)
            except ValidationError as exc:
                status, details = _on_the_wire(validation_error(exc))
            except ConciergeError as exc:
                status, details = _on_the_wire(exc)
            except Exception as exc:
                if is_outage(exc):
                    log.warning("%s: a dependency is unreachable: %r", method, exc)
                    status, details = _on_the_wire(
                        ServiceUnavailable(
                            f"the {self.name} service cannot reach its database or broker; "
                            "try again shortly"
                        )
                    )
                else:
                    log.exception("%s failed (correlation id %s)", method, correlation_of(request))
                    status = grpc.StatusCode.INTERNAL
                    details = json.dumps({"code": "internal", "message": f"{method} failed"})
            await context.abort(status, details)

        return call


def _on_the_wire(error: ConciergeError) -> tuple[grpc.StatusCode, str]:
    details = {
        "code": error.code,
        "message": error.message[:MAX_DETAIL],
        "field": error.field[:MAX_DETAIL] if error.field else None,
    }
    return GRPC_STATUS[type(error)], json.dumps(details)


async def serve(service: RpcService, port: int, host: str = "127.0.0.1") -> grpc.aio.Server:
    server = grpc.aio.server(options=MESSAGE_OPTIONS)
    server.add_generic_rpc_handlers([service.generic_handler()])
    server.add_insecure_port(f"{host}:{port}")
    await server.start()
    return server


# Reads retried on another replica when one is gone (or answers UNAVAILABLE); commands
# never: one that reached a replica before it died may have been saved, and a retry
# would apply it twice.
READ_RETRY_POLICY = {
    "maxAttempts": 3,
    "initialBackoff": "0.05s",
    "maxBackoff": "0.5s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


def channel_options(service: str, *, retry_reads: bool) -> list[tuple[str, Any]]:
    """gRPC service config: calls spread round-robin over every address the target
    resolves to (each replica of a service), and the read retry policy if asked."""
    config: dict[str, Any] = {"loadBalancingConfig": [{"round_robin": {}}]}
    if retry_reads:
        config["methodConfig"] = [
            {"name": [{"service": f"concierge.{service}"}], "retryPolicy": READ_RETRY_POLICY}
        ]
    return [
        ("grpc.service_config", json.dumps(config)),
        ("grpc.enable_retries", 1),
        # Notice new or returning replicas soon after a failure.
        ("grpc.dns_min_time_between_resolutions_ms", 1000),
        ("grpc.initial_reconnect_backoff_ms", 200),
        ("grpc.max_reconnect_backoff_ms", 2000),
    ]


class RpcClient:
    """Calls one service, balanced over its replicas; errors come back as the same
    `ConciergeError` classes."""

    def __init__(self, target: str, service: str, timeout: float = 5.0) -> None:
        self.target = target
        self.service = service
        self.timeout = timeout
        self.channel = grpc.aio.insecure_channel(
            target, options=[*MESSAGE_OPTIONS, *channel_options(service, retry_reads=False)]
        )
        self.read_channel = grpc.aio.insecure_channel(
            target, options=[*MESSAGE_OPTIONS, *channel_options(service, retry_reads=True)]
        )

    async def call(self, method: str, *, idempotent: bool = False, **request: Any) -> Any:
        """Call `method`; an `idempotent` one (a read) is retried on another replica."""
        channel = self.read_channel if idempotent else self.channel
        return await self._invoke(channel, method, request)

    async def call_each(self, method: str, **request: Any) -> list[Any]:
        """Call `method` on every replica the target resolves to now (each process holds
        its own business clock, so a clock change must reach them all)."""
        results = []
        for address in await replica_addresses(self.target):
            async with grpc.aio.insecure_channel(address, options=MESSAGE_OPTIONS) as channel:
                results.append(await self._invoke(channel, method, request))
        return results

    async def _invoke(self, channel: grpc.aio.Channel, method: str, request: Any) -> Any:
        stub = channel.unary_unary(
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
        await self.read_channel.close()


async def replica_addresses(target: str) -> list[str]:
    """The `host:port` of every replica behind a gRPC target: the addresses of an
    `ipv4:a:p,b:p` list, or what a `[dns:///]host:port` name resolves to."""
    if target.startswith(("ipv4:", "ipv6:")):
        return target.split(":", 1)[1].split(",")
    host, port = target.removeprefix("dns:///").rsplit(":", 1)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, int(port), type=socket.SOCK_STREAM
        )
    except OSError:
        return [target]  # the call then reports the service as unavailable
    addresses = sorted({str(info[4][0]) for info in infos})
    return [f"[{a}]:{port}" if ":" in a else f"{a}:{port}" for a in addresses]


def _error_from(exc: grpc.aio.AioRpcError, service: str) -> Exception:
    """The error a failed call stands for (see the module doc for the mapping)."""
    try:
        details = json.loads(exc.details() or "")
        cls = ERRORS_BY_CODE[details["code"]]
        return cls(str(details["message"]), field=details.get("field"))
    except (ValueError, KeyError, TypeError):
        pass  # not one of ours: the channel's own status, or a defect in the service
    if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return ServiceUnavailable(f"the {service} service is not answering; try again shortly")
    return ServiceFault(f"the {service} service failed: {exc.code()} {(exc.details() or '')[:200]}")


def site_of(request: dict[str, Any]) -> UUID:
    """The site a request acts on (checked against the caller's token by the gateway)."""
    return UUID(request["site_id"])


def correlation_of(request: dict[str, Any]) -> str | None:
    return request.get("correlation_id")


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))
