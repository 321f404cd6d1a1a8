from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from contracts.envelope import Envelope, MalformedMessage
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
