"""Request authentication for the gateway: bearer token -> Principal, site checks."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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


def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("missing bearer token")
    return verify(request.app.state.settings.token_config(), credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(principal)]


def site_access(roles: frozenset[Role]):
    """A dependency: the caller holds one of `roles` and the path's site is theirs."""

    def check(site_id: UUID, who: CurrentPrincipal) -> Principal:
        who.require_role(roles)
        who.require_site(site_id)
        return who

    return Depends(check)
