"""The staff console through the gateway: sign-in and the cookie session (HttpOnly,
SameSite, CSRF), navigation by role, the site directory, the live boards over
server-sent events, an export in the reader's language, the security headers."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from runtime.auth import Role
from services.gateway.console.sites import DEMO_SITES
from tests.conftest import Stack
from tests.helpers import bearer, eventually, problem

SHANGHAI, HANGZHOU = DEMO_SITES
TODAY = lambda: datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # noqa: E731
PASSWORD = "concierge-demo"  # the default demo password (CONSOLE_DEMO_PASSWORD)


def signed_in(stack: Stack, login: str) -> tuple[httpx.Client, dict]:
    client = httpx.Client(base_url=stack.base_url, timeout=30)
    response = client.post("/console/session", json={"login": login, "password": PASSWORD})
    assert response.status_code == 200, response.text
    me = client.get("/console/me")
    assert me.status_code == 200, me.text
    return client, me.json()


def walk_in(name: str) -> dict:
    now = datetime.now(UTC)
    return {"visitor_name": name, "host_unit": "12A", "host_name": "Han Meimei",
            "purpose": "meeting", "expected_from": now.isoformat(),
            "expected_until": (now + timedelta(hours=2)).isoformat()}  # fmt: skip


def test_sign_in_sets_an_http_only_same_site_cookie_and_sign_out_clears_it(stack: Stack) -> None:
    client = httpx.Client(base_url=stack.base_url, timeout=30)
    wrong = client.post("/console/session", json={"login": "wang.fang", "password": "nope"})
    assert problem(wrong).status == 401
    assert "set-cookie" not in wrong.headers
    assert problem(client.get("/console/me")).status == 401
    response = client.post("/console/session", json={"login": "wang.fang", "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("concierge_session=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain HTTP here; Secure over HTTPS
    me = client.get("/console/me").json()
    assert me["name"].startswith("王芳") and me["role"] == "receptionist"
    assert me["sites"] == [{"id": str(SHANGHAI), "name": "Shanghai Tower A",
                            "timezone": "Asia/Shanghai"}]  # fmt: skip
    assert "token" not in json.dumps(me).replace("csrf_token", "")
    assert client.post("/console/sign-out").status_code == 200
    assert problem(client.get("/console/me")).status == 401


def test_a_forged_session_cookie_is_refused(stack: Stack) -> None:
    client, _ = signed_in(stack, "wang.fang")
    value = client.cookies["concierge_session"]
    forged = httpx.Client(base_url=stack.base_url, timeout=30,
                          cookies={"concierge_session": value[:-3] + "AAA"})  # fmt: skip
    assert problem(forged.get(f"/sites/{SHANGHAI}/in-building")).status == 401


@pytest.mark.parametrize(
    ("login", "screens"),
    [
        ("wang.fang", ["boards", "frontdesk", "mail", "repairs", "charts"]),
        ("he.ping", ["boards", "cashier", "charts"]),
        ("zhang.wen", ["boards", "frontdesk", "mail", "repairs", "complaints", "charts", "group"]),
    ],
    ids=["receptionist", "cashier", "group-admin"],
)
def test_each_role_sees_only_the_screens_its_rights_allow(
    stack: Stack, login: str, screens: list[str]
) -> None:
    client, me = signed_in(stack, login)
    assert me["screens"] == screens
    site = me["sites"][0]["id"]
    # Every read the screens make answers (none is a 403), and one the role lacks is 403.
    for operation in me["operations"]:
        method, path = operation.split(" ", 1)
        if method == "GET" and "{" not in path and not path.startswith("/group"):
            if path.startswith(("/billing/receivable", "/billing/paid", "/billing/collection")):
                path += "?period=2026-01"
            elif path in ("/visit-log", "/visits-per-host", "/calls-weekly"):
                continue  # need a date
            response = client.get(f"/sites/{site}{path}")
            assert response.status_code != 403, (operation, response.text)
    lacking = {"wang.fang": "/billing/receipts", "he.ping": "/in-building",
               "zhang.wen": None}[login]  # fmt: skip
    if lacking:
        assert f"GET {lacking}" not in me["operations"]
        assert problem(client.get(f"/sites/{site}{lacking}")).status == 403


def test_the_group_admin_picks_among_the_named_sites(stack: Stack) -> None:
    _, me = signed_in(stack, "zhang.wen")
    assert [s["name"] for s in me["sites"]] == ["Hangzhou Park B", "Shanghai Tower A"]
    assert {UUID(s["id"]) for s in me["sites"]} == {SHANGHAI, HANGZHOU}


def test_a_change_with_the_cookie_needs_the_csrf_token_and_the_gateways_origin(
    stack: Stack,
) -> None:
    client, me = signed_in(stack, "wang.fang")
    path = f"/sites/{SHANGHAI}/visits/pre-registrations"
    visitor = f"CSRF {uuid4().hex[:6]}"
    refused = client.post(path, json=walk_in(visitor))
    assert problem(refused).status == 403 and "X-CSRF-Token" in problem(refused).detail
    other_origin = client.post(path, json=walk_in(visitor),
                               headers={"X-CSRF-Token": me["csrf_token"],
                                        "Origin": "http://attacker.example"})  # fmt: skip
    assert problem(other_origin).status == 403
    log = client.get(f"/sites/{SHANGHAI}/visit-log",
                     params={"date": TODAY()})  # fmt: skip
    assert visitor not in log.text  # nothing stored
    accepted = client.post(path, json=walk_in(visitor), headers={"X-CSRF-Token": me["csrf_token"]})
    assert accepted.status_code == 201, accepted.text
    invalid = client.post(path, json={**walk_in(visitor), "party_size": 0},
                          headers={"X-CSRF-Token": me["csrf_token"]})  # fmt: skip
    assert problem(invalid).names("party_size")


def test_bearer_tokens_still_work_without_a_csrf_token(stack: Stack) -> None:
    response = httpx.post(f"{stack.base_url}/sites/{SHANGHAI}/visits/pre-registrations",
                          json=walk_in("Bearer Guest"),
                          headers=bearer(Role.RECEPTIONIST, [SHANGHAI]), timeout=30)  # fmt: skip
    assert response.status_code == 201, response.text


def read_events(client: httpx.Client, url: str, wanted, found: list, stop: threading.Event) -> None:
    with client.stream("GET", url, timeout=60) as stream:
        event = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event:
                data = json.loads(line.removeprefix("data: "))
                if wanted(event, data):
                    found.append(data)
                    stop.set()
                    return


def test_a_check_in_by_another_user_reaches_the_live_board(stack: Stack) -> None:
    viewer, _ = signed_in(stack, "zhou.jie")  # a CS supervisor watches the board
    desk, me = signed_in(stack, "wang.fang")  # the receptionist checks a visitor in
    name = f"Live {uuid4().hex[:6]}"
    found: list = []
    done = threading.Event()
    url = f"/console/live/{SHANGHAI}?boards=in_building,repairs"

    def seen(event: str, rows: list[dict]) -> bool:
        return event == "in_building" and any(r["visitor_name"] == name for r in rows)

    reader = threading.Thread(target=read_events, args=(viewer, url, seen, found, done),
                              daemon=True)  # fmt: skip
    reader.start()
    csrf = {"X-CSRF-Token": me["csrf_token"]}
    visit = desk.post(f"/sites/{SHANGHAI}/visits/pre-registrations", json=walk_in(name),
                      headers=csrf).json()  # fmt: skip
    assert desk.post(f"/sites/{SHANGHAI}/visits/{visit['visit_id']}/check-in", json={},
                     headers=csrf).status_code == 200  # fmt: skip
    assert done.wait(60), "the check-in did not reach the live board"
    assert [r["status"] for r in found[0] if r["visitor_name"] == name] == ["checked_in"]


def test_a_board_the_role_may_not_read_is_refused(stack: Stack) -> None:
    cashier, _ = signed_in(stack, "he.ping")
    response = cashier.get(f"/console/live/{SHANGHAI}?boards=in_building")
    assert problem(response).status == 403
    other_site = cashier.get(f"/console/live/{HANGZHOU}?boards=collection")
    assert problem(other_site).status == 403


def test_the_visitor_log_downloads_with_headers_in_the_readers_language(stack: Stack) -> None:
    client, me = signed_in(stack, "wang.fang")
    visit = client.post(f"/sites/{SHANGHAI}/visits/pre-registrations",
                        json=walk_in("=HYPERLINK(1)"), headers={"X-CSRF-Token": me["csrf_token"]})  # fmt: skip
    assert visit.status_code == 201, visit.text
    day = TODAY()
    eventually(lambda: client.get(f"/sites/{SHANGHAI}/visit-log", params={"date": day}).json(),
               lambda rows: any(r["visit_id"] == visit.json()["visit_id"] for r in rows))  # fmt: skip
    for locale, header in (("zh-CN", "访客姓名"), ("en", "Visitor name")):
        response = client.get(f"/console/exports/{SHANGHAI}/visit-log",
                              params={"date": day, "locale": locale})  # fmt: skip
        assert response.status_code == 200, response.text
        first = response.text.splitlines()[0]
        assert header in first and "visitor_name" not in first
        assert "'=HYPERLINK(1)" in response.text  # the API's cell rules still hold


def test_the_console_pages_carry_the_security_headers(stack: Stack) -> None:
    for path in ("/console", "/console/sign-in", "/console/static/js/app.js"):
        response = httpx.get(f"{stack.base_url}{path}", timeout=30)
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
