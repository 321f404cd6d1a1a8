"""Every request's correlation id, duration metric and page headers.

The caller's `X-Correlation-Id` (or a new one) is kept in the request's state, for the
services' calls and the error bodies, and echoed on the response; the request's duration
is observed per route; the doc pages and the console get their security headers.

A plain ASGI middleware: Starlette's `BaseHTTPMiddleware` (`@app.middleware("http")`)
runs the rest of the app in a task of its own and streams the response back through a
memory channel, a cost every request paid for a few header writes.
"""

from __future__ import annotations

import time
from uuid import uuid4

from prometheus_client import Histogram
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.console import headers as console_headers

DOC_PAGES = ("/docs", "/redoc")
# The doc pages load nothing from beyond the gateway: ReDoc's bundle links its logo on a
# CDN, which the browser now refuses to fetch instead of leaking a request.
DOC_PAGES_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; font-src 'self' data:"
)
REQUEST_SECONDS = Histogram(
    "concierge_request_duration_seconds", "Gateway request duration", ["method", "route"]
)


class Correlation:
    """ASGI middleware: the correlation id, the duration metric and the page headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = Headers(scope=scope).get("x-correlation-id") or str(uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                route = getattr(scope.get("route"), "path", "unmatched")
                REQUEST_SECONDS.labels(scope["method"], route).observe(
                    time.perf_counter() - started
                )
                headers = MutableHeaders(scope=message)
                headers["x-correlation-id"] = correlation_id
                path = Request(scope).url.path
                if path in DOC_PAGES:
                    headers["Content-Security-Policy"] = DOC_PAGES_POLICY
                if console_headers.covers(path):
                    headers.update(console_headers.HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
