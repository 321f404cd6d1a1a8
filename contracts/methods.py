"""Service methods, declared once: name, request model, response model.

Each context's `*_api.py` declares its gRPC methods as `Method` values next to its
command models, e.g.

    DISPATCH = Method("workorder", "Dispatch", OnWorkOrder[DispatchRepair], WorkOrderView)

The service registers a handler for it (`rpc.implements(api.DISPATCH)`, runtime.rpc),
the gateway calls it (`await call(request, api.DISPATCH, OnWorkOrder(...))`), and the
request and response travel as their models' JSON. No call site names a method by a
string, and a request or answer that does not fit the declaration fails where it is
made (mypy) or where it is decoded (pydantic).

Where a request is validated, once: in the service, when it decodes the call (strict
JSON mode, as the bytes arrived). The service is the authority on its own rules, and
every client (the gateway, a tool, a client in another language) goes through the same
check; the gateway forwards a command's body without validating it and answers the
service's verdict as a 422 naming the field. Who acts and the correlation id travel as
gRPC metadata (`CallContext`), not in the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Req = TypeVar("Req", bound=BaseModel)
Resp = TypeVar("Resp")
P = TypeVar("P")

PACKAGE = "concierge"
MAX_PAGE = 500  # rows in one page of a long list
MAX_OFFSET = 10_000_000


class Request(BaseModel):
    """Base of every method's request: closed, so a misspelt field is an error."""

    model_config = ConfigDict(extra="forbid")


class Answer(BaseModel):
    """Base of a report's answer and of its rows: closed like a request, so a key the
    query returns that the model does not declare fails where the service answers (an
    AnswerMismatch, runtime.rpc) instead of vanishing from what clients get."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel):
    """A page of a long list, in the list's own order: at most `limit` rows (1..500)
    after its first `offset` rows; a page shorter than `limit` is the last one. Without
    a limit the list answers as it always has (whole, or up to its own cap)."""

    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] | None = None
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET)] = 0


class Empty(Request):
    """A request naming nothing (health, the business clock)."""


class SiteRequest(Request):
    """A request about one site (the gateway has checked the caller may act there)."""

    site_id: UUID


class SiteCommand(SiteRequest, Generic[P]):
    """A command for a site: the body the caller sent, as `payload`."""

    payload: P


@dataclass(frozen=True)
class CallContext:
    """What travels beside a request as gRPC metadata: who acts, in which role, and
    the correlation id that follows the request through every context."""

    correlation_id: str | None = None
    actor: str | None = None
    role: str | None = None

    METADATA = ("x-correlation-id", "x-actor", "x-role")

    def metadata(self) -> tuple[tuple[str, str], ...]:
        values = (self.correlation_id, self.actor, self.role)
        return tuple((key, v) for key, v in zip(self.METADATA, values, strict=True) if v)

    @classmethod
    def of(cls, metadata: Any) -> CallContext:
        given = {key: value for key, value in (metadata or ()) if key in cls.METADATA}
        return cls(*(given.get(key) for key in cls.METADATA))


@dataclass(frozen=True, eq=False)
class Method(Generic[Req, Resp]):
    """One gRPC method: `/concierge.<service>/<name>`, taking `request`, answering
    `response` (a model or any type pydantic can validate, e.g. `list[View]`). A `read`
    changes nothing, so a client may retry it on another replica."""

    service: str
    name: str
    request: type[Req]
    response: type[Resp]
    read: bool = False

    @property
    def path(self) -> str:
        return f"/{PACKAGE}.{self.service}/{self.name}"

    @cached_property
    def answer(self) -> TypeAdapter[Resp]:
        return TypeAdapter(self.response)

    def __repr__(self) -> str:
        return f"Method({self.path})"
