"""Run the gateway: `python -m services.gateway` (host/port from GATEWAY_HOST/GATEWAY_PORT)."""

from __future__ import annotations

import uvicorn

from runtime.auth import UnsafeTokenSecret
from runtime.service import configure_logging
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    configure_logging(settings.log_level)
    try:
        app = create_app(settings)
    except UnsafeTokenSecret as exc:
        raise SystemExit(f"the gateway refuses to start: {exc}") from None
    uvicorn.run(
        app,
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
