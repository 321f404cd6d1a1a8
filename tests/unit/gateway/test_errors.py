"""Error hygiene at the gateway: any input is a small 4xx naming the field, never a 5xx."""

from __future__ import annotations

import json
from uuid import uuid4

import httpx
import pytest

from runtime.auth import Role
from tests.helpers import Problem, bearer, problem

SITE = uuid4()
DESK = {**bearer(Role.RECEPTIONIST, [SITE]), "Content-Type": "application/json"}
ACCOUNTANT = {**bearer(Role.ACCOUNTANT, [SITE]), "Content-Type": "application/json"}
WALK_IN = f"/sites/{SITE}/visits"
MiB = 1024 * 1024


def walk_in(**fields: str) -> str:
    """A walk-in's JSON with raw JSON text spliced in for `fields` (not Python values)."""
    body = {"visitor_name": '"Zhang San"', "host_unit": '"8B"', "host_name": '"Wang Wu"',
            "purpose": '"interview"', "id_checked": "true", **fields}  # fmt: skip
    return "{" + ", ".join(f'"{k}": {v}' for k, v in body.items()) + "}"


def assert_small_error(response, status: int, loc: list | None = None) -> Problem:  # type: ignore[no-untyped-def]
    """A small problem-details body; `loc` the location of its first field (`["body"]`:
    the whole body, `[]`: no field at all)."""
    assert response.status_code == status, response.text[:500]
    assert len(response.content) < 4096
    error = problem(response)
    if loc == []:
        assert error.fields == []
    elif loc is not None:
        assert error.fields[0] == (".".join(map(str, loc[1:])) or None)
    return error


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ("NaN", ["body"]),
        ("Infinity", ["body"]),
        ("1e309", ["body"]),
        ('"\\ud800"', ["body"]),
        (walk_in(visitor_name="NaN"), ["body", "visitor_name"]),
        (walk_in(visitor_name="1e309"), ["body", "visitor_name"]),
        (walk_in(visitor_name='"\\ud800"'), ["body", "visitor_name"]),
        (walk_in(visitor_name='"a\\udfffb"'), ["body", "visitor_name"]),
        (walk_in(id_checked="-Infinity"), ["body", "id_checked"]),
        (walk_in(party_size="NaN"), ["body", "party_size"]),
        (walk_in(party_size="1e309"), ["body", "party_size"]),
        (walk_in(party_size="9" * 5000), None),
    ],
    ids=["nan", "infinity", "1e309", "lone-surrogate", "name-nan", "name-1e309",
         "name-surrogate", "name-inner-surrogate", "bool-infinity", "int-nan", "int-1e309",
         "int-5000-digits"],
)  # fmt: skip
async def test_non_json_numbers_and_lone_surrogates_are_4xx(
    gateway: httpx.AsyncClient, body: str, loc: list | None
) -> None:
    response = await gateway.post(WALK_IN, content=body.encode(), headers=DESK)
    assert 400 <= response.status_code < 500, response.text[:500]
    assert_small_error(response, response.status_code, loc)


async def test_a_422_never_echoes_the_input(decoding_gateway: httpx.AsyncClient) -> None:
    huge = "x" * (MiB - 1000)
    response = await decoding_gateway.post(
        WALK_IN, content=walk_in(visitor_name=f'"{huge}"'), headers=DESK
    )
    error = assert_small_error(response, 422, ["body", "visitor_name"])
    assert "xxxxxxxxxx" not in response.text and "input" not in error.body


async def test_a_callers_key_in_a_location_is_truncated(gateway: httpx.AsyncClient) -> None:
    key = "\\ud800" + "k" * 100_000
    body = '{"period": "2030-01", "readings": {"' + key + '": "1.000"}}'
    response = await gateway.put(
        f"/sites/{SITE}/billing/water-readings", content=body, headers=ACCOUNTANT
    )
    error = assert_small_error(response, 422)
    field = error.fields[0] or ""
    assert field.startswith("readings.")
    assert all(len(part) <= 60 for part in field.split("."))


async def test_many_errors_are_cut_to_a_few(decoding_gateway: httpx.AsyncClient) -> None:
    units = [{"unit": "", "area_m2": "-1"} for _ in range(5000)]
    response = await decoding_gateway.put(
        f"/sites/{SITE}/billing/units", json={"units": units}, headers=ACCOUNTANT
    )
    assert response.status_code == 422
    assert len(problem(response).fields) <= 10 and len(response.content) < 4096


async def test_a_body_past_the_limit_is_413(gateway: httpx.AsyncClient) -> None:
    body = walk_in(purpose=f'"{"p" * (MiB + 10)}"').encode()
    response = await gateway.post(WALK_IN, content=body, headers=DESK)
    assert assert_small_error(response, 413).kind == "content_too_large"


async def test_a_streamed_body_past_the_limit_is_413(gateway: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"visitor_name": "'
        for _ in range(20):
            yield b"n" * (128 * 1024)
        yield b'"}'

    response = await gateway.post(WALK_IN, content=chunks(), headers=DESK)  # chunked: no length
    assert_small_error(response, 413)


async def test_the_bulk_registers_take_more_than_the_default_limit(
    gateway: httpx.AsyncClient,
) -> None:
    units = [{"unit": f"U{i:06d}", "area_m2": "85.50"} for i in range(60_000)]  # ~2.4 MB
    body = json.dumps({"units": units}).encode()
    assert len(body) > 2 * MiB
    response = await gateway.put(f"/sites/{SITE}/billing/units", content=body, headers=ACCOUNTANT)
    # Past the body limit and validation: the (absent) billing service is asked.
    assert response.status_code == 503, response.text[:300]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/no-such-page", 404), ("DELETE", WALK_IN, 405)],
)
async def test_framework_errors_keep_the_error_shape(
    gateway: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    assert_small_error(await gateway.request(method, path, headers=DESK), status, [])


async def test_malformed_json_is_422_at_the_body(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post(WALK_IN, content=b'{"visitor_name": ', headers=DESK)
    assert assert_small_error(response, 422).kind == "invalid"
