"""The correlation id, the duration metric and the page headers every response carries
(services.gateway.correlation), and the dependencies that check the caller."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

import httpx

from runtime.auth import Role
from services.gateway.console import headers as console_headers
from services.gateway.correlation import DOC_PAGES_POLICY, REQUEST_SECONDS
from tests.helpers import bearer, problem

SITE = uuid4()


async def test_the_callers_correlation_id_is_echoed_and_named_in_the_error(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get(
        f"/sites/{SITE}/in-building", headers={"X-Correlation-ID": "corr-unit-1"}
    )
    assert response.status_code == 401
    assert response.headers["x-correlation-id"] == "corr-unit-1"
    assert json.loads(response.content)["correlation_id"] == "corr-unit-1"
    assert problem(response).kind == "unauthenticated"


async def test_without_one_a_new_correlation_id_is_made_and_named_in_the_error(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get(
        f"/sites/{uuid4()}/in-building", headers=bearer(Role.RECEPTIONIST, [SITE])
    )
    assert response.status_code == 403
    made = response.headers["x-correlation-id"]
    assert UUID(made)
    assert json.loads(response.content)["correlation_id"] == made


async def test_a_body_past_the_limit_names_the_correlation_id(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post(
        f"/sites/{SITE}/visits",
        content=b"x" * (2 * 1024 * 1024),
        headers={**bearer(Role.RECEPTIONIST, [SITE]), "X-Correlation-ID": "corr-unit-413",
                 "Content-Type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 413
    assert response.headers["x-correlation-id"] == "corr-unit-413"
    assert json.loads(response.content)["correlation_id"] == "corr-unit-413"


async def test_the_doc_pages_and_the_console_carry_their_security_headers(
    gateway: httpx.AsyncClient,
) -> None:
    docs = await gateway.get("/docs")
    assert docs.headers["content-security-policy"] == DOC_PAGES_POLICY
    console = await gateway.get("/console", follow_redirects=False)
    for name, value in console_headers.HEADERS.items():
        assert console.headers[name] == value
    health = await gateway.get("/healthz")
    assert "content-security-policy" not in health.headers
    assert "x-frame-options" not in health.headers


async def test_each_request_is_timed_under_its_route(gateway: httpx.AsyncClient) -> None:
    route = "/sites/{site_id}/in-building"

    def count() -> float:
        return next(
            sample.value
            for metric in REQUEST_SECONDS.collect()
            for sample in metric.samples
            if sample.name.endswith("_count") and sample.labels == {"method": "GET", "route": route}
        )

    before = count()
    await gateway.get(f"/sites/{SITE}/in-building")
    await gateway.get(f"/sites/{SITE}/in-building")
    assert count() == before + 2
