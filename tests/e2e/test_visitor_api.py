"""The front desk through the gateway: HTTP -> gRPC -> event store -> Kafka -> read model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from runtime.auth import Role, TokenConfig, mint
from tests.conftest import Stack
from tests.helpers import CONFIG, eventually, problem, stored_events
from tests.helpers import token as make_token
from tests.infra import read_topic

SITE_A, SITE_B = uuid4(), uuid4()


def token(role: Role = Role.RECEPTIONIST, sites: list[UUID] | None = None, **kw) -> str:  # type: ignore[no-untyped-def]
    return make_token(role, [SITE_A] if sites is None else sites, **kw)


@pytest.fixture(scope="module")
def desk(stack: Stack) -> httpx.Client:
    with httpx.Client(
        base_url=stack.base_url, headers={"Authorization": f"Bearer {token()}"}, timeout=10
    ) as client:
        yield client


def preregistration(**overrides: object) -> dict:
    now = datetime.now(UTC)
    return {
        "visitor_name": "Li Lei",
        "visitor_company": "ACME Trading",
        "host_unit": "12A",
        "host_name": "Han Meimei",
        "purpose": "quarterly review",
        "party_size": 2,
        "expected_from": now.isoformat(),
        "expected_until": (now + timedelta(hours=3)).isoformat(),
        **overrides,
    }


def walk_in(**overrides: object) -> dict:
    return {
        "visitor_name": "Zhang San",
        "host_unit": "8B",
        "host_name": "Wang Wu",
        "purpose": "interview",
        "id_checked": True,
        "id_type": "id_card",
        **overrides,
    }


def store_count(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}visitor", "visitor_events"
    )


def in_building(desk: httpx.Client, site: UUID = SITE_A) -> list[dict]:
    response = desk.get(f"/sites/{site}/in-building")
    assert response.status_code == 200, response.text
    return response.json()


def test_pre_registered_visit_from_arrival_to_departure(desk: httpx.Client) -> None:
    created = desk.post(f"/sites/{SITE_A}/visits/pre-registrations", json=preregistration())
    assert created.status_code == 201, created.text
    visit_id = created.json()["visit_id"]
    assert created.json()["status"] == "expected"

    checked_in = desk.post(
        f"/sites/{SITE_A}/visits/{visit_id}/check-in",
        json={"id_checked": True, "id_type": "passport", "id_number": "E12345678"},
    )
    assert checked_in.status_code == 200, checked_in.text
    assert checked_in.json()["status"] == "checked_in"
    assert "id_number" not in checked_in.text and "E12345678" not in checked_in.text

    rows = eventually(
        lambda: in_building(desk), lambda r: any(v["visit_id"] == visit_id for v in r)
    )
    row = next(v for v in rows if v["visit_id"] == visit_id)
    assert row["host_notified_at"] is not None and row["party_size"] == 2

    assert desk.post(f"/sites/{SITE_A}/visits/{visit_id}/check-out").status_code == 200
    eventually(lambda: in_building(desk), lambda r: all(v["visit_id"] != visit_id for v in r))
    day = datetime.fromisoformat(row["checked_in_at"]).astimezone(ZoneInfo("Asia/Shanghai")).date()
    log = desk.get(f"/sites/{SITE_A}/visit-log", params={"date": day.isoformat()}).json()
    assert next(v for v in log if v["visit_id"] == visit_id)["status"] == "checked_out"
    csv = desk.get(f"/sites/{SITE_A}/visit-log", params={"date": day.isoformat(), "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert visit_id in csv.text and csv.text.lstrip("\ufeff").startswith(
        "visit_id,business_date,status"
    )
    per_host = desk.get(f"/sites/{SITE_A}/visits-per-host", params={"date": day.isoformat()})
    assert any(r["host_unit"] == "12A" and r["check_ins"] >= 1 for r in per_host.json())


def test_unannounced_visitor_is_admitted_or_denied_by_the_host(desk: httpx.Client) -> None:
    admitted = desk.post(f"/sites/{SITE_A}/visits", json=walk_in()).json()
    assert admitted["status"] == "awaiting_host"
    response = desk.post(
        f"/sites/{SITE_A}/visits/{admitted['visit_id']}/host-decision", json={"approve": True}
    )
    assert response.json()["status"] == "checked_in"

    refused = desk.post(f"/sites/{SITE_A}/visits", json=walk_in(visitor_name="Zhao Liu")).json()
    response = desk.post(
        f"/sites/{SITE_A}/visits/{refused['visit_id']}/host-decision",
        json={"approve": False, "reason": "not expecting anyone"},
    )
    assert response.json()["status"] == "denied"
    assert response.json()["denial_reason"] == "host declined: not expecting anyone"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/visits/pre-registrations", preregistration(visitor_name="  "), "visitor_name"),
        ("/visits/pre-registrations", preregistration(party_size=0), "party_size"),
        ("/visits/pre-registrations", preregistration(expected_from="2026-11-02T09:00:00"),
         "expected_from"),
        ("/visits/pre-registrations", preregistration(unexpected="x"), "unexpected"),
        ("/visits", walk_in(id_type=None), "body"),
        ("/visits", walk_in(host_unit="12A; DROP TABLE"), "host_unit"),
        ("/phone-messages", {"caller_name": "Chen", "caller_phone": "call me", "reason": "r",
                             "for_unit": "1", "for_person": "X"}, "caller_phone"),
    ],
)  # fmt: skip
def test_invalid_input_is_422_naming_the_field_and_nothing_is_stored(
    desk: httpx.Client, stack: Stack, path: str, body: dict, field: str
) -> None:
    before = store_count(stack)
    response = desk.post(f"/sites/{SITE_A}{path}", json=body)
    assert response.status_code == 422, response.text
    assert problem(response).names(field)
    assert store_count(stack) == before


def test_expected_window_in_the_wrong_order_is_422(desk: httpx.Client, stack: Stack) -> None:
    now = datetime.now(UTC)
    before = store_count(stack)
    response = desk.post(
        f"/sites/{SITE_A}/visits/pre-registrations",
        json=preregistration(
            expected_from=now.isoformat(), expected_until=(now - timedelta(hours=1)).isoformat()
        ),
    )
    assert response.status_code == 422
    assert problem(response).fields[0] == "expected_until"
    assert store_count(stack) == before


def test_check_out_of_a_visitor_not_checked_in_is_409(desk: httpx.Client, stack: Stack) -> None:
    visit_id = desk.post(
        f"/sites/{SITE_A}/visits/pre-registrations", json=preregistration()
    ).json()["visit_id"]
    before = store_count(stack)
    response = desk.post(f"/sites/{SITE_A}/visits/{visit_id}/check-out")
    assert response.status_code == 409
    assert "only a checked-in visitor can check out" in problem(response).detail
    assert store_count(stack) == before


def test_watchlisted_visitor_cannot_check_in(desk: httpx.Client, stack: Stack) -> None:
    supervisor = {"Authorization": f"Bearer {token(Role.CS_SUPERVISOR)}"}
    added = desk.post(
        f"/sites/{SITE_A}/watchlist",
        json={"name": "Mallory Q", "id_number": "X9999999", "reason": "trespass 2026-10"},
        headers=supervisor,
    )
    assert added.status_code == 201, added.text
    before = store_count(stack)
    by_name = desk.post(f"/sites/{SITE_A}/visits", json=walk_in(visitor_name="mallory  q"))
    assert by_name.status_code == 409
    assert "watchlist" in problem(by_name).detail
    # Same ID number under another name, at pre-registered check-in.
    visit_id = desk.post(
        f"/sites/{SITE_A}/visits/pre-registrations", json=preregistration(visitor_name="M. Q.")
    ).json()["visit_id"]
    after_prereg = store_count(stack)
    by_id = desk.post(
        f"/sites/{SITE_A}/visits/{visit_id}/check-in",
        json={"id_checked": True, "id_type": "passport", "id_number": "x999 9999"},
    )
    assert by_id.status_code == 409
    # Each refusal stores its watchlist alert and nothing else: no visit, no check-in.
    assert after_prereg == before + 2 and store_count(stack) == after_prereg + 1
    assert desk.get(f"/sites/{SITE_A}/visits/{visit_id}").json()["status"] == "expected"
    # The front desk itself may not edit the watchlist.
    response = desk.post(f"/sites/{SITE_A}/watchlist", json={"name": "Eve", "reason": "r"})
    assert response.status_code == 403


def test_group_watchlist_applies_to_every_site(stack: Stack) -> None:
    admin = {"Authorization": f"Bearer {token(Role.GROUP_ADMIN, sites=[])}"}
    with httpx.Client(base_url=stack.base_url, headers=admin, timeout=10) as client:
        response = client.post(
            f"/sites/{SITE_B}/watchlist",
            json={"name": "Oscar Group", "reason": "group-wide ban", "scope": "group"},
        )
        assert response.status_code == 201
        for site in (SITE_A, SITE_B):
            blocked = client.post(f"/sites/{site}/visits", json=walk_in(visitor_name="Oscar Group"))
            assert blocked.status_code == 409


def test_overstaying_visitors_are_flagged(desk: httpx.Client) -> None:
    visit = desk.post(f"/sites/{SITE_A}/visits", json=walk_in(visitor_name="Late Larry")).json()
    desk.post(f"/sites/{SITE_A}/visits/{visit['visit_id']}/host-decision", json={"approve": True})
    eventually(
        lambda: in_building(desk), lambda r: any(v["visit_id"] == visit["visit_id"] for v in r)
    )
    supervisor = {"Authorization": f"Bearer {token(Role.CS_SUPERVISOR)}"}
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    flagged = desk.post(
        f"/sites/{SITE_A}/overstays/flag", json={"business_date": tomorrow}, headers=supervisor
    )
    assert flagged.status_code == 200, flagged.text
    assert flagged.json()["flagged"] >= 1
    again = desk.post(
        f"/sites/{SITE_A}/overstays/flag", json={"business_date": tomorrow}, headers=supervisor
    )
    assert again.json()["flagged"] == 0
    assert (
        tomorrow in desk.get(f"/sites/{SITE_A}/visits/{visit['visit_id']}").json()["overstayed_on"]
    )


def test_switchboard_message_is_taken_and_delivered(desk: httpx.Client) -> None:
    taken = desk.post(
        f"/sites/{SITE_A}/phone-messages",
        json={"caller_name": "Chen Jie", "caller_company": "Bank", "caller_phone": "+86 21 5555 0101",
              "reason": "please call back about the lease", "for_unit": "12A",
              "for_person": "Han Meimei"},
    )  # fmt: skip
    assert taken.status_code == 201, taken.text
    message_id = taken.json()["message_id"]
    book = eventually(
        lambda: desk.get(
            f"/sites/{SITE_A}/phone-messages", params={"undelivered_only": True}
        ).json(),
        lambda rows: any(r["message_id"] == message_id for r in rows),
    )
    assert book
    delivered = desk.post(
        f"/sites/{SITE_A}/phone-messages/{message_id}/delivery", json={"acknowledged_by": "Han"}
    )
    assert delivered.status_code == 200
    twice = desk.post(
        f"/sites/{SITE_A}/phone-messages/{message_id}/delivery", json={"acknowledged_by": "Han"}
    )
    assert twice.status_code == 409
    eventually(
        lambda: desk.get(
            f"/sites/{SITE_A}/phone-messages", params={"undelivered_only": True}
        ).json(),
        lambda rows: all(r["message_id"] != message_id for r in rows),
    )


def test_another_sites_token_can_neither_read_nor_change(desk: httpx.Client, stack: Stack) -> None:
    visit_id = desk.post(
        f"/sites/{SITE_A}/visits/pre-registrations", json=preregistration()
    ).json()["visit_id"]
    message_id = desk.post(
        f"/sites/{SITE_A}/phone-messages",
        json={"caller_name": "C", "caller_phone": "13800138000", "reason": "r", "for_unit": "1",
              "for_person": "P"},
    ).json()["message_id"]  # fmt: skip
    other = {"Authorization": f"Bearer {token(sites=[SITE_B])}"}
    day = datetime.now(UTC).date().isoformat()
    attempts = [
        ("GET", f"/sites/{SITE_A}/visits/{visit_id}", None),
        ("POST", f"/sites/{SITE_A}/visits/{visit_id}/check-in", {}),
        ("POST", f"/sites/{SITE_A}/visits/{visit_id}/check-out", None),
        ("POST", f"/sites/{SITE_A}/visits/{visit_id}/deny", {"reason": "x"}),
        ("POST", f"/sites/{SITE_A}/visits/{visit_id}/host-decision", {"approve": True}),
        ("POST", f"/sites/{SITE_A}/visits/pre-registrations", preregistration()),
        ("POST", f"/sites/{SITE_A}/visits", walk_in()),
        ("GET", f"/sites/{SITE_A}/in-building", None),
        ("GET", f"/sites/{SITE_A}/visit-log?date={day}", None),
        ("GET", f"/sites/{SITE_A}/visits-per-host?date={day}", None),
        ("GET", f"/sites/{SITE_A}/phone-messages", None),
        ("POST", f"/sites/{SITE_A}/phone-messages/{message_id}/delivery", {"acknowledged_by": "x"}),
        ("POST", f"/sites/{SITE_A}/phone-messages", {"caller_name": "C", "caller_phone": "13800138000",
                                                      "reason": "r", "for_unit": "1", "for_person": "P"}),
        ("POST", f"/sites/{SITE_A}/watchlist", {"name": "x", "reason": "y"}),
        ("POST", f"/sites/{SITE_A}/overstays/flag", {}),
    ]  # fmt: skip
    before = store_count(stack)
    for method, path, body in attempts:
        response = desk.request(method, path, json=body, headers=other)
        assert response.status_code in (403, 404), (method, path, response.status_code)
    # Site B's own path with site A's ids: the object is simply not there.
    for method, path, body in [
        ("GET", f"/sites/{SITE_B}/visits/{visit_id}", None),
        ("POST", f"/sites/{SITE_B}/visits/{visit_id}/check-in", {}),
        ("POST", f"/sites/{SITE_B}/phone-messages/{message_id}/delivery", {"acknowledged_by": "x"}),
    ]:
        response = desk.request(method, path, json=body, headers=other)
        assert response.status_code == 404, (method, path, response.status_code)
    assert store_count(stack) == before
    assert desk.get(f"/sites/{SITE_A}/visits/{visit_id}").json()["status"] == "expected"


@pytest.mark.parametrize(
    "bad",
    [
        token(ttl=timedelta(seconds=-1)),
        mint(TokenConfig("forged-secret-forged-secret-32b!", CONFIG.issuer, CONFIG.audience),
             subject="x", role=Role.GROUP_ADMIN, sites=[]),
        None,
    ],
    ids=["expired", "forged", "missing"],
)  # fmt: skip
def test_expired_forged_or_missing_token_is_401(stack: Stack, bad: str | None) -> None:
    headers = {"Authorization": f"Bearer {bad}"} if bad else {}
    response = httpx.get(f"{stack.base_url}/sites/{SITE_A}/in-building", headers=headers)
    assert response.status_code == 401


def test_bi_reads_but_cannot_act(stack: Stack) -> None:
    bi = {"Authorization": f"Bearer {token(Role.BI)}"}
    assert httpx.get(f"{stack.base_url}/sites/{SITE_A}/in-building", headers=bi).status_code == 200
    response = httpx.post(f"{stack.base_url}/sites/{SITE_A}/visits", json=walk_in(), headers=bi)
    assert response.status_code == 403


def test_every_event_reached_kafka_once_with_its_envelope(desk: httpx.Client, stack: Stack) -> None:
    import asyncio

    visit_id = desk.post(
        f"/sites/{SITE_A}/visits", json=walk_in(visitor_name="Kafka Kim"),
        headers={"X-Correlation-ID": "corr-e2e-1"},
    ).json()["visit_id"]  # fmt: skip
    desk.post(
        f"/sites/{SITE_A}/visits/{visit_id}/host-decision", json={"approve": True},
        headers={"X-Correlation-ID": "corr-e2e-2"},
    )  # fmt: skip
    topic = f"{stack.infra.namespace}concierge.visitor.v1"

    def mine() -> list:
        messages = asyncio.run(read_topic(stack.infra.kafka, topic))
        return [m for m in messages if m.key == visit_id.encode()]

    messages = eventually(mine, lambda ms: len(ms) >= 3)
    headers = [dict(m.headers) for m in messages]
    assert [h["ce_type"].decode() for h in headers] == [
        "concierge.visitor.VisitorArrived.v1",
        "concierge.visitor.HostNotified.v1",
        "concierge.visitor.VisitorCheckedIn.v1",
    ]
    assert [h["ce_id"].decode() for h in headers] == [f"{visit_id}:{v}" for v in (1, 2, 3)]
    assert [h["correlation_id"] for h in headers] == [b"corr-e2e-1", b"corr-e2e-1", b"corr-e2e-2"]
    assert {h["site"].decode() for h in headers} == {str(SITE_A)}


def test_the_old_dashboard_leads_to_the_console(stack: Stack) -> None:
    """No page asks for a pasted token any more: old bookmarks land on the console."""
    page = httpx.get(f"{stack.base_url}/dashboard")
    assert page.status_code == 308 and page.headers["location"] == "/console"


def test_openapi_lists_the_visitor_endpoints(stack: Stack) -> None:
    spec = httpx.get(f"{stack.base_url}/openapi.json").json()
    assert "/sites/{site_id}/visits/{visit_id}/check-in" in spec["paths"]
    assert "/sites/{site_id}/in-building" in spec["paths"]


def test_gateway_answers_503_when_the_visitor_service_is_down(infra) -> None:  # type: ignore[no-untyped-def]
    from tests.infra import free_port, process, wait_http

    port = free_port()
    env = infra.env(GATEWAY_PORT=str(port), VISITOR_GRPC_TARGET=f"127.0.0.1:{free_port()}",
                    WORKORDER_GRPC_TARGET=f"127.0.0.1:{free_port()}",
                    BILLING_GRPC_TARGET=f"127.0.0.1:{free_port()}",
                    FEEDBACK_GRPC_TARGET=f"127.0.0.1:{free_port()}",
                    MAIL_GRPC_TARGET=f"127.0.0.1:{free_port()}",
                    GRPC_TIMEOUT_SECONDS="1")  # fmt: skip
    with process(["-m", "services.gateway"], env, "gateway-no-backend"):
        wait_http(f"http://127.0.0.1:{port}/healthz")
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 503
        response = httpx.get(
            f"http://127.0.0.1:{port}/sites/{SITE_A}/in-building",
            headers={"Authorization": f"Bearer {token()}"},
            timeout=10,
        )
        assert response.status_code == 503
