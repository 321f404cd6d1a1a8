from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from contracts.envelope import Envelope, MalformedMessage
from contracts.registry import model_for
from contracts.visitor import VisitorCheckedOut


def envelope() -> Envelope:
    visit_id = uuid4()
    data = VisitorCheckedOut(
        site_id=uuid4(), visit_id=visit_id, occurred_at=datetime(2026, 11, 2, tzinfo=UTC)
    )
    return Envelope.wrap(
        data, aggregate_id=visit_id, version=4, time=data.occurred_at, correlation_id="c-1"
    )


def test_binary_mode_headers_round_trip() -> None:
    original = envelope()
    headers = dict(original.headers())
    assert headers["ce_type"] == b"concierge.visitor.VisitorCheckedOut.v1"
    assert headers["ce_id"] == f"{original.subject}:4".encode()
    assert headers["ce_source"] == f"/sites/{original.site}/visitor".encode()
    assert headers["content-type"] == b"application/json"
    parsed = Envelope.parse(original.headers(), original.value())
    assert parsed == original
    assert parsed.aggregate_version == 4


def test_the_record_is_the_message_written_out_field_by_field() -> None:
    """The relay's messages (`record`, `message`) send exactly what the envelope's
    fields give."""
    original = envelope()
    for _ in range(2):  # the second time from the caches
        record = original.record()
        assert record.key == str(original.subject).encode() == original.key()
        assert record.value == original.data.model_dump_json().encode() == original.value()
        assert (
            record.headers
            == original.headers()
            == [
                ("ce_specversion", b"1.0"),
                ("ce_id", original.id.encode()),
                ("ce_type", b"concierge.visitor.VisitorCheckedOut.v1"),
                ("ce_source", f"/sites/{original.site}/visitor".encode()),
                ("ce_time", b"2026-11-02T00:00:00+00:00"),
                ("ce_subject", str(original.subject).encode()),
                ("site", str(original.site).encode()),
                ("correlation_id", b"c-1"),
                ("content-type", b"application/json"),
            ]
        )
        ce_id, made = Envelope.message(
            original.data, aggregate_id=original.subject, version=4, time=original.time,
            correlation_id="c-1",
        )  # fmt: skip
        assert (ce_id, made) == (original.id, record)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda h, v: (h, b"not json"),
        lambda h, v: ([x for x in h if x[0] != "ce_type"], v),
        lambda h, v: (
            [(k, b"concierge.visitor.Nope.v1" if k == "ce_type" else x) for k, x in h],
            v,
        ),
        lambda h, v: (h, v.replace(b"}", b', "extra": 1}')),
        lambda h, v: ([(k, b"\xff" if k == "site" else x) for k, x in h], v),
    ],
)
def test_anything_else_is_malformed(mutate) -> None:  # type: ignore[no-untyped-def]
    original = envelope()
    headers, value = mutate(original.headers(), original.value())
    with pytest.raises(MalformedMessage):
        Envelope.parse(headers, value)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        VisitorCheckedOut(site_id=uuid4(), visit_id=uuid4(), occurred_at=datetime(2026, 11, 2))


def reference_parse(headers: list[tuple[str, bytes]], value: bytes | None) -> Envelope:
    """`Envelope.parse` as it was before it was made cheaper: every header decoded into a
    dict, the model looked up and validated with `model_validate_json`, fresh UUIDs."""
    try:
        attrs = {k: v.decode() for k, v in headers}
        if attrs.get("ce_specversion") != "1.0":
            raise MalformedMessage("missing or unsupported ce_specversion")
        data = model_for(attrs["ce_type"]).model_validate_json(value or b"")
        return Envelope(
            id=attrs["ce_id"], type=attrs["ce_type"], source=attrs["ce_source"],
            time=datetime.fromisoformat(attrs["ce_time"]), subject=UUID(attrs["ce_subject"]),
            site=UUID(attrs["site"]), correlation_id=attrs.get("correlation_id", ""), data=data,
        )  # fmt: skip
    except MalformedMessage:
        raise
    except (KeyError, ValueError, UnicodeDecodeError, ValidationError, IndexError) as exc:
        raise MalformedMessage(f"{type(exc).__name__}: {exc}") from exc


def replaced(headers: list[tuple[str, bytes]], name: str, value: bytes) -> list[tuple[str, bytes]]:
    return [(k, value if k == name else v) for k, v in headers]


MUTATIONS = {
    "as published": lambda h, v: (h, v),
    "again (cached UUIDs)": lambda h, v: (h, v),
    "no value": lambda h, v: (h, None),
    "a foreign header": lambda h, v: ([*h, ("traceparent", b"00-ab-cd-01")], v),
    "a foreign header not UTF-8": lambda h, v: ([*h, ("x-trace", b"ok\xc3")], v),
    "a header split UTF-8 across values": lambda h, v: ([*h, ("a", b"\xc3"), ("b", b"\xa9")], v),
    "a repeated header (the last counts)": lambda h, v: ([*h, ("correlation_id", b"c-2")], v),
    "no correlation id": lambda h, v: ([x for x in h if x[0] != "correlation_id"], v),
    "no ce_specversion": lambda h, v: ([x for x in h if x[0] != "ce_specversion"], v),
    "another ce_specversion": lambda h, v: (replaced(h, "ce_specversion", b"0.3"), v),
    "no ce_id": lambda h, v: ([x for x in h if x[0] != "ce_id"], v),
    "no ce_time": lambda h, v: ([x for x in h if x[0] != "ce_time"], v),
    "a bad ce_time": lambda h, v: (replaced(h, "ce_time", b"yesterday"), v),
    "a bad subject": lambda h, v: (replaced(h, "ce_subject", b"not-a-uuid"), v),
    "a bad site": lambda h, v: (replaced(h, "site", b"12345"), v),
    "a site not UTF-8": lambda h, v: (replaced(h, "site", b"\xff"), v),
    "an unknown type": lambda h, v: (replaced(h, "ce_type", b"concierge.visitor.Nope.v1"), v),
    "a payload of another type": lambda h, v: (
        replaced(h, "ce_type", b"concierge.visitor.VisitorOverstayed.v1"), v),
    "a payload not JSON": lambda h, v: (h, b"{"),
    "a payload not UTF-8": lambda h, v: (h, b'{"site_id": "\xff"}'),
    "a naive time in the payload": lambda h, v: (h, v.replace(b"+00:00", b"").replace(b"Z", b"")),
}  # fmt: skip


@pytest.mark.parametrize("case", MUTATIONS)
def test_parse_reads_every_message_as_the_reference_parse_does(case: str) -> None:
    """The cheap parse accepts what the reference accepts (an equal envelope) and refuses
    what it refuses, with the same error."""
    original = envelope()
    headers, value = MUTATIONS[case](original.headers(), original.value())
    try:
        expected: Envelope | str = reference_parse(headers, value)
    except MalformedMessage as exc:
        expected = str(exc)
    try:
        parsed: Envelope | str = Envelope.parse(headers, value)
    except MalformedMessage as exc:
        parsed = str(exc)
    assert parsed == expected


def test_a_header_without_a_value_is_a_malformed_message() -> None:
    """Kafka headers may be null: such a message is refused as malformed (it escaped the
    parse as an AttributeError, which no dead letter caught)."""
    original = envelope()
    with pytest.raises(MalformedMessage, match="a header without a value"):
        Envelope.parse([*original.headers(), ("traceparent", None)], original.value())  # type: ignore[list-item]
