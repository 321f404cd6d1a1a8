"""The bounded field types: what they accept can be stored, asked for and shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from contracts.fields import (
    FIRST_BUSINESS_DAY,
    FIRST_INSTANT,
    LAST_BUSINESS_DAY,
    LAST_INSTANT,
    BusinessDate,
    BusinessDateTime,
    Label,
    Name,
    OptionalName,
    Period,
    Quarter,
    Text,
)

BUSINESS_TIME = TypeAdapter(BusinessDateTime)
BUSINESS_DATE = TypeAdapter(BusinessDate)
# Every offset a zone has had since 2000, at the ends of the range and in between.
OFFSETS = [timezone(timedelta(hours=h)) for h in (-12, -9.5, 0, 5.75, 12.75, 14)]
EDGES = [datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)]


def accepted(moment: datetime) -> bool:
    try:
        BUSINESS_TIME.validate_python(moment)
    except ValidationError:
        return False
    return True


@given(
    edge=st.sampled_from(EDGES),
    shift=st.integers(-2 * 86400, 2 * 86400).map(lambda s: timedelta(seconds=s)),
    offset=st.sampled_from(OFFSETS),
)
@example(edge=EDGES[1], shift=timedelta(hours=-1), offset=OFFSETS[0])  # 2099-12-31T23:00Z
def test_an_accepted_business_time_falls_on_a_business_date_in_every_zone(
    edge: datetime, shift: timedelta, offset: timezone
) -> None:
    """The daily log, the register and the reports are asked for by BusinessDate: an
    instant accepted at a site in any zone must fall on a day that can be asked for."""
    moment = (edge + shift).astimezone(offset)
    if accepted(moment):
        for zone in OFFSETS:
            BUSINESS_DATE.validate_python(moment.astimezone(zone).date())


def test_the_window_is_as_wide_as_every_zone_allows() -> None:
    """The first business day is reachable at the westernmost sites, the last at the
    easternmost; a microsecond further is refused."""
    first, last = FIRST_INSTANT, LAST_INSTANT
    assert accepted(first) and accepted(last)
    assert not accepted(first - timedelta(microseconds=1))
    assert not accepted(last + timedelta(microseconds=1))
    assert first.astimezone(OFFSETS[0]).date() == FIRST_BUSINESS_DAY
    assert last.astimezone(OFFSETS[-1]).date() == LAST_BUSINESS_DAY


def test_months_and_quarters_have_one_name_each() -> None:
    """A quarter or month spelled in other digits would be a second name for the same
    period, kept apart by the satisfaction report and the billing tables."""
    for kind, canonical, other in (
        (Quarter, "2033-Q1", "20٣٣-Q1"),
        (Period, "2033-01", "20٣٣-01"),
        (Period, "2033-01", "２０３３-01"),
    ):
        assert TypeAdapter(kind).validate_python(canonical) == canonical
        with pytest.raises(ValidationError):
            TypeAdapter(kind).validate_python(other)


def test_a_period_reaches_the_month_after_the_last_business_day() -> None:
    """A late fee swept on 2099-12-31 joins 2100-01, the month after the last statement
    (CI found the receivable of 2100-01 refused); nothing is booked later than that."""
    months, quarters = TypeAdapter(Period), TypeAdapter(Quarter)
    last_month = f"{LAST_BUSINESS_DAY:%Y-%m}"
    assert months.validate_python(last_month) == "2099-12"
    assert months.validate_python("2100-01") == "2100-01"
    assert quarters.validate_python("2100-Q1") == "2100-Q1"
    for month in ("1999-12", "2101-01", "2100-13", "2100-00"):
        with pytest.raises(ValidationError):
            months.validate_python(month)
    with pytest.raises(ValidationError):
        quarters.validate_python("2101-Q1")


@pytest.mark.parametrize("kind", [Name, Label, Text, OptionalName])
def test_text_is_refused_as_its_schema_refuses_it_before_being_stripped(kind: object) -> None:
    """Schemathesis found `"\\f…"` accepted (stripped to `"…"`) where the published
    pattern refuses it: a control character is refused wherever it stands."""
    adapter = TypeAdapter(kind)
    assert adapter.validate_python("  Lobby\u3000") == "Lobby"  # plain spaces still stripped
    for bad in ("\fLobby", "Lobby\x0b", "\x1cLobby", "Lobby\u202e"):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)
    if kind is not Text:
        with pytest.raises(ValidationError):
            adapter.validate_python("Lobby\n")  # one line: a trailing newline too
