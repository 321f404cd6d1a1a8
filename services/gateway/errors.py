"""How errors leave the gateway: RFC 9457 problem details, one shape for every error.

Every error answers `application/problem+json`:

    {"type": "urn:concierge:problem:invalid", "title": "Unprocessable Content",
     "status": 422, "detail": "fee: Input should be greater than or equal to 0",
     "instance": "/sites/…/repairs/…/complete", "correlation_id": "…",
     "errors": [{"field": "fee", "message": "Input should be greater than or equal to 0"}]}

`type` names the kind of error (`invalid`, `not_found`, `conflict`, `forbidden`,
`unauthenticated`, `unavailable`, `content_too_large`, `internal`, …), `errors` (422
only) names each field by its dotted path in the body (`materials.0.cost`; a rule across
fields of the body has `field: null`; a query or path parameter is `query.<name>` or
`path.<name>`). The body never echoes what was sent (FastAPI's default 422 does, and fails
with a 500 when the input cannot be written back as JSON), holds at most `MAX_ERRORS`
entries, and every string in it is truncated and made valid UTF-8, because a field path
can hold a key of the caller's (a unit number in a readings map).

Status codes: the caller's mistakes are 4xx (422 naming the field); 503 only when a
backing service or its database or broker is really down; a defect is 500 with an
error log carrying the correlation id, never "try again shortly".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from runtime.errors import ConciergeError, Invalid, ServiceFault

log = logging.getLogger(__name__)

MAX_ERRORS = 10
MAX_MESSAGE = 300
MAX_FIELD = 200
MAX_PART = 60
MAX_PARTS = 12
MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:concierge:problem:"


class FieldError(BaseModel):
    field: str | None = Field(description="dotted path in the body; null: the whole body")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error."""

    type: str = Field(description="`urn:concierge:problem:<kind>`, e.g. `…:invalid`")
    title: str = Field(description="the HTTP status's phrase")
    status: int
    detail: str
    instance: str = Field(description="the request's path")
    correlation_id: str | None = None
    errors: list[FieldError] | None = Field(default=None, description="422 only")


def _text(value: object, limit: int) -> str:
    """`value` as at most `limit` characters of valid UTF-8 (lone surrogates replaced)."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.encode("utf-8", "replace").decode("utf-8")


def field_path(loc: Sequence[object]) -> str | None:
    """A location as a dotted field path: `("body", "materials", 0, "cost")` is
    `materials.0.cost`; a query or path parameter keeps its `query.`/`path.` prefix."""
    parts = list(loc[:MAX_PARTS])
    if parts[:1] == ["body"]:
        parts = parts[1:]
    return _text(".".join(_text(p, MAX_PART) for p in parts), MAX_FIELD) if parts else None


def problem_response(
    status: int,
    kind: str,
    detail: object,
    *,
    instance: str,
    correlation_id: str | None,
    errors: Iterable[tuple[str | None, object]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + kind,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": _text(detail, MAX_MESSAGE),
        "instance": _text(instance, MAX_FIELD),
        "correlation_id": correlation_id,
    }
    if errors is not None:
        body["errors"] = [
            {"field": field, "message": _text(message, MAX_MESSAGE)}
            for field, message in list(errors)[:MAX_ERRORS]
        ]
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def _about(request: Request) -> dict[str, Any]:
    return {
        "instance": request.url.path,
        "correlation_id": getattr(request.state, "correlation_id", None),
    }


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming each field that failed, without the input that failed it."""
    errors = [(field_path(e["loc"]), e["msg"]) for e in exc.errors()[:MAX_ERRORS]]
    field, message = errors[0] if errors else (None, "invalid request")
    detail = f"{field}: {message}" if field else message
    return problem_response(422, "invalid", detail, errors=errors, **_about(request))


async def concierge_error(request: Request, exc: ConciergeError) -> JSONResponse:
    """A rule broken in a service or the gateway: its status, message and fields."""
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    errors = None
    if isinstance(exc, Invalid):
        errors = exc.errors or [(exc.field, exc.message)]
    return problem_response(exc.http_status, exc.code, exc.message, errors=errors,
                            headers=headers, **_about(request))  # fmt: skip


# RFC 9110 names for the statuses the framework answers itself.
_FRAMEWORK_TYPES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "content_too_large",
}


async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    """The framework's own errors (404, 405, 413 past the body limit, 400) in the same shape."""
    kind = _FRAMEWORK_TYPES.get(exc.status_code) or HTTPStatus(exc.status_code).name.lower()
    return problem_response(exc.status_code, kind, exc.detail,
                            headers=getattr(exc, "headers", None), **_about(request))  # fmt: skip


async def server_fault(request: Request, exc: Exception) -> JSONResponse:
    """A defect (here or in a service): 500, logged with the correlation id."""
    correlation_id = getattr(request.state, "correlation_id", None)
    if isinstance(exc, ServiceFault):
        log.error("service fault (correlation id %s): %s", correlation_id, exc)
    else:
        log.exception("gateway fault (correlation id %s)", correlation_id, exc_info=exc)
    message = f"internal error; quote correlation id {correlation_id}"
    return problem_response(500, "internal", message, **_about(request))


ERROR_STATUSES = {
    400: "The request is not valid JSON or HTTP",
    401: "No valid bearer token",
    403: "The token's role or sites do not allow this",
    404: "No such object at this site (another site's object answers the same)",
    409: "The object's state forbids this",
    413: "The body is larger than this operation takes",
    422: "Invalid input: `errors` names each field",
    500: "A defect: quote the correlation id",
    503: "A backing service, its database or its broker is down: try again",
}


def document(app: FastAPI) -> None:
    """Every operation of the OpenAPI document answers its errors as `Problem`."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        # One schema per model for requests and answers alike (`SetRate`, not `SetRate-Input`
        # and `SetRate-Output`, which client generators take for one name twice).
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes, separate_input_output_schemas=False)  # fmt: skip
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        components.update(components["Problem"].pop("$defs", {}))
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        problem = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path in schema["paths"].values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    responses[str(status)] = {"description": description, "content": problem}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Register the handlers above on `app`."""
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(ConciergeError, concierge_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(ServiceFault, server_fault)
    app.add_exception_handler(Exception, server_fault)
    document(app)
