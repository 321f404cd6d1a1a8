"""The HTTP gateway: REST/JSON over the services' gRPC APIs, with auth and site isolation."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest

from contracts.clock_api import ClockChange
from runtime.auth import Role
from runtime.clock import apply_change
from runtime.errors import ConciergeError, Forbidden, ServiceUnavailable
from runtime.rpc import RpcClient
from services.gateway import (
    billing_routes,
    feedback_routes,
    mail_routes,
    visitor_routes,
    workorder_routes,
)
from services.gateway.security import CurrentPrincipal
from services.gateway.settings import GatewaySettings

STATIC = Path(__file__).parent / "static"
REQUEST_SECONDS = Histogram(
    "concierge_request_duration_seconds", "Gateway request duration", ["method", "route"]
)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = {
            name: RpcClient(target, name, timeout=settings.grpc_timeout_seconds)
            for name, target in (
                ("visitor", settings.visitor_grpc_target),
                ("workorder", settings.workorder_grpc_target),
                ("billing", settings.billing_grpc_target),
                ("feedback", settings.feedback_grpc_target),
                ("mail", settings.mail_grpc_target),
            )
        }
        yield
        for client in app.state.services.values():
            await client.close()

    app = FastAPI(
        title="Concierge gateway",
        version="1.0.0",
        description="Front-desk, mail, repairs, billing and feedback for multi-building groups.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.include_router(visitor_routes.router)
    app.include_router(workorder_routes.router)
    app.include_router(billing_routes.router)
    app.include_router(feedback_routes.router)
    app.include_router(mail_routes.router)

    @app.exception_handler(ConciergeError)
    async def concierge_error(_: Request, exc: ConciergeError) -> JSONResponse:
        loc = ["body", exc.field] if exc.field else []
        body = {"detail": [{"loc": loc, "msg": exc.message, "type": exc.code}]}
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        return JSONResponse(body, status_code=exc.http_status, headers=headers)

    @app.middleware("http")
    async def correlate(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.correlation_id = request.headers.get("x-correlation-id") or str(uuid4())
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        REQUEST_SECONDS.labels(request.method, getattr(route, "path", "unmatched")).observe(
            time.perf_counter() - started
        )
        response.headers["x-correlation-id"] = request.state.correlation_id
        return response

    @app.get("/healthz", tags=["ops"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], summary="Readiness: every backing service answers")
    async def readyz(request: Request) -> Any:
        try:
            for client in request.app.state.services.values():
                await client.call("Ping", idempotent=True)
        except ServiceUnavailable as exc:
            return JSONResponse({"status": "unavailable", "detail": exc.message}, status_code=503)
        return {"status": "ready"}

    @app.post("/admin/clock", tags=["ops"], summary="Move the business clock (tests, demos)")
    async def set_clock(change: ClockChange, who: CurrentPrincipal, request: Request) -> Any:
        who.require_role(frozenset({Role.GROUP_ADMIN}))
        if not settings.concierge_clock_settable:
            raise Forbidden("the business clock is not settable in this deployment")
        payload = change.model_dump(mode="json")
        for client in request.app.state.services.values():
            await client.call_each("SetClock", payload=payload)
        return {"now": apply_change(change)}

    @app.get("/dashboard", include_in_schema=False)
    async def dashboard() -> FileResponse:
        """The web dashboard: a static page that reads the API with the user's token."""
        return FileResponse(STATIC / "dashboard.html", media_type="text/html")

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
