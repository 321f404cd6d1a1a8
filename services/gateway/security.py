"""Request authentication for the gateway: bearer token (or the console's session
cookie) -> Principal, site checks."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from contracts.methods import CallContext, Method, Resp
from runtime.auth import Principal, Role, verify
from runtime.errors import Unauthenticated
from runtime.rpc import RpcClient
from services.gateway.console.session import require_csrf

bearer = HTTPBearer(auto_error=False)

FRONT_DESK = frozenset(
    {
        Role.RECEPTIONIST,
        Role.CONCIERGE,
        Role.SWITCHBOARD,
        Role.CS_REP,
        Role.CS_SUPERVISOR,
        Role.CS_MANAGER,
        Role.GROUP_ADMIN,
    }
)
SUPERVISORS = frozenset({Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.GROUP_ADMIN})
READERS = FRONT_DESK | {Role.BI}
GROUP_READERS = frozenset({Role.GROUP_ADMIN, Role.BI})


async def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller. These dependencies are coroutines: FastAPI runs a plain function
    dependency on a worker thread, two thread hops per request for a few microseconds of
    work. Only a token checked against an identity provider's key set, which may fetch
    the keys over the network, is verified on a worker thread."""
    if credentials is not None:
        config = request.app.state.token_config
        if config.jwks_url:
            return await asyncio.to_thread(verify, config, credentials.credentials)
        return verify(config, credentials.credentials)
    # The staff console's cookie session stands for the same Principal (console.session).
    session = request.app.state.console_sessions.read(request)
    if session is None:
        raise Unauthenticated("missing bearer token")
    require_csrf(request, session)
    return session.principal


CurrentPrincipal = Annotated[Principal, Depends(principal)]


def site_access(roles: frozenset[Role]):
    """A dependency: the caller holds one of `roles` and the path's site is theirs."""

    async def check(site_id: UUID, who: CurrentPrincipal, request: Request) -> Principal:
        who.require_role(roles)
        who.require_site(site_id)
        request.state.principal = who
        return who

    check.roles = roles  # type: ignore[attr-defined]  # read by services.gateway.access
    check.reach = "the token's sites"  # type: ignore[attr-defined]
    return Depends(check)


def group_access(roles: frozenset[Role]):
    """A dependency: the caller holds one of `roles` and a group-wide token (every site's
    figures are group-wide data; see runtime.auth)."""

    async def check(who: CurrentPrincipal, request: Request) -> Principal:
        who.require_role(roles)
        who.require_group()
        request.state.principal = who
        return who

    check.roles = roles  # type: ignore[attr-defined]  # read by services.gateway.access
    check.reach = "group-wide tokens only"  # type: ignore[attr-defined]
    return Depends(check)


async def call(request: Request, method: Method[Any, Resp], **fields: Any) -> Resp:
    """Call a service's `method` for the request's caller, carrying the correlation id and
    who acts (and in which role). `fields` are the method's request fields: a command's
    body goes as `payload` as the caller sent it, for the service validates it (once,
    see contracts.methods); the path and query values are the gateway's, already typed."""
    who: Principal | None = getattr(request.state, "principal", None)
    context = CallContext(
        correlation_id=request.state.correlation_id,
        actor=who.subject if who else None,
        role=who.role.value if who else None,
    )
    client: RpcClient = request.app.state.services[method.service]
    return await client(method, method.request.model_construct(**fields), context)
