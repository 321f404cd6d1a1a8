"""Gateway configuration (environment variables, local defaults)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from runtime.auth import TokenConfig
from runtime.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    visitor_grpc_target: str = "127.0.0.1:50061"
    workorder_grpc_target: str = "127.0.0.1:50062"
    billing_grpc_target: str = "127.0.0.1:50063"
    feedback_grpc_target: str = "127.0.0.1:50064"
    mail_grpc_target: str = "127.0.0.1:50065"
    tenancy_grpc_target: str = "127.0.0.1:50066"
    grpc_timeout_seconds: float = 5.0
    # Request bodies larger than this are refused with 413 before they are parsed; the
    # bulk registers (units, water readings, mail directory) allow more (gateway.limits).
    gateway_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    jwt_jwks_url: str | None = None
    # Only a local/dev deployment may verify tokens with the built-in, public HS256 secret.
    jwt_allow_dev_secret: bool = False
    # Tokens valid for longer than this (from iat, or from now) are refused.
    jwt_max_lifetime_hours: float = Field(default=12, gt=0, le=24 * 30)

    # The staff console (services/gateway/console): its signed session cookie, the demo
    # users' sign-in (local runs and tests only), the site directory and the group's
    # OpenID Connect provider (authorization code + PKCE) in production.
    console_session_secret: str | None = None  # unset: a random key per process
    console_demo_users: bool = False
    console_demo_password: str = "concierge-demo"
    console_sites: dict[str, str] = Field(default_factory=dict)  # {site_id: name}
    oidc_authorization_url: str | None = None
    oidc_token_url: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scope: str = "openid profile"

    def token_config(self) -> TokenConfig:
        return TokenConfig(
            secret=self.jwt_secret,
            issuer=self.jwt_issuer,
            audience=self.jwt_audience,
            jwks_url=self.jwt_jwks_url,
            max_lifetime=timedelta(hours=self.jwt_max_lifetime_hours),
        )
