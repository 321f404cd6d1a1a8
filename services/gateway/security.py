"""Request authentication for the gateway: bearer token -> Principal, site checks."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from runtime.auth import Principal, Role, verify
from runtime.errors import Unauthenticated

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


def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("missing bearer token")
    return verify(request.app.state.token_config, credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(principal)]


def site_access(roles: frozenset[Role]):
    """A dependency: the caller holds one of `roles` and the path's site is theirs."""

    def check(site_id: UUID, who: CurrentPrincipal, request: Request) -> Principal:
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

    def check(who: CurrentPrincipal, request: Request) -> Principal:
        who.require_role(roles)
        who.require_group()
        request.state.principal = who
        return who

    check.roles = roles  # type: ignore[attr-defined]  # read by services.gateway.access
    check.reach = "group-wide tokens only"  # type: ignore[attr-defined]
    return Depends(check)


def payload(command: BaseModel) -> dict[str, Any]:
    """A validated command as the `payload` field of a service request."""
    return {"payload": command.model_dump(mode="json")}


async def call_service(
    request: Request, service: str, method: str, site_id: UUID, **fields: Any
) -> Any:
    """Call a service for a site, carrying the correlation id and who is acting. A GET
    is a read: retried on another replica if the first one is gone."""
    who: Principal | None = getattr(request.state, "principal", None)
    return await request.app.state.services[service].call(
        method,
        idempotent=request.method == "GET",
        site_id=site_id,
        correlation_id=request.state.correlation_id,
        actor=who.subject if who else None,
        **fields,
    )
