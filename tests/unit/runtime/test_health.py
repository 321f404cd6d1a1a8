"""Readiness rules: what makes a service degraded or unavailable, and the gateway's /readyz."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from contracts.methods import Method
from runtime.errors import ServiceUnavailable
from runtime.health import ProjectionHealth, ServiceHealth
from services.gateway.app import create_app

CHECKED = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def healthy(name: str = "visitor_read_model", **changes: Any) -> ProjectionHealth:
    fields: dict[str, Any] = {"running": True, "kafka": "ok", "database": "ok",
                              "lag": {"t/0": 3}, "checked_at": CHECKED}  # fmt: skip
    return ProjectionHealth(name, **{**fields, **changes})


def report(*projections: ProjectionHealth) -> dict[str, Any]:
    return ServiceHealth("visitor", list(projections), lag_threshold=100).report()


def test_a_service_whose_projections_are_well_is_ready() -> None:
    answer = report(healthy(), healthy("mail_tenant_notices"))
    assert answer["status"] == "ready" and answer["problems"] == []
    assert answer["kafka"] == "ok" and answer["database"] == "ok"
    assert answer["projections"][0]["lag"] == 3 and not answer["projections"][0]["lagging"]


def test_unresolved_dead_letters_degrade_it_naming_the_read_model_and_how_many() -> None:
    answer = report(healthy(dead_letters={"apply_error": 1, "blocked": 2}))
    assert answer["status"] == "degraded"
    assert answer["problems"] == [
        "visitor_read_model has 3 unresolved dead letter(s): 1 apply_error, 2 blocked"
    ]
    assert answer["projections"][0]["dead_letters"] == 3


def test_lag_past_the_threshold_kafka_unreachable_or_a_stopped_runner_degrade_it() -> None:
    assert report(healthy(lag={"t/0": 60, "t/1": 41}))["problems"] == [
        "visitor_read_model is 101 messages behind (threshold 100)"
    ]
    assert report(healthy(lag={"t/0": 100}))["status"] == "ready"
    assert report(healthy(kafka="unreachable"))["kafka"] == "unreachable"
    assert report(healthy(kafka="unreachable"))["status"] == "degraded"
    assert report(healthy(running=False))["problems"] == ["visitor_read_model is not running"]
    assert report(healthy(checked_at=None))["problems"] == ["visitor_read_model is starting"]


def test_a_database_that_does_not_answer_makes_it_unavailable() -> None:
    answer = report(healthy(), healthy("other", database="unreachable"))
    assert answer["status"] == "unavailable" and answer["database"] == "unreachable"


@pytest.fixture(autouse=True)
def local_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    # The gateway refuses its built-in token secret unless told this is a local/dev run.
    monkeypatch.setenv("JWT_ALLOW_DEV_SECRET", "true")


class FakeService:
    """Answers `Ping` with a report of the given status and problems."""

    def __init__(self, answer: dict[str, Any] | Exception) -> None:
        self.answer = answer

    async def __call__(self, method: Method[Any, Any], request: Any, call: Any = None) -> Any:
        assert method.name == "Ping"
        if isinstance(self.answer, Exception):
            raise self.answer
        report = {"service": method.service, "time": CHECKED, "kafka": "ok", "database": "ok",
                  "projections": [], **self.answer}  # fmt: skip
        return method.answer.validate_python(report)

    async def close(self) -> None:
        return None


async def readyz(**answers: dict[str, Any] | Exception) -> httpx.Response:
    app = create_app()
    ready = {"status": "ready", "problems": []}
    names = ("visitor", "workorder", "billing", "feedback", "mail", "tenancy")
    app.state.services = {n: FakeService(answers.get(n, ready)) for n in names}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as c:
        return await c.get("/readyz")


async def test_readyz_is_ready_when_every_service_is() -> None:
    response = await readyz()
    assert response.status_code == 200 and response.json()["status"] == "ready"


async def test_readyz_stays_200_but_says_degraded_and_why() -> None:
    visitor = {"status": "degraded", "problems": ["visitor_read_model has 1 unresolved dead letter(s): 1 apply_error"]}  # fmt: skip
    response = await readyz(visitor=visitor)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["problems"] == [
        "visitor: visitor_read_model has 1 unresolved dead letter(s): 1 apply_error"
    ]
    shown = response.json()["services"]["visitor"]
    assert {key: shown[key] for key in visitor} == visitor


async def test_readyz_is_503_when_a_service_is_down_or_its_database_is() -> None:
    down = await readyz(mail=ServiceUnavailable("the mail service is not answering"))
    assert down.status_code == 503 and down.json()["status"] == "unavailable"
    assert "mail: the mail service is not answering" in down.json()["detail"]
    no_database = {"status": "unavailable", "problems": ["x cannot reach PostgreSQL"]}
    assert (await readyz(billing=no_database)).status_code == 503
