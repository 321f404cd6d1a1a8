from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import jwt
import pytest

from runtime.auth import Principal, Role, TokenConfig, mint, verify
from runtime.errors import Forbidden, Unauthenticated

CONFIG = TokenConfig(secret="s" * 32, issuer="concierge-test", audience="concierge")


def test_a_valid_token_gives_role_and_sites() -> None:
    site = uuid4()
    who = verify(CONFIG, mint(CONFIG, subject="amy", role=Role.RECEPTIONIST, sites=[site]))
    assert who == Principal("amy", Role.RECEPTIONIST, frozenset({site}))


@pytest.mark.parametrize(
    "token",
    [
        mint(CONFIG, subject="a", role=Role.RECEPTIONIST, sites=[], ttl=timedelta(seconds=-5)),
        mint(TokenConfig("x" * 32, "concierge-test", "concierge"), subject="a",
             role=Role.RECEPTIONIST, sites=[]),
        mint(TokenConfig("s" * 32, "other-issuer", "concierge"), subject="a",
             role=Role.RECEPTIONIST, sites=[]),
        mint(TokenConfig("s" * 32, "concierge-test", "other-aud"), subject="a",
             role=Role.RECEPTIONIST, sites=[]),
        jwt.encode({"sub": "a", "role": "receptionist"}, "s" * 32, algorithm="HS256"),
        "not-a-token",
    ],
    ids=["expired", "forged", "wrong-issuer", "wrong-audience", "no-exp", "garbage"],
)  # fmt: skip
def test_anything_else_is_unauthenticated(token: str) -> None:
    with pytest.raises(Unauthenticated):
        verify(CONFIG, token)


def test_alg_none_is_refused() -> None:
    token = jwt.encode(
        {"sub": "a", "role": "group_admin", "iss": "concierge-test", "aud": "concierge",
         "exp": 4102444800}, key=None, algorithm="none",
    )  # fmt: skip
    with pytest.raises(Unauthenticated):
        verify(CONFIG, token)


def test_site_staff_see_only_their_sites_and_group_admins_all() -> None:
    mine, other = uuid4(), uuid4()
    staff = Principal("amy", Role.RECEPTIONIST, frozenset({mine}))
    staff.require_site(mine)
    with pytest.raises(Forbidden):
        staff.require_site(other)
    Principal("boss", Role.GROUP_ADMIN, frozenset()).require_site(other)
