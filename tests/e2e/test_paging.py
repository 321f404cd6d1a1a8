"""The long lists page (contracts.methods.Page): the work-order board, the mail register
and the visitor log answer `limit` rows after `offset`, in the list's own order, and
refuse a limit outside 1..500 as a 422 naming it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import bearer, eventually, problem

SITE = uuid4()
DESK = bearer(Role.RECEPTIONIST, [SITE])
ITEMS = 5


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=20, headers=DESK) as client:
        yield client


def _repairs(api: httpx.Client) -> tuple[str, dict[str, str]]:
    for n in range(ITEMS):
        body = {"source": "tenant_phone", "category": "plumbing", "location": f"{n}F",
                "content": f"leak {n}", "reporter": "Amy (front desk)"}  # fmt: skip
        assert api.post(f"/sites/{SITE}/repairs", json=body).status_code == 201
    return f"/sites/{SITE}/work-orders", {}


def _mail(api: httpx.Client) -> tuple[str, dict[str, str]]:
    for n in range(ITEMS):
        body = {"kind": "letter", "addressed_to": f"Room {n}, no unit written"}
        assert api.post(f"/sites/{SITE}/mail/items", json=body).status_code == 201
    return f"/sites/{SITE}/mail/register", {}


def _visits(api: httpx.Client) -> tuple[str, dict[str, str]]:
    for n in range(ITEMS):
        body = {"visitor_name": f"Visitor {n}", "host_unit": "8B", "host_name": "Wang Wu",
                "purpose": "interview", "id_checked": True, "id_type": "id_card"}  # fmt: skip
        visit = api.post(f"/sites/{SITE}/visits", json=body)
        assert visit.status_code == 201, visit.text
    registered = datetime.fromisoformat(visit.json()["registered_at"])
    day = registered.astimezone(ZoneInfo("Asia/Shanghai")).date()  # the default site zone
    return f"/sites/{SITE}/visit-log", {"date": day.isoformat()}


LISTS: dict[str, Callable[[httpx.Client], tuple[str, dict[str, str]]]] = {
    "board": _repairs, "register": _mail, "visit-log": _visits,
}  # fmt: skip


@pytest.mark.parametrize("make", LISTS.values(), ids=LISTS.keys())
def test_pages_cover_the_list_in_its_order(
    api: httpx.Client, make: Callable[[httpx.Client], tuple[str, dict[str, str]]]
) -> None:
    path, params = make(api)

    def get(**page: Any) -> list[dict]:
        response = api.get(path, params={**params, **page})
        assert response.status_code == 200, response.text
        return response.json()

    whole = eventually(get, lambda rows: len(rows) >= ITEMS)
    assert len(whole) == ITEMS
    pages = [get(limit=2, offset=offset) for offset in range(0, ITEMS + 1, 2)]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [row for page in pages for row in page] == whole
    assert get(limit=500, offset=ITEMS) == []

    for field, value in (("limit", 0), ("limit", 501), ("offset", -1), ("limit", "all")):
        refused = problem(api.get(path, params={**params, field: value}))
        assert refused.status == 422 and refused.names(f"query.{field}"), (field, value)
