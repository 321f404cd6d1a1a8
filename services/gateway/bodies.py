"""Request bodies are validated as the JSON they are, against the published schema.

FastAPI parses a body with `json.loads` and validates the result in pydantic's lax
Python mode, which takes `0` for a boolean, `false` or `"5"` for an integer: requests
the OpenAPI document says are invalid. `JsonBody[Model]` validates the body in
pydantic's strict JSON mode instead, where a boolean is a JSON boolean and an integer a
JSON integer, while dates, UUIDs, decimals and enum values still come as the strings
and numbers JSON has. The OpenAPI document is unchanged: it already says exactly this.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError, ValidatorFunctionWrapHandler, WrapValidator


def _strict_json(model: type[BaseModel]) -> WrapValidator:
    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(value, dict):
            return handler(value)  # not an object: the model's own error
        try:  # the parsed JSON object, validated as the JSON it was
            return model.model_validate_json(json.dumps(value, allow_nan=False), strict=True)
        except ValidationError as exc:
            if exc.errors()[0]["type"] != "json_invalid":
                raise
        except ValueError:
            pass  # NaN or Infinity, which Python's parser takes and JSON has not
        # What JSON text cannot hold (a NaN, a lone surrogate): the lax validation names
        # the field; it never accepts such a body.
        handler(value)
        raise ValueError("the body is not valid JSON")

    return WrapValidator(validate)


class JsonBody:
    """`JsonBody[api.ReceiveMail]`: the body parameter, strictly as JSON."""

    def __class_getitem__(cls, model: type[BaseModel]) -> Any:
        return Annotated[model, _strict_json(model)]
