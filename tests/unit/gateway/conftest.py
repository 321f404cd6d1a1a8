"""The gateway in-process, with no service behind it: what it refuses on its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from tests.infra import free_port


def settings(**overrides: object) -> GatewaySettings:
    targets = {
        f"{name}_grpc_target": f"127.0.0.1:{free_port()}"  # nothing listens there
        for name in ("visitor", "workorder", "billing", "feedback", "mail")
    }
    values = {"jwt_allow_dev_secret": True, "grpc_timeout_seconds": 0.5, **targets}
    return GatewaySettings(**{**values, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def gateway() -> Iterator[TestClient]:
    with TestClient(create_app(settings()), raise_server_exceptions=False) as client:
        yield client
