"""The console's session: a signed cookie that stands for a `Principal`.

The cookie (`concierge_session`) is HttpOnly, SameSite=Lax (so the top-level return from
the identity provider carries it), Secure when the console is served over HTTPS, and
holds the person's subject, role, sites and a CSRF token, signed with
`CONSOLE_SESSION_SECRET` (itsdangerous: an HMAC over the payload and its time) and
refused past `JWT_MAX_LIFETIME_HOURS`. No token ever reaches page script or a URL.

A request that changes something with the cookie (any method but GET/HEAD/OPTIONS) must
carry the session's CSRF token in `X-CSRF-Token` (the console's pages read it from
`/console/me`, which another origin cannot read), and an `Origin`, when the browser sends
one, must be the gateway's own (OWASP: synchronizer token plus origin check).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from uuid import UUID

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from runtime.auth import Principal, Role
from runtime.errors import Forbidden, Unauthenticated

COOKIE = "concierge_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Session:
    principal: Principal
    name: str  # the person's name as the console greets them
    csrf: str


def session_key(configured: str | None, jwt_secret: str, jwks: bool) -> str | None:
    """The key that signs sessions: `CONSOLE_SESSION_SECRET`, else one derived from the
    HS256 token secret (shared by every replica already, and refused unless it is a real
    secret or a local run's), else None with JWKS tokens (then each process draws its own
    key, and a session lasts as long as the process that opened it)."""
    if configured:
        return configured
    if jwks:
        return None
    return hmac.new(jwt_secret.encode(), b"concierge-console-session", "sha256").hexdigest()


class SessionCookies:
    """Issues, reads and clears the console's session cookie."""

    def __init__(self, secret: str | None, max_age_seconds: float) -> None:
        key = secret or secrets.token_urlsafe(32)  # unset: sessions end with the process
        self._serializer = URLSafeTimedSerializer(key, salt="concierge-console-session")
        self._max_age = int(max_age_seconds)

    def issue(self, request: Request, response: Response, who: Principal, name: str) -> None:
        payload = {
            "sub": who.subject,
            "role": who.role.value,
            "sites": sorted(str(site) for site in who.sites),
            "group": who.group_scope,
            "name": name,
            "csrf": secrets.token_urlsafe(24),
        }
        response.set_cookie(
            COOKIE,
            self._serializer.dumps(payload),
            max_age=self._max_age,
            path="/",
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="lax",
        )

    def read(self, request: Request) -> Session | None:
        """The request's session, None without a cookie; Unauthenticated for a cookie
        that is forged, altered or expired."""
        raw = request.cookies.get(COOKIE)
        if raw is None:
            return None
        try:
            data = self._serializer.loads(raw, max_age=self._max_age)
            principal = Principal(
                subject=str(data["sub"]),
                role=Role(data["role"]),
                sites=frozenset(UUID(site) for site in data["sites"]),
                group_scope=bool(data["group"]),
            )
            return Session(principal, str(data["name"]), str(data["csrf"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            raise Unauthenticated("the session is expired or not valid: sign in again") from None

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def require_same_origin(request: Request) -> None:
    """A state-changing request from a page of another origin is refused."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise Forbidden("a request from another origin may not use the console's session")


def require_csrf(request: Request, session: Session) -> None:
    """A state-changing request with the session cookie carries its CSRF token."""
    if request.method in SAFE_METHODS:
        return
    require_same_origin(request)
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise Forbidden("missing or wrong X-CSRF-Token for the console's session")
