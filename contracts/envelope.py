"""CloudEvents binary-mode envelope for Kafka.

The value is the contract model's JSON; the attributes travel as headers
(`ce_specversion`, `ce_id`, `ce_type`, `ce_source`, `ce_time`, `ce_subject`) plus
`site`, `correlation_id` and `content-type`. `ce_id` is deterministic
(`<aggregate id>:<version>`) so a re-published event is recognisable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
        """Read an envelope back from a Kafka message; MalformedMessage if it is not one.

        Every header must be UTF-8 (null or not, a header that is not is a malformed
        message, as a payload that does not validate against its type's contract is).
        The hot path of every projection and reaction: the headers are read as bytes in
        one dict, the contract is validated by its model's cached validator, the UUIDs
        of sites and aggregates come from a small cache (a batch repeats them)."""
        try:
            attrs = dict(headers)
            _check_text(attrs.values())
            if attrs.get("ce_specversion") != _SPEC_VERSION:
                raise MalformedMessage("missing or unsupported ce_specversion")
            ce_type = attrs["ce_type"]
            data = _validator(ce_type)(value or b"")
            return cls(
                id=attrs["ce_id"].decode(),
                type=ce_type.decode(),
                source=attrs["ce_source"].decode(),
                time=datetime.fromisoformat(attrs["ce_time"].decode()),
                subject=_uuid(attrs["ce_subject"]),
                site=_uuid(attrs["site"]),
                correlation_id=attrs.get("correlation_id", b"").decode(),
                data=data,
            )
        except MalformedMessage:
            raise
        except (KeyError, ValueError, UnicodeDecodeError, ValidationError, IndexError) as exc:
            raise MalformedMessage(f"{type(exc).__name__}: {exc}") from exc


# -- reading (only `Envelope.parse` uses these) ------------------------------------------

_SPEC_VERSION = SPEC_VERSION.encode()
PARSE_CACHE = 4096  # UUIDs of sites and aggregates kept decoded (a batch repeats them)


def _check_text(values: Iterable[bytes | None]) -> None:
    """Refuse a message with a header that is null or not UTF-8. One decode of the
    values joined by an ASCII newline (which no UTF-8 sequence can span) fails exactly
    when one of them would; then each is decoded for the same error as decoding it."""
    values = list(values)
    if None in values:
        raise ValueError("a header without a value")
    try:
        b"\n".join(values).decode()  # type: ignore[arg-type]
    except UnicodeDecodeError:
        for header in values:
            header.decode()  # type: ignore[union-attr]
        raise


@lru_cache(maxsize=256)
def _validator(ce_type: bytes) -> Callable[[bytes], ContractEvent]:
    """The JSON validator of a CloudEvents type's contract model (KeyError when unknown):
    what `model_validate_json` calls, without looking the model up for every message."""
    validate: Callable[[bytes], ContractEvent] = model_for(
        ce_type.decode()
    ).__pydantic_validator__.validate_json
    return validate


@lru_cache(maxsize=PARSE_CACHE)
def _uuid(text: bytes) -> UUID:
    """A header's UUID (ValueError when it is none: failures are not cached)."""
    return UUID(text.decode())
