"""Sign-in through the group's OpenID Connect provider: authorization code with PKCE.

`/console/oidc/start` sends the browser to `OIDC_AUTHORIZATION_URL` with a fresh `state`
and an S256 code challenge (RFC 7636), both kept in a short-lived signed cookie;
`/console/oidc/callback` checks the state, redeems the code at `OIDC_TOKEN_URL` with the
verifier and verifies the access token it gets exactly as the API verifies a bearer
token (`JWT_JWKS_URL`, `JWT_ISSUER`, `JWT_AUDIENCE`: its `role` and `sites` claims), then
opens the console's session. The token itself never reaches the browser.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlencode

import httpx
from fastapi import Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from runtime.auth import Principal, verify
from runtime.errors import NotFound, ServiceUnavailable, Unauthenticated
from services.gateway.settings import GatewaySettings

PENDING_COOKIE = "concierge_oidc"
PENDING_SECONDS = 600


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OidcSignIn:
    def __init__(self, settings: GatewaySettings, pending_key: str) -> None:
        self._settings = settings
        self._pending = URLSafeTimedSerializer(pending_key, salt="concierge-console-oidc")

    @property
    def configured(self) -> bool:
        s = self._settings
        return bool(s.oidc_authorization_url and s.oidc_token_url and s.oidc_client_id)

    def _redirect_uri(self, request: Request) -> str:
        return str(request.url_for("oidc_callback"))

    def start(self, request: Request) -> RedirectResponse:
        if not self.configured:
            raise NotFound("no identity provider is configured (OIDC_* settings)")
        state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._settings.oidc_client_id,
                "redirect_uri": self._redirect_uri(request),
                "scope": self._settings.oidc_scope,
                "state": state,
                "code_challenge": _challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        response = RedirectResponse(f"{self._settings.oidc_authorization_url}?{query}", 303)
        response.set_cookie(
            PENDING_COOKIE,
            self._pending.dumps({"state": state, "verifier": verifier}),
            max_age=PENDING_SECONDS,
            path="/console/oidc",
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="lax",
        )
        return response

    async def principal(self, request: Request, code: str, state: str) -> Principal:
        """The person the provider signed in, from the code it sent back."""
        try:
            pending = self._pending.loads(
                request.cookies.get(PENDING_COOKIE, ""), max_age=PENDING_SECONDS
            )
        except BadSignature:
            raise Unauthenticated("the sign-in has expired: start again") from None
        if not secrets.compare_digest(str(pending["state"]), state):
            raise Unauthenticated("the sign-in's state does not match: start again")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self._redirect_uri(request),
            "client_id": self._settings.oidc_client_id or "",
            "code_verifier": str(pending["verifier"]),
        }
        if self._settings.oidc_client_secret:
            form["client_secret"] = self._settings.oidc_client_secret
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.post(str(self._settings.oidc_token_url), data=form)
        except httpx.HTTPError:
            raise ServiceUnavailable("the identity provider does not answer") from None
        try:
            token = str(answer.json()["access_token"]) if answer.status_code == 200 else None
        except (ValueError, KeyError, TypeError):
            token = None
        if token is None:
            raise Unauthenticated("the identity provider refused the sign-in")
        return verify(request.app.state.token_config, token)
