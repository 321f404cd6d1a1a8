"""Run the gateway: `python -m services.gateway` (host/port from GATEWAY_HOST/GATEWAY_PORT)."""

from __future__ import annotations

import uvicorn

from runtime.service import configure_logging
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
