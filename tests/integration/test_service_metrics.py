"""A service serves Prometheus metrics: events published, projection lag, dead letters."""

from __future__ import annotations

import time
from uuid import uuid4

import httpx

from tests.infra import free_port, process, wait_http
from tests.integration.fixtures import complete_visits, visitor_app


def test_visitor_service_exposes_relay_and_projection_metrics(infra) -> None:  # type: ignore[no-untyped-def]
    namespace = f"{infra.namespace}metrics_"
    complete_visits(visitor_app(infra, namespace), uuid4(), 25)
    port = free_port()
    env = infra.env(CONCIERGE_NAMESPACE=namespace, METRICS_PORT=str(port),
                    VISITOR_GRPC_PORT=str(free_port()))  # fmt: skip
    with process(["-m", "services.visitor"], env, "metrics"):
        wait_http(f"http://127.0.0.1:{port}/metrics")
        deadline = time.monotonic() + 30
        while True:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            published = [line for line in text.splitlines()
                         if line.startswith("concierge_events_published_total{")]  # fmt: skip
            applied = [line for line in text.splitlines()
                       if line.startswith("concierge_projection_events_total{")]  # fmt: skip
            if published and applied and float(applied[0].split()[-1]) >= 100:
                break
            assert time.monotonic() < deadline, text[-2000:]
            time.sleep(0.2)
    assert float(published[0].split()[-1]) == 100  # 25 visits x 4 events
    assert "concierge_projection_lag{" in text
