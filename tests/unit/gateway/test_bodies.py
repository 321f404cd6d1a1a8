"""Bodies are validated once, by the service, as the JSON they are.

Found by schemathesis (negative_data_rejection): pydantic's lax mode took `0` for a
boolean and `false` for an integer, so such requests were stored. The service decodes
each request in strict JSON mode (runtime.rpc); the gateway forwards the body as sent
and refuses only what JSON text cannot hold.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import httpx
import pytest

from contracts import billing_api, mail_api, visitor_api
from contracts.methods import CallContext, Method
from runtime.auth import Role
from runtime.errors import Invalid
from runtime.rpc import RpcService
from tests.helpers import bearer, problem

SITE = uuid4()
HEADERS = {
    "desk": bearer(Role.RECEPTIONIST, [SITE]),
    "accountant": bearer(Role.ACCOUNTANT, [SITE]),
    "manager": bearer(Role.CS_MANAGER, [SITE]),
}
WALK_IN = {"visitor_name": "Zhang San", "host_unit": "8B", "host_name": "Wang Wu",
           "purpose": "interview"}  # fmt: skip


class Reached(Exception):
    """The handler was reached: the request decoded."""


async def decode(method: Method[Any, Any], body: Any) -> Any:
    """The request `method`'s service decodes from a command `body`, or its Invalid."""
    rpc = RpcService(method.service)

    @rpc.implements(method)
    async def handler(request: Any, call: CallContext) -> Any:
        raise Reached(request)

    data = json.dumps({"site_id": str(SITE), "payload": body}).encode()
    try:
        await rpc.handle(method.name, data, CallContext())
    except Reached as reached:
        return reached.args[0]
    raise AssertionError("neither decoded nor refused")


@pytest.mark.parametrize(
    ("method", "body", "field"),
    [
        (mail_api.RECEIVE, {"kind": "fax", "recipient_unit": "1", "urgent": 0}, "urgent"),
        (mail_api.RECEIVE, {"kind": "fax", "recipient_unit": "1", "pages": "2"}, "pages"),
        (mail_api.RECEIVE, {"kind": "fax", "recipient_unit": "1", "pages": True}, "pages"),
        (billing_api.CONFIGURE, {"grace_days": False}, "grace_days"),
        (mail_api.UPDATE_DIRECTORY, {"entries": [{"unit": "1", "moved_out": 0}]},
         "entries.0.moved_out"),
        (visitor_api.REGISTER_ARRIVAL, {**WALK_IN, "id_checked": "yes"}, "id_checked"),
        (visitor_api.REGISTER_ARRIVAL, {**WALK_IN, "party_size": "3"}, "party_size"),
    ],
    ids=["bool-0", "int-string", "int-true", "int-false", "nested-bool-0", "bool-yes",
         "int-string-2"],
)  # fmt: skip
async def test_a_value_of_another_json_type_is_refused_naming_the_field(
    method: Method[Any, Any], body: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        await decode(method, body)
    assert refused.value.field == field


async def test_strings_and_numbers_json_has_still_fill_dates_decimals_and_enums() -> None:
    body = {"units": [{"unit": "101", "area_m2": 85.5, "parking_spaces": 1},
                      {"unit": "102", "area_m2": "120.00"}]}  # fmt: skip
    units = (await decode(billing_api.REGISTER_UNITS, body)).payload.units
    assert [str(u.area_m2) for u in units] == ["85.5", "120.00"]
    window = {"expected_from": "2030-01-01T09:00:00+08:00",
              "expected_until": "2030-01-01T12:00:00+08:00"}  # fmt: skip
    visit = (await decode(visitor_api.PRE_REGISTER, {**WALK_IN, **window})).payload
    assert visit.expected_from.utcoffset().total_seconds() == 8 * 3600


async def test_the_gateway_forwards_a_body_for_the_service_to_validate(
    gateway: httpx.AsyncClient,
) -> None:
    """Validated once: a body the service will refuse still goes to it (here absent: 503)."""
    response = await gateway.post(
        f"/sites/{SITE}/mail/items", json={"kind": "fax", "urgent": 0}, headers=HEADERS["desk"]
    )
    assert response.status_code == 503, response.text


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"kind": "fax", "pages": NaN}', "pages"),
        ('{"kind": "fax", "pages": 1e309}', "pages"),
        ('{"kind": "fax", "recipient_person": ["a", "\\ud800"]}', "recipient_person.1"),
    ],
    ids=["nan", "infinity", "lone-surrogate"],
)
async def test_what_json_text_cannot_hold_is_refused_by_the_gateway_naming_it(
    gateway: httpx.AsyncClient, content: str, field: str
) -> None:
    response = await gateway.post(
        f"/sites/{SITE}/mail/items", content=content,
        headers={**HEADERS["desk"], "content-type": "application/json"},
    )  # fmt: skip
    assert response.status_code == 422, response.text
    assert problem(response).fields == [field]
