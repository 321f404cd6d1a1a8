"""Tokens at the gateway: who is refused before any service is asked."""

from __future__ import annotations

import time
from uuid import uuid4

import httpx
import jwt
import pytest

from runtime.auth import DEV_SECRET, Role, UnsafeTokenSecret
from services.gateway.app import create_app
from tests.helpers import CONFIG, bearer, gateway_settings, problem

SITE = uuid4()


def test_the_gateway_refuses_to_start_with_the_built_in_secret() -> None:
    with pytest.raises(UnsafeTokenSecret, match="JWT_ALLOW_DEV_SECRET"):
        create_app(gateway_settings(jwt_allow_dev_secret=False))
    with pytest.raises(UnsafeTokenSecret, match="32 bytes"):
        create_app(gateway_settings(jwt_secret="too-short"))
    create_app(gateway_settings(jwt_secret="x" * 32, jwt_allow_dev_secret=False))
    create_app(gateway_settings(jwt_secret=DEV_SECRET, jwt_allow_dev_secret=True))


@pytest.mark.parametrize("path", ["/group/billing/arrears", "/group/complaint-statistics"])
async def test_a_bi_token_for_one_site_reads_no_group_roll_up(
    gateway: httpx.AsyncClient, path: str
) -> None:
    response = await gateway.get(path, headers=bearer(Role.BI, [SITE]))
    assert response.status_code == 403
    assert problem(response).kind == "forbidden"


async def test_a_site_supervisor_cannot_add_a_group_wide_watchlist_entry(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.post(
        f"/sites/{SITE}/watchlist",
        json={"name": "Oscar", "reason": "banned", "scope": "group"},
        headers=bearer(Role.CS_SUPERVISOR, [SITE]),
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "claims",
    [{"sites": 5}, {"sites": [5]}, {"sites": [{"id": 1}]}, {"role": "king"}, {"sub": 7},
     {"exp": "4102444800"}, {"exp": [1]}, {"iat": None}, {"exp": 4102444800}],
    ids=["sites-int", "sites-int-list", "sites-obj-list", "role", "sub", "exp-string",
         "exp-list", "no-iat", "lifetime"],
)  # fmt: skip
async def test_a_malformed_token_is_401_with_the_error_shape(
    gateway: httpx.AsyncClient, claims: dict
) -> None:
    now = int(time.time())
    token = jwt.encode(
        {"sub": "amy", "role": "receptionist", "sites": [str(SITE)], "iss": CONFIG.issuer,
         "aud": CONFIG.audience, "iat": now, "exp": now + 60, **claims},
        CONFIG.secret, algorithm="HS256",
    )  # fmt: skip
    response = await gateway.get(
        f"/sites/{SITE}/in-building", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert problem(response).kind == "unauthenticated"
