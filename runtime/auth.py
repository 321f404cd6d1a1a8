"""JWT bearer tokens with site scoping.

Claims: `sub`, `role`, `sites` (site UUIDs), plus `iss`, `aud`, `exp`, all verified.
HS256 with a shared secret locally; RS256 via a JWKS URL in production
(`JWT_JWKS_URL`). A group admin sees every site; everyone else only their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from uuid import UUID

import jwt

from runtime.errors import Forbidden, Unauthenticated


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    CONCIERGE = "concierge"
    SWITCHBOARD = "switchboard"
    CS_REP = "cs_rep"
    CS_SUPERVISOR = "cs_supervisor"
    CS_MANAGER = "cs_manager"
    GENERAL_MANAGER = "general_manager"
    DISPATCHER = "dispatcher"
    TECHNICIAN = "technician"
    ACCOUNTANT = "accountant"
    CASHIER = "cashier"
    FINANCE_MANAGER = "finance_manager"
    GROUP_ADMIN = "group_admin"
    BI = "bi"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    sites: frozenset[UUID]

    def require_site(self, site_id: UUID) -> None:
        """A site's data is visible only to that site's staff and group admins."""
        if self.role != Role.GROUP_ADMIN and site_id not in self.sites:
            raise Forbidden("this token does not cover that site")

    def require_role(self, allowed: frozenset[Role]) -> None:
        if self.role not in allowed:
            raise Forbidden(f"role {self.role} may not do this")


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    issuer: str
    audience: str
    jwks_url: str | None = None


def mint(
    config: TokenConfig,
    *,
    subject: str,
    role: Role,
    sites: list[UUID],
    ttl: timedelta = timedelta(hours=12),
) -> str:
    """A local HS256 token (the CLI and tests use this; production uses an IdP)."""
    now = datetime.now(UTC)  # security time is wall time, never the settable business clock
    claims = {
        "sub": subject,
        "role": role.value,
        "sites": [str(s) for s in sites],
        "iss": config.issuer,
        "aud": config.audience,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    return jwt.encode(claims, config.secret, algorithm="HS256")


def verify(config: TokenConfig, token: str) -> Principal:
    """The principal of a valid token; Unauthenticated for anything else."""
    try:
        if config.jwks_url:
            key = jwt.PyJWKClient(config.jwks_url).get_signing_key_from_jwt(token).key
            algorithms = ["RS256"]
        else:
            key, algorithms = config.secret, ["HS256"]
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=config.audience,
            issuer=config.issuer,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
        return Principal(
            subject=str(claims["sub"]),
            role=Role(claims["role"]),
            sites=frozenset(UUID(s) for s in claims.get("sites", [])),
        )
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise Unauthenticated(f"invalid token: {exc}") from None
