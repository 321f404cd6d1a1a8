"""CloudEvents binary-mode envelope for Kafka.

The value is the contract model's JSON; the attributes travel as headers
(`ce_specversion`, `ce_id`, `ce_type`, `ce_source`, `ce_time`, `ce_subject`) plus
`site`, `correlation_id` and `content-type`. `ce_id` is deterministic
(`<aggregate id>:<version>`) so a re-published event is recognisable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import ValidationError

from contracts.base import ContractEvent
from contracts.registry import model_for

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class MalformedMessage(ValueError):
    """A Kafka message that is not a valid Concierge CloudEvent."""


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    source: str
    time: datetime
    subject: UUID
    site: UUID
    correlation_id: str
    data: ContractEvent

    @property
    def aggregate_version(self) -> int:
        return int(self.id.rsplit(":", 1)[1])

    @classmethod
    def wrap(
        cls,
        data: ContractEvent,
        *,
        aggregate_id: UUID,
        version: int,
        time: datetime,
        correlation_id: str,
    ) -> Envelope:
        return cls(
            id=f"{aggregate_id}:{version}",
            type=data.event_type(),
            source=f"/sites/{data.site_id}/{data.context}",
            time=time,
            subject=aggregate_id,
            site=data.site_id,
            correlation_id=correlation_id,
            data=data,
        )

    def key(self) -> bytes:
        return str(self.subject).encode()

    def value(self) -> bytes:
        return self.data.model_dump_json().encode()

    def headers(self) -> list[tuple[str, bytes]]:
        return [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_type", self.type.encode()),
            ("ce_source", self.source.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("ce_subject", str(self.subject).encode()),
            ("site", str(self.site).encode()),
            ("correlation_id", self.correlation_id.encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]

    @classmethod
    def parse(cls, headers: list[tuple[str, bytes]] | tuple, value: bytes | None) -> Envelope:
        """Read an envelope back from a Kafka message; MalformedMessage if it is not one."""
        try:
            attrs = {k: v.decode() for k, v in headers}
            if attrs.get("ce_specversion") != SPEC_VERSION:
                raise MalformedMessage("missing or unsupported ce_specversion")
            model = model_for(attrs["ce_type"])
            data = model.model_validate_json(value or b"")
            return cls(
                id=attrs["ce_id"],
                type=attrs["ce_type"],
                source=attrs["ce_source"],
                time=datetime.fromisoformat(attrs["ce_time"]),
                subject=UUID(attrs["ce_subject"]),
                site=UUID(attrs["site"]),
                correlation_id=attrs.get("correlation_id", ""),
                data=data,
            )
        except MalformedMessage:
            raise
        except (KeyError, ValueError, UnicodeDecodeError, ValidationError, IndexError) as exc:
            raise MalformedMessage(f"{type(exc).__name__}: {exc}") from exc
