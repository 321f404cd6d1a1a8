"""Request bodies: declared as their command model, validated once, by the service.

`JsonBody[api.ReceiveMail]` declares the body in the OpenAPI document as the model's
schema, but the gateway does not validate it: it forwards the JSON object as the caller
sent it, and the service validates it when it decodes the call, in pydantic's strict
JSON mode (a boolean is a JSON boolean, an integer a JSON integer; dates, UUIDs,
decimals and enum values come as the strings and numbers JSON has). The service is the
authority on its own rules and every client goes through the same check (see
contracts.methods); its verdict comes back as a 422 naming the field.

What the gateway does check: the body is JSON that JSON text can hold. Python's parser
takes `NaN`, `Infinity`, `1e309` (as infinity) and lone surrogates (`"\\ud800"`), which
JSON text cannot hold; they are refused here (422 naming where they are), not forwarded.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import BaseModel, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import InitErrorDetails, PydanticCustomError


def _not_json(value: Any, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where in a parsed body a value sits that JSON text cannot hold, if anywhere."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        return path
    if isinstance(value, dict):
        for key, item in value.items():
            if (found := _not_json(key, (*path, key)) or _not_json(item, (*path, key))) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _not_json(item, (*path, index))) is not None:
                return found
    return None


def _forwarded(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if (where := _not_json(value)) is not None:
        error = PydanticCustomError(
            "json_invalid", "not valid JSON: NaN, Infinity and lone surrogates are not JSON"
        )
        raise ValidationError.from_exception_data(
            "body", [InitErrorDetails(type=error, loc=where, input=None)]
        )
    return value


if TYPE_CHECKING:  # to the type checker the parameter is the model it declares
    _Model = TypeVar("_Model", bound=BaseModel)
    JsonBody = Annotated[_Model, "forwarded"]
else:

    class JsonBody:
        """`JsonBody[api.ReceiveMail]`: the body parameter, forwarded for the service to check."""

        def __class_getitem__(cls, model: type[BaseModel]) -> Any:
            return Annotated[model, WrapValidator(_forwarded)]
