"""JWT bearer tokens with site scoping.

Claims: `sub`, `role`, `sites` (site UUIDs), `scope` (optional), plus `iss`, `aud`, `iat`
and `exp`, all verified. HS256 with a shared secret locally; RS256 via a JWKS URL in
production (`JWT_JWKS_URL`). Site staff see only their own sites.

A token is *group-wide* when its role is `group_admin`, or when it is a `bi` token whose
`scope` claim (space-separated, RFC 8693 §4.2) holds `group`. Only group-wide tokens
reach every site and the group roll-ups (`/group/...`); a BI token without that scope
reads only the sites it lists, like any site staff.

Anything else about a token is a reason to refuse it (401), never a server fault: a
claim of the wrong type, an unknown role, a lifetime past the cap, an `exp` or `iat`
that is not a JSON number (RFC 7519 §2, NumericDate).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import jwt
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, ValidationError

from contracts.fields import Name
from runtime.errors import Forbidden, ServiceUnavailable, Unauthenticated

# The HS256 secret the local stack and the tests share. It is public (it is in this
# file), so a gateway refuses to run with it unless told it is a local/dev deployment.
DEV_SECRET = "concierge-local-dev-secret-change-me"
# An HS256 key at least as long as the hash output (RFC 7518 §3.2).
MIN_SECRET_BYTES = 32
GROUP_SCOPE = "group"


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
    group_scope: bool = False  # a BI token granted the whole group (see the module doc)

    @property
    def group_wide(self) -> bool:
        """Group admins, and BI tokens with the group scope, see every site."""
        return self.role == Role.GROUP_ADMIN or (self.role == Role.BI and self.group_scope)

    def require_site(self, site_id: UUID) -> None:
        """A site's data is visible only to that site's staff and group-wide tokens."""
        if not self.group_wide and site_id not in self.sites:
            raise Forbidden("this token does not cover that site")

    def require_group(self) -> None:
        """Group-wide data (every site's figures) only for group-wide tokens."""
        if not self.group_wide:
            raise Forbidden("group-wide data needs a group-wide token")

    def require_role(self, allowed: frozenset[Role]) -> None:
        if self.role not in allowed:
            raise Forbidden(f"role {self.role} may not do this")


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    issuer: str
    audience: str
    jwks_url: str | None = None
    # The longest a token may live, from its `iat` and from now (refused past it).
    max_lifetime: timedelta = timedelta(hours=12)
    # Clock skew tolerated between the issuer and the gateway (none by default).
    leeway: timedelta = timedelta(0)

    def refuse_unsafe_secret(self, *, dev_secret_allowed: bool) -> None:
        """Refuse to verify HS256 tokens with a secret anyone can read or guess.

        The built-in `DEV_SECRET` only with `dev_secret_allowed` (local runs, tests);
        any other secret must have at least `MIN_SECRET_BYTES` bytes. With a JWKS URL
        the secret is not used.
        """
        if self.jwks_url:
            return
        if self.secret == DEV_SECRET:
            if not dev_secret_allowed:
                raise UnsafeTokenSecret(
                    "JWT_SECRET is the built-in development secret: set JWT_SECRET (or "
                    "JWT_JWKS_URL), or JWT_ALLOW_DEV_SECRET=true for a local/dev deployment"
                )
        elif len(self.secret.encode()) < MIN_SECRET_BYTES:
            raise UnsafeTokenSecret(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")


class UnsafeTokenSecret(ValueError):
    """The gateway was configured to verify tokens with a secret that is not secret."""


# RFC 7519 NumericDate: a JSON number of seconds (a string or a boolean is not one).
NumericDate = StrictInt | StrictFloat


class Claims(BaseModel):
    """The claims Concierge reads from a token whose signature, iss and aud are valid."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sub: Annotated[Name, Field(strict=True)]  # becomes the actor in events: a bounded name
    role: Role
    sites: list[UUID] = Field(default_factory=list, max_length=10_000)
    # OAuth scopes: a space-separated string (RFC 8693 §4.2), or a list in some IdPs.
    scope: (
        Annotated[str, Field(strict=True, max_length=1000)]
        | list[Annotated[str, Field(strict=True, max_length=200)]]
    ) = ""
    iat: NumericDate
    exp: NumericDate

    def scopes(self) -> list[str]:
        return self.scope.split() if isinstance(self.scope, str) else self.scope

    def lifetime_error(self, now: float, config: TokenConfig) -> str | None:
        """Why the token's times are unacceptable, or None: issued no later than now,
        not expired, and never valid for longer than the configured cap."""
        leeway, cap = config.leeway.total_seconds(), config.max_lifetime.total_seconds()
        if not (math.isfinite(self.iat) and math.isfinite(self.exp)):
            return "iat and exp must be finite numbers"
        if self.iat > now + leeway:
            return "issued in the future"
        if self.exp <= now - leeway:
            return "expired"
        if self.exp - self.iat > cap or self.exp - now > cap + leeway:
            return f"lifetime longer than {config.max_lifetime}"
        return None


def mint(
    config: TokenConfig,
    *,
    subject: str,
    role: Role,
    sites: list[UUID],
    ttl: timedelta = timedelta(hours=12),
    group_scope: bool = False,
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
    if group_scope:
        claims["scope"] = GROUP_SCOPE
    return jwt.encode(claims, config.secret, algorithm="HS256")


@functools.cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    # One client per URL, so its key cache is kept across requests.
    return jwt.PyJWKClient(url)


def verify(config: TokenConfig, token: str) -> Principal:
    """The principal of a valid token; Unauthenticated for anything else.

    ServiceUnavailable when the identity provider's key set cannot be fetched: the
    caller is not at fault then.
    """
    try:
        if config.jwks_url:
            key = _jwks_client(config.jwks_url).get_signing_key_from_jwt(token).key
            algorithms = ["RS256"]
        else:
            key, algorithms = config.secret, ["HS256"]
        raw = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=config.audience,
            issuer=config.issuer,
            # Times are checked below, after their types: PyJWT takes "123" for a number.
            options={
                "require": ["exp", "iat", "sub", "iss", "aud"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
        claims = Claims.model_validate(raw)
    except jwt.PyJWKClientConnectionError:
        raise ServiceUnavailable("the identity provider's keys cannot be fetched") from None
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"invalid token: {str(exc)[:200]}") from None
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        claim = ".".join(str(part) for part in first["loc"])[:40]
        raise Unauthenticated(f"invalid token: claim {claim}: {first['msg']}") from None
    if problem := claims.lifetime_error(datetime.now(UTC).timestamp(), config):
        raise Unauthenticated(f"invalid token: {problem}")
    return Principal(
        subject=claims.sub,
        role=claims.role,
        sites=frozenset(claims.sites),
        group_scope=GROUP_SCOPE in claims.scopes(),
    )
