"""Gateway configuration (environment variables, local defaults)."""

from __future__ import annotations

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
    grpc_timeout_seconds: float = 5.0
    jwt_jwks_url: str | None = None

    def token_config(self) -> TokenConfig:
        return TokenConfig(
            secret=self.jwt_secret,
            issuer=self.jwt_issuer,
            audience=self.jwt_audience,
            jwks_url=self.jwt_jwks_url,
        )
