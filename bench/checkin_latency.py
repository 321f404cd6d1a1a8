"""End to end: HTTP check-in until the visitor shows in "in the building now".

Each sample: POST check-in through the gateway, then poll GET /in-building until the
visit is listed (the path through gRPC, the event store, the outbox relay, Kafka and
the projection). The visitor is checked out afterwards so the list stays small.
Beside it, the check-in command's own HTTP round trip, measured in the same loop, and
the round trip of the poll that found the visit (GET /in-building: gateway, gRPC, the
read model's query), so the rest (relay, Kafka, projection) can be told apart.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx

from runtime.auth import Role, TokenConfig, mint
from tests.infra import free_port, process, wait_http

SAMPLES = 500
STARTUP_SECONDS = 180


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(infra: Any) -> dict[str, Any]:
    visitor_port, gateway_port = free_port(), free_port()
    env = infra.env(
        CONCIERGE_NAMESPACE=f"{infra.namespace}bench_e2e_",
        VISITOR_GRPC_PORT=str(visitor_port),
        VISITOR_GRPC_TARGET=f"127.0.0.1:{visitor_port}",
        GATEWAY_PORT=str(gateway_port),
    )
    site = uuid4()
    config = TokenConfig("concierge-local-dev-secret-change-me", "concierge-local", "concierge")
    token = mint(config, subject="bench", role=Role.RECEPTIONIST, sites=[site])
    headers = {"Authorization": f"Bearer {token}"}
    visible, command, poll = [], [], []
    with (
        process(["-m", "services.visitor"], env, "bench-visitor"),
        process(["-m", "services.gateway"], env, "bench-gateway"),
    ):
        base = f"http://127.0.0.1:{gateway_port}"
        # Only the visitor service runs, so not /readyz; starting takes longer under load.
        wait_http(f"{base}/healthz", timeout=STARTUP_SECONDS)
        with httpx.Client(base_url=base, headers=headers, timeout=10) as api:
            wait_http(f"{base}/sites/{site}/in-building", STARTUP_SECONDS, headers)
            now = datetime.now(UTC)
            for i in range(SAMPLES + 20):  # the first 20 warm up connections and caches
                visit_id = api.post(
                    f"/sites/{site}/visits/pre-registrations",
                    json={"visitor_name": f"Bench {i}", "host_unit": "1A", "host_name": "H",
                          "purpose": "bench", "expected_from": now.isoformat(),
                          "expected_until": (now + timedelta(hours=8)).isoformat()},
                ).json()["visit_id"]  # fmt: skip
                started = time.perf_counter()
                api.post(f"/sites/{site}/visits/{visit_id}/check-in", json={}).raise_for_status()
                acknowledged = time.perf_counter()
                while True:
                    polled = time.perf_counter()
                    listed = api.get(f"/sites/{site}/in-building").json()
                    if any(v["visit_id"] == visit_id for v in listed):
                        break
                    time.sleep(0.001)
                seen = time.perf_counter()
                api.post(f"/sites/{site}/visits/{visit_id}/check-out").raise_for_status()
                if i >= 20:
                    command.append((acknowledged - started) * 1000)
                    visible.append((seen - started) * 1000)
                    poll.append((seen - polled) * 1000)
    return {
        "samples": len(visible),
        "checkin_to_visible_ms_p50": round(statistics.median(visible), 1),
        "checkin_to_visible_ms_p99": round(percentile(visible, 0.99), 1),
        "checkin_to_visible_ms_max": round(max(visible), 1),
        "checkin_to_visible_over_200ms": sum(1 for ms in visible if ms > 200),
        "checkin_command_ms_p50": round(statistics.median(command), 1),
        "checkin_command_ms_p99": round(percentile(command, 0.99), 1),
        "finding_poll_ms_p50": round(statistics.median(poll), 1),
        "finding_poll_ms_p99": round(percentile(poll, 0.99), 1),
    }
