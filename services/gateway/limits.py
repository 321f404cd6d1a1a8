"""Request body limits: 413 past a route's limit, before the body is parsed.

Every route takes at most `GATEWAY_MAX_BODY_BYTES` (1 MiB: a command is a few hundred
bytes; a 422 never echoes it back). A route that takes a whole site's register in one
request declares its own, larger limit with `openapi_extra=BULK_BODY`, which also tells
clients in the OpenAPI document.

A declared `Content-Length` past the limit is answered at once; a body sent in chunks is
counted as it arrives and refused as soon as it passes the limit, so neither is held in
memory. (Starlette's own limiter answers the first case in plain text; this one keeps
the gateway's error shape.)
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.errors import problem_response

LIMIT_KEY = "x-max-body-bytes"
# The bulk registers (billing units and water readings, the mail directory) take a whole
# site in one request: 200,000 units at about 100 bytes each.
BULK_BODY_BYTES = 32 * 1024 * 1024
BULK_BODY = {LIMIT_KEY: BULK_BODY_BYTES}


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class BodyLimit:
    """ASGI middleware: `default` for every request, or the limit a route of `routes`
    declares (the routers' own routes, whose paths are the app's paths)."""

    def __init__(self, app: ASGIApp, *, default: int, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.default = default
        self.declared = [
            (route, int(extra[LIMIT_KEY]))
            for route in routes
            if LIMIT_KEY in (extra := getattr(route, "openapi_extra", None) or {})
        ]

    def limit_for(self, scope: Scope) -> int:
        for route, limit in self.declared:
            if route.matches(scope)[0] == Match.FULL:
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            message = BodyTooLarge(limit).detail
            response = problem_response(
                413, "content_too_large", message, instance=scope["path"],
                correlation_id=scope.get("state", {}).get("correlation_id"),
            )  # fmt: skip
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)  # answered by the app's HTTPException handler
            return message

        await self.app(scope, counted, send)
