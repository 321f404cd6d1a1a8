"""The staff console in-process: its session cookie, CSRF, sign-in through a stub
identity provider (authorization code + PKCE), the catalogs the pages need, the
navigation's operations, and the live boards' sharing of one poller per board."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from runtime.auth import Role
from services.gateway.app import ROUTERS
from services.gateway.console import catalogs, navigation
from services.gateway.console.live import BOARDS, LiveBoards
from services.gateway.console.session import SessionCookies
from tests.helpers import CONFIG, gateway_settings, problem, token
from tests.infra import free_port
from tests.unit.gateway.conftest import client_of

STATIC = Path(__file__).resolve().parents[3] / "services/gateway/console/static"
SITE = uuid4()


@pytest.fixture(scope="module")
async def console() -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_of(gateway_settings(console_demo_users=True)):
        yield client


async def sign_in(client: httpx.AsyncClient, login: str = "wang.fang") -> dict[str, Any]:
    client.cookies.clear()
    response = await client.post(
        "/console/session", json={"login": login, "password": "concierge-demo"}
    )
    assert response.status_code == 200, response.text
    return (await client.get("/console/me")).json()


async def test_a_cookie_signed_with_another_key_is_refused(console: httpx.AsyncClient) -> None:
    await sign_in(console)
    forged = SessionCookies("another key", 3600)._serializer.dumps(
        {"sub": "x", "role": "group_admin", "sites": [], "group": False, "name": "x", "csrf": "c"}
    )
    console.cookies.set("concierge_session", forged)
    assert problem(await console.get(f"/sites/{SITE}/in-building")).status == 401


async def test_a_change_with_the_cookie_but_without_its_csrf_token_is_refused(
    console: httpx.AsyncClient,
) -> None:
    me = await sign_in(console)
    site = me["sites"][0]["id"]
    refused = await console.post(f"/sites/{site}/repairs", json={})
    assert problem(refused).status == 403
    wrong = await console.post(f"/sites/{site}/repairs", json={}, headers={"X-CSRF-Token": "x"})
    assert problem(wrong).status == 403
    # With its token the request reaches the service (none runs here: 503, not 403).
    sent = await console.post(f"/sites/{site}/repairs", json={},
                              headers={"X-CSRF-Token": me["csrf_token"]})  # fmt: skip
    assert problem(sent).status == 503


async def test_demo_sign_in_is_off_unless_configured() -> None:
    async for client in client_of(gateway_settings()):
        response = await client.post("/console/session",
                                     json={"login": "wang.fang", "password": "concierge-demo"})  # fmt: skip
        assert problem(response).status == 404
        assert (await client.get("/console/sign-in/options")).json() == {
            "demo": False,
            "oidc": False,
        }


async def test_sign_in_from_another_origin_is_refused(console: httpx.AsyncClient) -> None:
    response = await console.post("/console/session",
                                  json={"login": "wang.fang", "password": "concierge-demo"},
                                  headers={"Origin": "http://attacker.example"})  # fmt: skip
    assert problem(response).status == 403


def test_every_message_the_pages_use_has_a_chinese_translation() -> None:
    """A label, title, button or empty-list text in the scripts, a field or value they
    name, a role: each is a msgid of the zh-CN catalog."""
    scripts = "\n".join(p.read_text() for p in STATIC.rglob("js/**/*.js"))
    scripts += (STATIC / "js/app.js").read_text()
    texts = set()
    for pattern in (r'\bt\("([^"$]+)"\)', r'(?:panel|Panel|action|chart)\("([^"]+)"',
                    r'(?:title|submit): "([^"]+)"', r'\["GET [^"]+", "([^"]+)"',
                    r', "((?:No|Nobody) [^"]+)"\)', r'\b[a-z]+: "([A-Z][a-z][^"]+)"'):  # fmt: skip
        texts.update(re.findall(pattern, scripts))
    fields = {f"field:{n}" for n in re.findall(r'name: "([a-z_.]+)"', scripts)}
    fields |= {f"field:{n}" for n in re.findall(r'\[\["?([a-z_]+)"', scripts)}
    values = {f"value:{v}" for v in re.findall(r'options: \[([^\]]+)\]', scripts)
              for v in re.findall(r'"([a-z_]+)"', v)}  # fmt: skip
    roles = {f"role:{role.value}" for role in Role}
    zh = catalogs.catalog("zh-CN")
    own_names = {"English"}  # a language is named in itself in the language picker
    missing = sorted(m for m in (texts | fields | values | roles) - own_names if m not in zh)
    assert missing == []
    for msgid in texts - own_names:
        assert re.search(r"[\u4e00-\u9fff]", zh[msgid]) or "%" in zh[msgid], msgid


def test_the_english_catalog_names_every_prefixed_key() -> None:
    """English is the msgid itself, except keys such as `field:visitor_name`."""
    zh, en = catalogs.catalog("zh-CN"), catalogs.catalog("en")
    assert sorted(k for k in zh if ":" in k and k not in en) == []


def test_every_screen_and_board_names_operations_that_exist() -> None:
    """A route renamed under the console would hide a screen silently: every operation the
    navigation and the boards need is one the API serves with an access rule."""
    every = (
        navigation.operations(ROUTERS, _principal(Role.GROUP_ADMIN))
        | navigation.operations(ROUTERS, _principal(Role.CASHIER))
        | navigation.operations(ROUTERS, _principal(Role.DISPATCHER))
    )
    needed = {op for s in navigation.SCREENS for op in (*s.needs, *s.any_of)}
    needed |= {board.operation for board in BOARDS.values()}
    assert sorted(needed - every) == []


def _principal(role: Role) -> Any:
    from runtime.auth import Principal

    return Principal("someone", role, frozenset({SITE}))


class CountingService:
    """A stand-in service that counts the queries it answers."""

    def __init__(self) -> None:
        self.calls = 0
        self.rows: list[Any] = []

    async def __call__(self, method: Any, request: Any, call: Any) -> Any:
        self.calls += 1
        return list(self.rows)


async def test_viewers_of_one_board_share_one_poller_that_stops_with_the_last() -> None:
    service = CountingService()
    boards = LiveBoards({"visitor": service}, interval=0.01)  # type: ignore[dict-item]
    streams = [boards.stream(SITE, ["in_building"]) for _ in range(50)]
    for stream in streams:
        assert await anext(stream) == "retry: 2000\n\n"
    firsts = await asyncio.gather(*(anext(stream) for stream in streams))
    assert set(firsts) == {"event: in_building\ndata: []\n\n"}
    assert boards.watched() == 1  # fifty viewers, one poller
    before = service.calls
    await asyncio.sleep(0.2)
    polls = service.calls - before
    assert 0 < polls < 50  # one query per interval, not one per viewer
    for stream in streams:
        await stream.aclose()
    assert boards.watched() == 0


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[dict[str, Any]]:
    """A stub OpenID provider's token endpoint: it redeems the code `good` once the PKCE
    verifier matches the challenge the test hands it, with a token for `cs_rep`."""
    state: dict[str, Any] = {"challenge": None}
    idp = FastAPI()

    @idp.post("/token")
    async def redeem(request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if form.get("code") != "good" or challenge != state["challenge"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        return JSONResponse({"access_token": token(Role.CS_REP, [SITE]), "token_type": "Bearer"})

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(idp, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    state["url"] = f"http://127.0.0.1:{port}"
    yield state
    server.should_exit = True
    thread.join(10)


async def test_sign_in_through_the_identity_provider_with_pkce(
    identity_provider: dict[str, Any],
) -> None:
    settings = gateway_settings(
        oidc_authorization_url="https://idp.example/authorize",
        oidc_token_url=f"{identity_provider['url']}/token",
        oidc_client_id="concierge-console",
    )
    async for client in client_of(settings):
        start = await client.get("/console/oidc/start")
        assert start.status_code == 303
        query = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
        assert query["code_challenge_method"] == "S256" and query["response_type"] == "code"
        assert query["redirect_uri"].endswith("/console/oidc/callback")
        identity_provider["challenge"] = query["code_challenge"]

        wrong_state = await client.get("/console/oidc/callback",
                                       params={"code": "good", "state": "forged"})  # fmt: skip
        assert problem(wrong_state).status == 401
        refused = await client.get("/console/oidc/callback",
                                   params={"code": "bad", "state": query["state"]})  # fmt: skip
        assert problem(refused).status == 401

        back = await client.get("/console/oidc/callback",
                                params={"code": "good", "state": query["state"]})  # fmt: skip
        assert back.status_code == 303 and back.headers["location"] == "/console"
        assert "HttpOnly" in back.headers["set-cookie"]
        me = (await client.get("/console/me")).json()
        assert me["role"] == "cs_rep" and me["subject"] == f"test-{Role.CS_REP.value}"
        assert "complaints" in me["screens"] and "cashier" not in me["screens"]
        assert CONFIG.issuer  # the token was verified with the gateway's own settings
