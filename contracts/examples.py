"""An example of every published event, for the AsyncAPI document (`contracts.asyncapi`).

Built from the contract model's own field types (a UUID where it takes a UUID, a decimal
string for money, an enum's first value), then validated by the model and serialized as
the relay serializes it, so an example is always what a consumer really reads. Values
are deterministic (the exported document is committed and compared).
"""

from __future__ import annotations

import types
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, Union, get_args, get_origin
from uuid import UUID, uuid5

from pydantic import BaseModel

from contracts.base import ContractEvent

EXAMPLE_SITE = UUID("5a1e0000-0000-4000-8000-00000000a001")
EXAMPLE_TIME = datetime(2033, 3, 14, 9, 30, tzinfo=timezone(timedelta(hours=8)))
EXAMPLE_CORRELATION = "0c0ffee0-0000-4000-8000-000000000042"
PERSON = "Li Wei"
TEXT_BY_NAME = {  # fields whose plain strings follow a convention of the suite
    "period": "2033-03",
    "quarter": "2033-Q1",
    "number": "WO-A1-2033-0007",
    "reference": "PAY-2033-0042",
    "charge_id": "charge-12A-2033-03-management",
    "currency": "CNY",
}
PEOPLE = ("name", "tenant", "reporter", "verifier", "technician", "complainant", "acknowledged_by")


def example_payload(model: type[ContractEvent]) -> dict[str, Any]:
    """The example's JSON value: the model's fields filled, validated, serialized."""
    raw = _fields(model, model.event_type())
    return model.model_validate(raw).model_dump(mode="json")


def aggregate_id(model: type[ContractEvent], payload: dict[str, Any]) -> str:
    """The example's aggregate id (Kafka key, `ce_subject`): the payload's first id field
    after the site, which is the aggregate's own id in every context."""
    ids = [name for name in model.model_fields if name.endswith("_id") and name != "site_id"]
    for name in ids:
        if isinstance(payload.get(name), str):
            try:
                return str(UUID(payload[name]))
            except ValueError:
                continue
    return str(uuid5(EXAMPLE_SITE, model.event_type()))


def _fields(model: type[BaseModel], scope: str) -> dict[str, Any]:
    return {
        name: _value(field.annotation, name, f"{scope}.{name}")
        for name, field in model.model_fields.items()
    }


def _value(annotation: Any, name: str, scope: str) -> Any:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):  # optional: show the value, not the null
        present = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _value(present[0], name, scope)
    if origin is Literal:
        return get_args(annotation)[0]
    if origin in (list, tuple, set, frozenset):
        return [_value(get_args(annotation)[0], name, scope)]
    if origin is dict:
        return {"1": _value(get_args(annotation)[1], name, scope)}
    if get_args(annotation) and hasattr(annotation, "__metadata__"):  # Annotated
        return _value(get_args(annotation)[0], name, scope)
    return _plain(annotation, name, scope)


def _plain(kind: Any, name: str, scope: str) -> Any:
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return _fields(kind, scope)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return next(iter(kind)).value
    if kind is UUID:
        return str(EXAMPLE_SITE if name == "site_id" else uuid5(EXAMPLE_SITE, scope))
    if kind is datetime:
        return EXAMPLE_TIME.isoformat()
    if kind is date:
        return EXAMPLE_TIME.date().isoformat()
    if kind is Decimal:
        return "120.00"
    if kind is bool:
        return True
    if kind is int:
        return 2
    if kind is float:
        return 2.5
    if kind is str:
        return _text(name)
    raise TypeError(f"{scope}: no example for a field of type {kind!r}; add one here")


def _text(name: str) -> str:
    if name in TEXT_BY_NAME:
        return TEXT_BY_NAME[name]
    if name in ("unit", "units", "moved_out") or name.endswith("_unit"):
        return "12A"
    if any(name == p or name.endswith(f"_{p}") for p in PEOPLE):
        return PERSON
    return name.replace("_", " ").capitalize()
