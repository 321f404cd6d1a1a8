"""The console's routes: its pages and assets, sign-in and sign-out, who is signed in
(with the screens and operations their role may use), the catalogs and the live boards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field

from contracts.fields import Name
from runtime.errors import Forbidden, NotFound, Unauthenticated
from services.gateway.console import catalogs, downloads, navigation
from services.gateway.console.live import BOARDS
from services.gateway.console.session import require_same_origin
from services.gateway.console.users import authenticate
from services.gateway.security import CurrentPrincipal

PAGES = Path(__file__).parent / "static"
router = APIRouter(prefix="/console", tags=["console"])
router.include_router(downloads.router)


class SignIn(BaseModel):
    login: Name
    password: Annotated[str, Field(min_length=1, max_length=200)]


class SiteEntry(BaseModel):
    id: UUID
    name: str
    timezone: str


class SignedIn(BaseModel):
    """The person signed in to the console, and what their role lets them use."""

    subject: str
    name: str
    role: str
    group_wide: bool
    sites: list[SiteEntry]
    screens: list[str]
    operations: list[str] = Field(description="`METHOD path`, the site prefix left out")
    csrf_token: str = Field(description="send as X-CSRF-Token on every change")


def _page(name: str) -> FileResponse:
    return FileResponse(PAGES / name, media_type="text/html")


@router.get("", include_in_schema=False)
async def console() -> FileResponse:
    """The console's one page; its script signs in first when there is no session."""
    return _page("console.html")


@router.get("/sign-in", include_in_schema=False)
async def sign_in_page() -> FileResponse:
    return _page("sign-in.html")


class SignInOptions(BaseModel):
    demo: bool = Field(description="demo users sign in with a password (local runs)")
    oidc: bool = Field(description="the group's identity provider (/console/oidc/start)")


@router.get("/sign-in/options", summary="Which ways to sign in this deployment offers")
async def sign_in_options(request: Request) -> SignInOptions:
    settings = request.app.state.settings
    return SignInOptions(demo=settings.console_demo_users, oidc=request.app.state.oidc.configured)


class SessionOpened(BaseModel):
    """Signed in: the session cookie is set (HttpOnly: the page never sees it)."""

    name: str
    role: str


class SessionClosed(BaseModel):
    signed_out: Literal[True]


@router.post("/session", summary="Sign in as a demo user (local runs)")
async def sign_in(body: SignIn, request: Request, response: Response) -> SessionOpened:
    require_same_origin(request)
    settings = request.app.state.settings
    if not settings.console_demo_users:
        raise NotFound("demo sign-in is off: sign in through the identity provider")
    user = authenticate(body.login, body.password, settings.console_demo_password)
    if user is None:
        raise Unauthenticated("unknown user or wrong password")
    request.app.state.console_sessions.issue(request, response, user.principal, user.name)
    return SessionOpened(name=user.name, role=user.principal.role.value)


@router.post("/sign-out", summary="Sign out (clears the session)")
async def sign_out(request: Request, response: Response) -> SessionClosed:
    require_same_origin(request)
    request.app.state.console_sessions.clear(response)
    return SessionClosed(signed_out=True)


@router.get("/oidc/start", include_in_schema=False)
async def oidc_start(request: Request) -> RedirectResponse:
    return request.app.state.oidc.start(request)


@router.get("/oidc/callback", include_in_schema=False, name="oidc_callback")
async def oidc_callback(
    request: Request,
    code: Annotated[str, Query(max_length=2000)],
    state: Annotated[str, Query(max_length=200)],
) -> RedirectResponse:
    who = await request.app.state.oidc.principal(request, code, state)
    response = RedirectResponse("/console", 303)
    request.app.state.console_sessions.issue(request, response, who, who.subject)
    return response


@router.get("/me", summary="Who is signed in, their sites, screens and operations")
async def me(request: Request, who: CurrentPrincipal) -> SignedIn:
    session = request.app.state.console_sessions.read(request)
    if session is None:
        raise Unauthenticated("the console needs its session: sign in")
    allowed = navigation.operations(request.app.state.api_routers, who)
    return SignedIn(
        subject=who.subject,
        name=session.name,
        role=who.role.value,
        group_wide=who.group_wide,
        sites=[
            SiteEntry(id=site.id, name=site.name, timezone=site.timezone)
            for site in request.app.state.site_directory.sites_of(who)
        ],
        screens=navigation.screens(allowed),
        operations=sorted(allowed),
        csrf_token=session.csrf,
    )


@router.get("/i18n/{locale}.json", include_in_schema=False)
async def catalog(locale: Literal["zh-CN", "en"]) -> dict[str, str]:
    return catalogs.catalog(locale)


@router.get("/live/{site_id}", include_in_schema=False)  # a stream, not a JSON answer
async def live(
    site_id: UUID,
    request: Request,
    who: CurrentPrincipal,
    boards: Annotated[str, Query(max_length=200, pattern="^[a-z_]+(,[a-z_]+)*$")],
) -> StreamingResponse:
    """`text/event-stream`: each board's rows when they change. Every board needs the
    right to read it through the API (403 otherwise), and the site must be the caller's."""
    who.require_site(site_id)
    names = list(dict.fromkeys(boards.split(",")))
    allowed = navigation.operations(request.app.state.api_routers, who)
    for name in names:
        if name not in BOARDS:
            raise NotFound(f"no board named {name[:40]}")
        if BOARDS[name].operation not in allowed:
            raise Forbidden(f"role {who.role} may not read the board {name}")
    return StreamingResponse(
        request.app.state.live_boards.stream(site_id, names),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
