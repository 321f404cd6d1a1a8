"""How errors leave the gateway: one small body shape, never the caller's input.

Every error answers `{"detail": [{"loc": [...], "msg": ..., "type": ...}]}`. The body
never echoes what was sent (FastAPI's default 422 does, and fails with a 500 when the
input cannot be written back as JSON: a bare `NaN`, `1e309`, a lone surrogate), holds at
most `MAX_ERRORS` entries, and every string in it is truncated and made valid UTF-8,
because a location can hold a key of the caller's (a unit number in a readings map).

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
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from runtime.errors import ConciergeError, Invalid, ServiceFault

log = logging.getLogger(__name__)

MAX_ERRORS = 10
MAX_MESSAGE = 300
MAX_LOC_PART = 60
MAX_LOC_PARTS = 12


def _text(value: object, limit: int) -> str:
    """`value` as at most `limit` characters of valid UTF-8 (lone surrogates replaced)."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.encode("utf-8", "replace").decode("utf-8")


def _loc_part(part: object) -> str | int:
    return part if isinstance(part, int) else _text(part, MAX_LOC_PART)


def error_entry(loc: Sequence[object], msg: object, kind: str) -> dict[str, Any]:
    return {
        "loc": [_loc_part(part) for part in loc[:MAX_LOC_PARTS]],
        "msg": _text(msg, MAX_MESSAGE),
        "type": _text(kind, MAX_LOC_PART),
    }


def error_response(
    status: int, entries: Iterable[dict[str, Any]], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"detail": list(entries)[:MAX_ERRORS]}, status_code=status, headers=headers)


async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    """422 naming each field that failed, without the input that failed it."""
    errors = exc.errors()
    return error_response(
        422, (error_entry(e["loc"], e["msg"], e["type"]) for e in errors[:MAX_ERRORS])
    )


def _path(field: str) -> list[object]:
    """A service's dotted field path (`materials.0.cost`) as a location."""
    return [int(p) if p.isdigit() else p for p in field.split(".")]


async def concierge_error(_: Request, exc: ConciergeError) -> JSONResponse:
    """A rule broken in a service or the gateway: its status, message and field."""
    loc: list[object] = ["body", *_path(exc.field)] if exc.field else []
    if isinstance(exc, Invalid) and not exc.field:
        loc = ["body"]  # a rule across fields of the body
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return error_response(exc.http_status, [error_entry(loc, exc.message, exc.code)], headers)


# RFC 9110 names for the statuses the framework answers itself.
_FRAMEWORK_TYPES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "content_too_large",
}


async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
    """The framework's own errors (404, 405, 413 past the body limit, 400) in the same shape."""
    kind = _FRAMEWORK_TYPES.get(exc.status_code) or HTTPStatus(exc.status_code).name.lower()
    return error_response(
        exc.status_code, [error_entry([], exc.detail, kind)], getattr(exc, "headers", None)
    )


async def server_fault(request: Request, exc: Exception) -> JSONResponse:
    """A defect (here or in a service): 500, logged with the correlation id."""
    correlation_id = getattr(request.state, "correlation_id", None)
    if isinstance(exc, ServiceFault):
        log.error("service fault (correlation id %s): %s", correlation_id, exc)
    else:
        log.exception("gateway fault (correlation id %s)", correlation_id, exc_info=exc)
    message = f"internal error; quote correlation id {correlation_id}"
    return error_response(500, [error_entry([], message, "internal")])


def install(app: FastAPI) -> None:
    """Register the handlers above on `app`."""
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(ConciergeError, concierge_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(ServiceFault, server_fault)
    app.add_exception_handler(Exception, server_fault)
