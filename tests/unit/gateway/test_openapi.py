"""The OpenAPI document a client generator lives on: every operation declares its 2xx
body, and its errors as RFC 9457 problem details (one shape, `application/problem+json`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from runtime.auth import Role
from services.gateway.app import create_app
from services.gateway.errors import ERROR_STATUSES
from tests.helpers import bearer, gateway_settings, problem
from tests.unit.gateway.test_bodies import HEADERS, SITE

SCHEMA = create_app(gateway_settings()).openapi()
OPERATIONS = [(f"{verb.upper()} {path}", op) for path, ops in SCHEMA["paths"].items()
              for verb, op in ops.items()]  # fmt: skip


@pytest.mark.parametrize(("name", "operation"), OPERATIONS, ids=[n for n, _ in OPERATIONS])
def test_every_operation_declares_its_answer_and_its_errors(
    name: str, operation: dict[str, Any]
) -> None:
    ok = {c: r for c, r in operation["responses"].items() if c.startswith("2")}
    assert ok, name
    for response in ok.values():
        assert (
            response["content"] == DOCUMENT or response["content"]["application/json"]["schema"]
        ), name
    for status in ERROR_STATUSES:
        content = operation["responses"][str(status)]["content"]
        assert content == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }, name


# A printed document (billing's notices and receipts): PDF bytes, declared as such.
DOCUMENT = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


def json_answers(op: dict[str, Any]) -> list[dict[str, Any]]:
    """The JSON schemas of an operation's 2xx bodies (a printed document has none)."""
    return [response["content"]["application/json"]["schema"]
            for code, response in op["responses"].items()
            if code.startswith("2") and response["content"] != DOCUMENT]  # fmt: skip


def untyped(schema: dict[str, Any]) -> bool:
    """A body a client generator learns nothing from: an object without properties (a
    bare `dict`) or an array whose items are one, where a typed one names a model."""
    if "$ref" in schema:
        return False
    if schema.get("type") == "array":
        return "items" not in schema or untyped(schema["items"])
    if "anyOf" in schema:
        return any(untyped(option) for option in schema["anyOf"])
    return schema == {} or (schema.get("type") == "object" and "properties" not in schema)


def test_no_operation_answers_a_bare_object_or_array() -> None:
    bare = [name for name, op in OPERATIONS for schema in json_answers(op)
            if untyped(schema)]  # fmt: skip
    assert bare == []


def bare(schema: dict[str, Any]) -> bool:
    """An untyped value anywhere in an answer: `{}` (any), an object with neither
    properties nor typed values (`dict[str, Any]`), an array without items."""
    if schema == {}:
        return True
    if schema.get("type") == "object" and "properties" not in schema:
        values = schema.get("additionalProperties")
        return not (isinstance(values, dict) and values) and "patternProperties" not in schema
    return schema.get("type") == "array" and "items" not in schema


def test_no_answer_holds_a_bare_object_or_array() -> None:
    """Inside the answers too: every value of every model a 2xx body reaches is typed
    (a map is typed by its values, e.g. money per fee type)."""
    seen: set[str] = set()
    found: list[str] = []

    def visit(schema: dict[str, Any], where: str) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                visit(SCHEMA["components"]["schemas"][name], name)
            return
        if bare(schema):
            found.append(where)
        inner = [*schema.get("anyOf", []), *schema.get("properties", {}).values(),
                 *schema.get("patternProperties", {}).values()]  # fmt: skip
        inner += [schema[k] for k in ("items", "additionalProperties")
                  if isinstance(schema.get(k), dict)]  # fmt: skip
        names = [*(f"|{n}" for n in range(len(schema.get("anyOf", [])))),
                 *(f".{n}" for n in schema.get("properties", {})),
                 *(f"[{n}]" for n in schema.get("patternProperties", {}))]  # fmt: skip
        names += ["[]"] * (len(inner) - len(names))
        for name, spec in zip(names, inner, strict=True):
            visit(spec, where + name)

    for name, op in OPERATIONS:
        for schema in json_answers(op):
            visit(schema, name)
    assert found == []


@pytest.mark.parametrize(
    ("schema", "is_bare"),
    [({}, True), ({"type": "object"}, True), ({"type": "object", "additionalProperties": True}, True),
     ({"type": "array"}, True), ({"type": "object", "additionalProperties": {"type": "string"}}, False),
     ({"type": "array", "items": {}}, False), ({"$ref": "#/components/schemas/X"}, False)],
)  # fmt: skip
def test_what_counts_as_bare(schema: dict[str, Any], is_bare: bool) -> None:
    assert bare(schema) is is_bare


@pytest.mark.parametrize(
    "schema",
    [{}, {"type": "object"}, {"type": "object", "additionalProperties": True},
     {"type": "array", "items": {"type": "object", "additionalProperties": True}},
     {"type": "array"}, {"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "object"}]}],
)  # fmt: skip
def test_a_bare_schema_is_untyped(schema: dict[str, Any]) -> None:
    assert untyped(schema)


@pytest.mark.parametrize(
    "schema",
    [{"$ref": "#/components/schemas/X"},
     {"type": "array", "items": {"$ref": "#/components/schemas/X"}},
     {"type": "object", "properties": {"status": {"type": "string"}}}],
)  # fmt: skip
def test_a_schema_naming_its_model_is_typed(schema: dict[str, Any]) -> None:
    assert not untyped(schema)


def test_the_commands_answer_their_view_models() -> None:
    def answer(path: str, verb: str) -> Any:
        op = SCHEMA["paths"][path][verb]
        code = next(c for c in op["responses"] if c.startswith("2"))
        return op["responses"][code]["content"]["application/json"]["schema"]

    view = {"$ref": "#/components/schemas/WorkOrderView"}
    assert answer("/sites/{site_id}/repairs", "post") == view
    assert answer("/sites/{site_id}/repairs/{work_order_id}", "get") == view
    assert answer("/sites/{site_id}/repairs/{work_order_id}/dispatch", "post") == view


async def test_a_422_names_every_field_the_service_refused(
    decoding_gateway: httpx.AsyncClient,
) -> None:
    body = {"kind": "fax", "recipient_unit": "1", "urgent": 0, "pages": "2"}
    response = await decoding_gateway.post(
        f"/sites/{SITE}/mail/items", json=body, headers={**HEADERS["desk"],
                                                          "X-Correlation-ID": "corr-422"},
    )  # fmt: skip
    error = problem(response)
    assert error.status == 422 and error.kind == "invalid"
    assert set(error.fields) == {"urgent", "pages"}
    assert error.body["instance"] == f"/sites/{SITE}/mail/items"
    assert error.body["correlation_id"] == "corr-422"


async def test_a_valid_request_reaches_the_service(decoding_gateway: httpx.AsyncClient) -> None:
    body = {"kind": "fax", "recipient_unit": "1", "urgent": False, "pages": 2}
    response = await decoding_gateway.post(
        f"/sites/{SITE}/mail/items", json=body, headers=HEADERS["desk"]
    )
    assert problem(response).status == 409 and problem(response).detail == "decoded"


async def test_an_unauthenticated_request_is_a_problem_too(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get(f"/sites/{SITE}/in-building")
    assert problem(response).kind == "unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"
    other_site = await gateway.get(f"/sites/{SITE}/in-building", headers=bearer(Role.BI, []))
    assert problem(other_site).status == 403
