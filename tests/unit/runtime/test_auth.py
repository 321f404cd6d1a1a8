from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import jwt
import pytest

from runtime.auth import DEV_SECRET, Principal, Role, TokenConfig, UnsafeTokenSecret, mint, verify
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


def signed(**claims: object) -> str:
    """A token with exactly `claims` over valid iss/aud/iat/exp, signed with CONFIG."""
    now = int(time.time())
    base = {"sub": "amy", "role": "receptionist", "sites": [], "iss": CONFIG.issuer,
            "aud": CONFIG.audience, "iat": now, "exp": now + 600}  # fmt: skip
    return jwt.encode({**base, **claims}, CONFIG.secret, algorithm="HS256")


def without(claim: str) -> str:
    now = int(time.time())
    base = {"sub": "amy", "role": "receptionist", "sites": [], "iss": CONFIG.issuer,
            "aud": CONFIG.audience, "iat": now, "exp": now + 600}  # fmt: skip
    del base[claim]
    return jwt.encode(base, CONFIG.secret, algorithm="HS256")


@pytest.mark.parametrize(
    "token",
    [
        signed(sites="5a1e0000-0000-4000-8000-00000000000a"),
        signed(sites=5),
        signed(sites=[5]),
        signed(sites=[{"id": "x"}]),
        signed(sites={"a": 1}),
        signed(role="king"),
        signed(role=["group_admin"]),
        signed(role=None),
        signed(sub=5),
        signed(sub=["amy"]),
        signed(sub="amy\x00"),
        signed(sub=""),
        signed(scope=7),
        signed(exp="4102444800"),
        signed(exp=True),
        signed(exp=[1]),
        signed(exp={"at": 1}),
        signed(iat="0"),
        without("iat"),
        without("role"),
        "eyJhbGciOiJIUzI1NiJ9.WzFd.x",
    ],
    ids=["sites-str", "sites-int", "sites-int-list", "sites-obj-list", "sites-obj",
         "role-unknown", "role-list", "role-null", "sub-int", "sub-list", "sub-nul",
         "sub-empty", "scope-int", "exp-string", "exp-bool", "exp-list", "exp-obj",
         "iat-string", "no-iat", "no-role", "payload-not-object"],
)  # fmt: skip
def test_a_malformed_claim_is_unauthenticated_never_a_crash(token: str) -> None:
    with pytest.raises(Unauthenticated):
        verify(CONFIG, token)


def test_exp_and_iat_may_be_any_json_number() -> None:
    now = time.time()
    assert verify(CONFIG, signed(iat=now - 1.5, exp=now + 60.25)).subject == "amy"


@pytest.mark.parametrize(
    ("iat_offset", "exp_offset"),
    [(0, 12 * 3600 + 60), (-24 * 3600, 3600), (3600, 4000), (0, 10**12)],
    ids=["ttl-over-cap", "old-iat-long-life", "issued-in-future", "exp-far-future"],
)
def test_token_lifetime_is_capped(iat_offset: int, exp_offset: int) -> None:
    now = int(time.time())
    with pytest.raises(Unauthenticated):
        verify(CONFIG, signed(iat=now + iat_offset, exp=now + exp_offset))


def test_the_lifetime_cap_is_a_setting() -> None:
    short = replace(CONFIG, max_lifetime=timedelta(minutes=5))
    token = mint(short, subject="a", role=Role.RECEPTIONIST, sites=[], ttl=timedelta(minutes=10))
    verify(CONFIG, token)
    with pytest.raises(Unauthenticated):
        verify(short, token)


def test_a_bi_token_for_one_site_is_not_group_wide() -> None:
    site = uuid4()
    bi = verify(CONFIG, mint(CONFIG, subject="bi", role=Role.BI, sites=[site]))
    assert not bi.group_wide
    bi.require_site(site)
    with pytest.raises(Forbidden):
        bi.require_group()
    with pytest.raises(Forbidden):
        bi.require_site(uuid4())


def test_group_admins_and_bi_with_the_group_scope_are_group_wide() -> None:
    group_bi = verify(CONFIG, mint(CONFIG, subject="bi", role=Role.BI, sites=[], group_scope=True))
    admin = verify(CONFIG, mint(CONFIG, subject="boss", role=Role.GROUP_ADMIN, sites=[]))
    for who in (group_bi, admin):
        assert who.group_wide
        who.require_group()
        who.require_site(uuid4())
    # The scope may come as an OAuth scope string or list from an identity provider.
    assert verify(CONFIG, signed(role="bi", scope="openid group")).group_wide
    assert verify(CONFIG, signed(role="bi", scope=["group"])).group_wide


def test_the_group_scope_makes_only_bi_tokens_group_wide() -> None:
    desk = verify(CONFIG, signed(role="receptionist", scope="group"))
    assert not desk.group_wide
    with pytest.raises(Forbidden):
        desk.require_group()


def test_the_built_in_secret_is_refused_unless_dev_mode_allows_it() -> None:
    dev = TokenConfig(DEV_SECRET, "concierge-local", "concierge")
    with pytest.raises(UnsafeTokenSecret):
        dev.refuse_unsafe_secret(dev_secret_allowed=False)
    dev.refuse_unsafe_secret(dev_secret_allowed=True)
    with pytest.raises(UnsafeTokenSecret):
        TokenConfig("short", "i", "a").refuse_unsafe_secret(dev_secret_allowed=True)
    CONFIG.refuse_unsafe_secret(dev_secret_allowed=False)
    # With a JWKS URL the HS256 secret is never used.
    replace(dev, jwks_url="https://idp.example/jwks").refuse_unsafe_secret(dev_secret_allowed=False)
