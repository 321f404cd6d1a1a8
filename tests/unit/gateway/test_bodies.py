"""Bodies are validated as the JSON they are: what the OpenAPI document calls invalid is 422.

Found by schemathesis (negative_data_rejection): pydantic's lax mode took `0` for a
boolean and `false` for an integer, so such requests were stored.
"""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from runtime.auth import Role
from tests.helpers import bearer

SITE = uuid4()
HEADERS = {
    "desk": bearer(Role.RECEPTIONIST, [SITE]),
    "accountant": bearer(Role.ACCOUNTANT, [SITE]),
    "manager": bearer(Role.CS_MANAGER, [SITE]),
}
WALK_IN = {"visitor_name": "Zhang San", "host_unit": "8B", "host_name": "Wang Wu",
           "purpose": "interview"}  # fmt: skip


@pytest.mark.parametrize(
    ("who", "path", "body", "loc"),
    [
        ("desk", "/mail/items", {"kind": "fax", "recipient_unit": "1", "urgent": 0}, "urgent"),
        ("desk", "/mail/items", {"kind": "fax", "recipient_unit": "1", "pages": "2"}, "pages"),
        ("desk", "/mail/items", {"kind": "fax", "recipient_unit": "1", "pages": True}, "pages"),
        ("accountant", "/billing/settings", {"grace_days": False}, "grace_days"),
        ("manager", "/mail/directory", {"entries": [{"unit": "1", "moved_out": 0}]},
         "entries.0.moved_out"),
        ("desk", "/visits", {**WALK_IN, "id_checked": "yes"}, "id_checked"),
        ("desk", "/visits", {**WALK_IN, "party_size": "3"}, "party_size"),
    ],
    ids=["bool-0", "int-string", "int-true", "int-false", "nested-bool-0", "bool-yes",
         "int-string-2"],
)  # fmt: skip
async def test_a_value_of_another_json_type_is_422_naming_the_field(
    gateway: httpx.AsyncClient, who: str, path: str, body: dict, loc: str
) -> None:
    method = "PUT" if path.endswith(("settings", "directory")) else "POST"
    response = await gateway.request(
        method, f"/sites/{SITE}{path}", json=body, headers=HEADERS[who]
    )
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert error["loc"] == ["body", *[int(p) if p.isdigit() else p for p in loc.split(".")]]


async def test_strings_and_numbers_json_has_still_fill_dates_decimals_and_enums(
    gateway: httpx.AsyncClient,
) -> None:
    body = {"units": [{"unit": "101", "area_m2": 85.5, "parking_spaces": 1},
                      {"unit": "102", "area_m2": "120.00"}]}  # fmt: skip
    response = await gateway.put(
        f"/sites/{SITE}/billing/units", json=body, headers=HEADERS["accountant"]
    )
    assert response.status_code == 503  # valid: the (absent) billing service is asked
    window = {"expected_from": "2030-01-01T09:00:00+08:00",
              "expected_until": "2030-01-01T12:00:00+08:00"}  # fmt: skip
    response = await gateway.post(
        f"/sites/{SITE}/visits/pre-registrations", json={**WALK_IN, **window},
        headers=HEADERS["desk"],
    )  # fmt: skip
    assert response.status_code == 503
