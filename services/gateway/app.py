"""The HTTP gateway: REST/JSON over the services' gRPC APIs, with auth and site isolation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal
from uuid import uuid4

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from contracts import (
    billing_api,
    feedback_api,
    mail_api,
    tenancy_api,
    visitor_api,
    workorder_api,
)
from contracts.clock_api import ClockChange
from contracts.methods import Empty
from contracts.operations_api import ClockNow, HealthReport
from runtime.auth import Role
from runtime.clock import apply_change
from runtime.collector import freeze_long_lived_objects
from runtime.errors import Forbidden, ServiceUnavailable
from runtime.rpc import RpcClient
from services.gateway import (
    asyncapi_routes,
    billing_routes,
    building_services_routes,
    collection_routes,
    errors,
    feedback_routes,
    mail_routes,
    operations_routes,
    tenancy_routes,
    visitor_routes,
    workorder_routes,
)
from services.gateway.console import routes as console_routes
from services.gateway.console import session as console_session
from services.gateway.console.live import LiveBoards
from services.gateway.console.oidc import OidcSignIn
from services.gateway.console.sites import SiteDirectory
from services.gateway.correlation import Correlation
from services.gateway.limits import BodyLimit
from services.gateway.security import CurrentPrincipal
from services.gateway.settings import GatewaySettings


class Liveness(BaseModel):
    """`/healthz`: the gateway process answers (it asks nothing of the services)."""

    status: Literal["ok"]


class Unanswered(BaseModel):
    """A service that did not answer its health check."""

    status: Literal["unavailable"]
    problems: list[str]


class Readiness(BaseModel):
    """`/readyz`: `ready`, `degraded` (serving; a read model may be stale) or, with 503,
    `unavailable`; each service's own report."""

    status: Literal["ready", "degraded", "unavailable"]
    problems: list[str]
    services: dict[str, HealthReport | Unanswered]
    detail: str | None = None


CONTEXTS = (  # the services
    visitor_api,
    workorder_api,
    billing_api,
    feedback_api,
    mail_api,
    tenancy_api,
)
ROUTERS = (  # the API's areas
    visitor_routes.router,
    visitor_routes.group_router,
    workorder_routes.router,
    billing_routes.router,
    collection_routes.router,  # billing: collection follow-up, phone charges
    feedback_routes.router,
    mail_routes.router,
    tenancy_routes.router,
    building_services_routes.router,
    operations_routes.router,  # building operations (patrols, incidents, hygiene)
)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """The gateway app; refuses (UnsafeTokenSecret) to verify tokens with a public secret."""
    settings = settings or GatewaySettings()
    token_config = settings.token_config()
    token_config.refuse_unsafe_secret(dev_secret_allowed=settings.jwt_allow_dev_secret)

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
                ("tenancy", settings.tenancy_grpc_target),
            )
        }
        app.state.live_boards = LiveBoards(app.state.services)  # the console's boards
        freeze_long_lived_objects()  # out of the collector's way (runtime.collector)
        yield
        for client in app.state.services.values():
            await client.close()

    # /docs and /redoc serve Swagger UI and ReDoc from assets shipped in the
    # fastapi-offline package (no CDN): they render with no network.
    app = FastAPIOffline(
        title="Concierge gateway",
        version="1.0.0",
        description="Front-desk, mail, repairs, billing and feedback for multi-building groups.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.token_config = token_config
    # The staff console: its cookie session, sign-in, site directory (console/).
    session_key = console_session.session_key(
        settings.console_session_secret, settings.jwt_secret, jwks=bool(settings.jwt_jwks_url)
    )
    app.state.console_sessions = console_session.SessionCookies(
        session_key, max_age_seconds=settings.jwt_max_lifetime_hours * 3600
    )
    app.state.oidc = OidcSignIn(settings, session_key or uuid4().hex + uuid4().hex)
    app.state.site_directory = SiteDirectory(settings.console_sites)
    app.state.api_routers = ROUTERS  # the console's navigation reads their access rules
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(asyncapi_routes.router)  # the events' documents: no token needed
    app.include_router(console_routes.router)  # the staff console
    app.mount("/console/static", StaticFiles(directory=console_routes.PAGES), name="console-static")
    app.add_middleware(
        BodyLimit,
        default=settings.gateway_max_body_bytes,
        routes=[route for router in ROUTERS for route in router.routes],
    )

    app.add_middleware(Correlation)  # outermost: the body limit reads its id

    @app.get("/healthz", tags=["ops"], summary="Liveness")
    async def healthz() -> Liveness:
        return Liveness(status="ok")

    @app.get("/readyz", tags=["ops"], summary="Readiness of every backing service")
    async def readyz(request: Request) -> Readiness:
        """503 when a service does not answer or its database is down: the gateway cannot
        serve. `degraded` (still 200) when everything answers but a read model may be stale
        or incomplete (Kafka unreachable, a projection stopped or lagging, unresolved dead
        letters): commands and every other read still work, and taking the gateway out of
        rotation would turn one read model's fault into a total outage."""
        services = request.app.state.services
        answers = await asyncio.gather(
            *(services[context.SERVICE](context.PING, Empty()) for context in CONTEXTS),
            return_exceptions=True,
        )
        reports: dict[str, Any] = {}
        for context, answer in zip(CONTEXTS, answers, strict=True):
            if isinstance(answer, ServiceUnavailable):
                reports[context.SERVICE] = {"status": "unavailable", "problems": [answer.message]}
            elif isinstance(answer, BaseException):
                raise answer
            else:
                reports[context.SERVICE] = answer.model_dump(mode="json")
        states = {report["status"] for report in reports.values()}
        status = next(s for s in ("unavailable", "degraded", "ready") if s in states)
        problems = [f"{name}: {p}" for name, r in reports.items() for p in r["problems"]]
        body = {"status": status, "problems": problems, "services": reports}
        if status == "unavailable":
            body["detail"] = "; ".join(problems)
            return JSONResponse(body, status_code=503)  # type: ignore[return-value]
        return Readiness.model_validate(body)

    @app.post("/admin/clock", tags=["ops"], summary="Move the business clock (tests, demos)")
    async def set_clock(change: ClockChange, who: CurrentPrincipal, request: Request) -> ClockNow:
        """The gateway holds a business clock too, so it reads the change itself (the
        one command the gateway validates besides the services)."""
        who.require_role(frozenset({Role.GROUP_ADMIN}))
        if not settings.concierge_clock_settable:
            raise Forbidden("the business clock is not settable in this deployment")
        services = request.app.state.services
        for context in CONTEXTS:
            method = context.SET_CLOCK
            await services[context.SERVICE].call_each(method, method.request(payload=change))
        return ClockNow(now=apply_change(change))

    @app.get("/dashboard", include_in_schema=False)
    async def dashboard() -> RedirectResponse:
        """The old developer dashboard (a pasted token and site id) gave way to the staff
        console, which signs people in: old bookmarks land there."""
        return RedirectResponse("/console", status_code=308)

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
