"""CloudEvents binary-mode envelope for Kafka.

The value is the contract model's JSON; the attributes travel as headers
(`ce_specversion`, `ce_id`, `ce_type`, `ce_source`, `ce_time`, `ce_subject`) plus
`site`, `correlation_id` and `content-type`. `ce_id` is deterministic
(`<aggregate id>:<version>`) so a re-published event is recognisable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from uuid import UUID

from pydantic import ValidationError

from contracts.base import ContractEvent
from contracts.registry import model_for

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class MalformedMessage(ValueError):
    """A Kafka message that is not a valid Concierge CloudEvent."""


# -- writing (the outbox relay's messages) ------------------------------------------------


@dataclass(slots=True)
class Record:
    """One Kafka message as the producer takes it."""

    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def _headers(ce_id: str, ce_type: str, source: str, time: datetime, subject: bytes, site: UUID,
             correlation_id: str) -> list[tuple[str, bytes]]:  # fmt: skip
    return [
        _SPEC_VERSION_HEADER,
        ("ce_id", ce_id.encode()),
        ("ce_type", ce_type.encode()),
        ("ce_source", source.encode()),
        ("ce_time", time.isoformat().encode()),
        ("ce_subject", subject),
        ("site", _site_bytes(site)),
        ("correlation_id", correlation_id.encode()),
        _CONTENT_TYPE_HEADER,
    ]


_SPEC_VERSION_HEADER = ("ce_specversion", SPEC_VERSION.encode())
_CONTENT_TYPE_HEADER = ("content-type", CONTENT_TYPE.encode())


@lru_cache(maxsize=4096)
def _site_bytes(site: UUID) -> bytes:
    """A site's `site` header (a relay publishes for a few sites: made once each)."""
    return str(site).encode()


@lru_cache(maxsize=4096)
def _source(site: UUID, context: str) -> str:
    return f"/sites/{site}/{context}"


@lru_cache(maxsize=1024)
def _event_type(model: type[ContractEvent]) -> str:
    return model.event_type()


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
            type=_event_type(type(data)),
            source=_source(data.site_id, data.context),
            time=time,
            subject=aggregate_id,
            site=data.site_id,
            correlation_id=correlation_id,
            data=data,
        )

    def key(self) -> bytes:
        return str(self.subject).encode()

    def value(self) -> bytes:
        # The serializer's bytes are what `model_dump_json` decodes to str (and we encoded back).
        return self.data.__pydantic_serializer__.to_json(self.data)

    @classmethod
    def message(
        cls,
        data: ContractEvent,
        *,
        aggregate_id: UUID,
        version: int,
        time: datetime,
        correlation_id: str,
    ) -> tuple[str, Record]:
        """`ce_id` and the Kafka message of `wrap(...)` with these arguments, made without
        the envelope (the outbox relay's path: one string of the aggregate id, the site's
        bytes and the fixed headers from caches); test_envelope checks the bytes are the
        envelope's."""
        subject = str(aggregate_id)
        ce_id = f"{subject}:{version}"
        key = subject.encode()
        model = type(data)
        headers = _headers(ce_id, _event_type(model), _source(data.site_id, model.context),
                           time, key, data.site_id, correlation_id)  # fmt: skip
        return ce_id, Record(key, model.__pydantic_serializer__.to_json(data), headers)

    def record(self) -> Record:
        """The Kafka message: key, value and headers, built once.

        The same bytes as `key()`, `value()` and `headers()` (test_envelope checks it
        against the header list written out field by field)."""
        subject = str(self.subject).encode()
        return Record(
            subject,
            self.value(),
            _headers(self.id, self.type, self.source, self.time, subject, self.site,
                     self.correlation_id),
        )  # fmt: skip

    def headers(self) -> list[tuple[str, bytes]]:
        return self.record().headers

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
