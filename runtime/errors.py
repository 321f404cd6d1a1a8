"""The one error hierarchy of Concierge, mapped once to gRPC and once to HTTP.

Domain code raises these; the gRPC servicers turn them into status codes and the
gateway turns status codes back into HTTP responses, so a rule broken deep in an
aggregate reaches the front desk as a clear 404/409/422 with a message.
"""

from __future__ import annotations


class ConciergeError(Exception):
    """Base of every error that is the caller's to fix (never a server fault)."""

    http_status = 400
    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(ConciergeError):
    """The input breaks a rule about its shape or values (HTTP 422). `errors` lists each
    (field, message) when several fields fail at once (`field` is the first)."""

    http_status = 422
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        errors: list[tuple[str | None, str]] | None = None,
    ) -> None:
        super().__init__(message, field=field)
        self.errors = errors or []


class NotFound(ConciergeError):
    """The named object does not exist, or not at this site (HTTP 404)."""

    http_status = 404
    code = "not_found"


class Conflict(ConciergeError):
    """The object's current state forbids the command (HTTP 409)."""

    http_status = 409
    code = "conflict"


class Forbidden(ConciergeError):
    """The caller's role or sites do not allow this (HTTP 403)."""

    http_status = 403
    code = "forbidden"


class Unauthenticated(ConciergeError):
    """No valid credentials (HTTP 401)."""

    http_status = 401
    code = "unauthenticated"


class ServiceUnavailable(ConciergeError):
    """A backing service did not answer in time (HTTP 503, never a hang)."""

    http_status = 503
    code = "unavailable"


ERRORS_BY_CODE: dict[str, type[ConciergeError]] = {
    cls.code: cls
    for cls in (Invalid, NotFound, Conflict, Forbidden, Unauthenticated, ServiceUnavailable)
}


class ServiceFault(Exception):
    """A service failed on a defect, not on the request: HTTP 500, logged where it
    happened. Not a `ConciergeError`: the caller cannot fix it, and retrying will not
    help either (that is `ServiceUnavailable`)."""


class ForeignSiteReference(Exception):
    """A message from another context names an object of a different site.

    Every id that crosses a context boundary belongs to the event's site. A reaction
    that meets one that does not refuses the message loudly (dead letter, metric,
    error log) and never applies it. Not a `ConciergeError`: no caller is there to
    fix it; it is a defect or an attack to be looked at.
    """
