"""gRPC between the gateway and the services, carrying the pydantic models.

Methods are unary calls `/concierge.<service>/<Method>`, each declared once in
`contracts/*_api.py` as a `contracts.methods.Method`; their messages are the JSON of its
request and response models: one schema language (pydantic) for HTTP, gRPC and events
instead of a second one in .proto files. `RpcService.implements(method)` registers a
handler, `RpcClient(method, request)` calls it. Errors travel as status codes, mapped
once here from the `runtime.errors` hierarchy and back:

- the caller's mistakes (`ConciergeError`, a request that does not decode) keep their
  class (a request's first failure, with its field);
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

import grpc
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json

from contracts.methods import PACKAGE, CallContext, Method, Req, Resp
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
from runtime.rpc_schema import add_health_service, enable_reflection, report_health, unwrap, wrap

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
MAX_ERRORS = 10

Handler = Callable[[Any, CallContext], Awaitable[Any]]

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
    """A request's failures, each named by its dotted path in the caller's body (a
    command's fields are addressed without their `payload.` envelope; a rule across the
    body's fields has no field)."""
    errors: list[tuple[str | None, str]] = []
    for error in exc.errors(include_url=False, include_input=False)[:MAX_ERRORS]:
        loc = list(error["loc"])
        if loc[:1] == ["payload"]:
            loc = loc[1:]
        field = ".".join(str(p) for p in loc)[:200] or None
        errors.append((field, str(error["msg"])[:MAX_DETAIL]))
    field, message = errors[0]
    return Invalid(f"{field}: {message}" if field else message, field=field, errors=errors)


class RpcService:
    """A service's gRPC endpoint: a handler for each declared `Method`.

        rpc = RpcService("workorder")

        @rpc.implements(api.DISPATCH)
        async def dispatch(request: api.OnWorkOrder[api.DispatchRepair], call: CallContext)
            -> api.WorkOrderView: ...

    The request is decoded from the bytes as they arrived, in pydantic's strict JSON
    mode: the one validation a request gets (see contracts.methods); the answer is
    checked against the declared response before it leaves (a mismatch is a defect).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: dict[str, tuple[Method[Any, Any], Handler]] = {}
        self.health: Any = None  # the standard health service, once served

    async def report_health(self, serving: bool) -> None:
        """Tell the standard gRPC health service whether this service serves."""
        if self.health is not None:
            await report_health(self.health, self.name, serving)

    def implements(
        self, method: Method[Req, Resp]
    ) -> Callable[[Callable[[Req, CallContext], Awaitable[Resp]]], Handler]:
        if method.service != self.name:
            raise ValueError(f"{method!r} is not a method of the {self.name} service")

        def register(fn: Callable[[Req, CallContext], Awaitable[Resp]]) -> Handler:
            self.handlers[method.name] = (method, fn)
            return fn

        return register

    async def handle(self, name: str, data: bytes, call: CallContext) -> bytes:
        """Run method `name` on the encoded request `data`; the encoded answer, or a
        `ConciergeError` (the caller's) or any other exception (a defect)."""
        method, fn = self.handlers[name]
        try:
            request = method.request.model_validate_json(data or b"{}", strict=True)
        except ValidationError as exc:
            raise validation_error(exc) from None
        answer = await fn(request, call)
        try:
            return method.answer.dump_json(method.answer.validate_python(answer))
        except ValidationError as exc:
            raise AnswerMismatch(f"{method!r} answered outside its declaration: {exc}") from None

    def generic_handler(self) -> grpc.GenericRpcHandler:
        handlers = {
            name: grpc.unary_unary_rpc_method_handler(self._wrap(name)) for name in self.handlers
        }
        return grpc.method_handlers_generic_handler(f"{PACKAGE}.{self.name}", handlers)

    def _wrap(self, name: str) -> Callable[[bytes, grpc.aio.ServicerContext], Awaitable[bytes]]:
        method = f"{self.name}.{name}"

        async def invoke(data: bytes, context: grpc.aio.ServicerContext) -> bytes:
            call = CallContext.of(context.invocation_metadata())
            try:
                request = unwrap(data)
            except ValueError as exc:  # not a concierge.Json message
                await context.abort(*_on_the_wire(Invalid(str(exc))))
            try:
                return wrap(await self.handle(name, request, call))
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
                    log.exception("%s failed (correlation id %s)", method, call.correlation_id)
                    status = grpc.StatusCode.INTERNAL
                    details = json.dumps({"code": "internal", "message": f"{method} failed"})
            await context.abort(status, details)
            raise AssertionError("unreachable: abort raises")

        return invoke


class AnswerMismatch(Exception):
    """A handler answered something its method does not declare: a defect."""


def _on_the_wire(error: ConciergeError) -> tuple[grpc.StatusCode, str]:
    details: dict[str, Any] = {
        "code": error.code,
        "message": error.message[:MAX_DETAIL],
        "field": error.field[:MAX_DETAIL] if error.field else None,
    }
    if isinstance(error, Invalid) and error.errors:
        # at most ~3 kB together: the trailers must stay under gRPC's 8 kB metadata limit
        details["errors"] = [[f and f[:100], m[:200]] for f, m in error.errors[:MAX_ERRORS]]
    return GRPC_STATUS[type(error)], json.dumps(details)


async def serve(service: RpcService, port: int, host: str = "127.0.0.1") -> grpc.aio.Server:
    """Serve `service` with server reflection and the standard health service (serving
    until told otherwise by `service.report_health`)."""
    server = grpc.aio.server(options=MESSAGE_OPTIONS)
    server.add_generic_rpc_handlers([service.generic_handler()])
    service.health = add_health_service(server)
    await service.report_health(True)
    enable_reflection(server, service.name, service.handlers)
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

    async def __call__(
        self, method: Method[Req, Resp], request: Req, call: CallContext | None = None
    ) -> Resp:
        """Call `method` with `request`; a read is retried on another replica."""
        channel = self.read_channel if method.read else self.channel
        return await self._invoke(channel, method, request, call)

    async def call_each(
        self, method: Method[Req, Resp], request: Req, call: CallContext | None = None
    ) -> list[Resp]:
        """Call `method` on every replica the target resolves to now (each process holds
        its own business clock, so a clock change must reach them all)."""
        results = []
        for address in await replica_addresses(self.target):
            async with grpc.aio.insecure_channel(address, options=MESSAGE_OPTIONS) as channel:
                results.append(await self._invoke(channel, method, request, call))
        return results

    async def _invoke(
        self, channel: grpc.aio.Channel, method: Method[Req, Resp], request: Req,
        call: CallContext | None,
    ) -> Resp:  # fmt: skip
        if method.service != self.service:
            raise ValueError(f"{method!r} is not a method of the {self.service} service")
        stub = channel.unary_unary(method.path)
        try:
            answer = await stub(
                wrap(encode_request(request)),
                timeout=self.timeout,
                metadata=(call or CallContext()).metadata(),
            )
        except grpc.aio.AioRpcError as exc:
            raise _error_from(exc, self.service) from None
        try:
            return method.answer.validate_json(unwrap(answer))
        except (ValidationError, ValueError) as exc:
            raise ServiceFault(f"{method!r} answered outside its declaration: {exc}") from None

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
        if cls is Invalid:
            errors = [(f, str(m)) for f, m in details.get("errors") or []]
            return Invalid(str(details["message"]), field=details.get("field"), errors=errors)
        return cls(str(details["message"]), field=details.get("field"))
    except (ValueError, KeyError, TypeError):
        pass  # not one of ours: the channel's own status, or a defect in the service
    if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return ServiceUnavailable(f"the {service} service is not answering; try again shortly")
    return ServiceFault(f"the {service} service failed: {exc.code()} {(exc.details() or '')[:200]}")


def encode_request(request: BaseModel) -> bytes:
    """A request as JSON. A command the gateway forwards holds the caller's body as it
    came (unvalidated: the service validates it), hence no warnings here."""
    return request.model_dump_json(warnings=False).encode()


def actor_of(call: CallContext) -> str:
    """Who acts, for a command that records it (the gateway sends the token's subject)."""
    if not call.actor:
        raise Forbidden("this command records who acts: the call names no actor")
    return call.actor
