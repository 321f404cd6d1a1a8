"""A Concierge Kafka message read with nothing but the published JSON Schemas.

Each message is a CloudEvent in Kafka binary mode: its attributes travel as headers
(`ce_specversion` "1.0", `ce_id` = `<aggregate id>:<version>`, `ce_type` =
`concierge.<context>.<Event>.v<n>`, `ce_source`, `ce_time`, `ce_subject`, `site`,
`correlation_id`), its value is the event as JSON. The value must validate against the
schema whose `$id` is the `ce_type` (the file `contracts/schemas/<ce_type>.json`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

SPEC_VERSION = "1.0"


class Rejected(ValueError):
    """A message the kit cannot use: not a CloudEvent, no schema, or not valid against it.

    The message says which header or field is wrong."""


@dataclass(frozen=True)
class Event:
    """One published event: its CloudEvent id and type, and its validated payload."""

    id: str  # ce_id
    type: str  # ce_type
    aggregate_id: UUID
    version: int  # the aggregate's version: a later event of one aggregate has a higher one
    data: dict[str, Any]

    @property
    def name(self) -> str:
        """`ChargePosted` for `concierge.billing.ChargePosted.v1`."""
        return self.type.split(".")[-2]


class EventSchemas:
    """The published schemas, one per event type, keyed by their `$id` (the ce_type)."""

    def __init__(self, directory: Path) -> None:
        self.validators: dict[str, Validator] = {}
        for path in sorted(directory.glob("*.json")):
            schema = json.loads(path.read_text())
            kind = validator_for(schema, default=Draft202012Validator)
            kind.check_schema(schema)
            validator = kind(schema, format_checker=kind.FORMAT_CHECKER)
            self.validators[schema.get("$id", path.stem)] = validator
        if not self.validators:
            raise FileNotFoundError(f"no event schemas (*.json) in {directory}")

    def read(self, headers: Iterable[tuple[str, bytes | None]], value: bytes | None) -> Event:
        """The event in a Kafka message, validated; Rejected says what is wrong."""
        try:
            attributes = {key: (raw or b"").decode() for key, raw in headers}
        except UnicodeDecodeError as exc:
            raise Rejected(f"headers: not UTF-8 ({exc})") from None
        if attributes.get("ce_specversion") != SPEC_VERSION:
            raise Rejected(f"ce_specversion: {attributes.get('ce_specversion')!r} is not '1.0'")
        ce_id, ce_type = attributes.get("ce_id", ""), attributes.get("ce_type", "")
        aggregate, _, version = ce_id.rpartition(":")
        try:
            aggregate_id, number = UUID(aggregate), int(version)
        except ValueError:
            raise Rejected(f"ce_id: {ce_id!r} is not '<aggregate id>:<version>'") from None
        validator = self.validators.get(ce_type)
        if validator is None:
            raise Rejected(f"ce_type: no published schema for {ce_type!r}")
        try:
            data = json.loads(value or b"")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Rejected(f"value: not JSON ({exc})") from None
        error = best_match(validator.iter_errors(data))
        if error is not None:
            field = ".".join(str(part) for part in error.absolute_path) or "value"
            raise Rejected(f"{field}: {error.message}")
        return Event(id=ce_id, type=ce_type, aggregate_id=aggregate_id, version=number, data=data)
