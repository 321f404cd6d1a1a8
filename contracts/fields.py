"""The one set of bounded field types every command model uses.

Whatever a command accepts, every read model and export must be able to show: text
that PostgreSQL can store and a spreadsheet can hold, dates a calendar can step past,
amounts a correction can undo. So the bounds live here, once, and the command models
of every context are written with these types only (never a bare `str`, `date` or
`Decimal`).

- Text never holds control characters (NUL, ESC, C1 ...), bidi overrides (a name that
  renders backwards) or non-characters; lone surrogates are refused by pydantic itself.
  Multi-line text may hold tab, CR and LF.
- Business dates lie in 2000-01-01 .. 2099-12-31; a business time is an instant whose
  date is in that window in every time zone (so whatever day a site's zone puts it
  on can be asked for); periods and quarters are inside those years.
- Money has 2 places and is at most `MAX_AMOUNT`, the largest correction an adjustment
  can book, so anything accepted can also be undone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

# Characters no text field accepts: C0 and C1 controls (and DEL), the bidi embedding,
# override and isolate controls, and the two non-characters at the end of the BMP.
_FORBIDDEN = r"\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff"
# Multi-line text may also hold tab, LF and CR.
_FORBIDDEN_MULTILINE = (
    r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff"
)
SINGLE_LINE = rf"^[^{_FORBIDDEN}]*$"
MULTI_LINE = rf"^[^{_FORBIDDEN_MULTILINE}]*$"


def _refuse_before_stripping(pattern: str) -> BeforeValidator:
    """Surrounding whitespace is stripped, but a control character is refused wherever
    it stands, before that: `"\fLobby"` must not become `"Lobby"`, since the published
    schema (the pattern) refuses it and a client validating by it would disagree."""
    allowed = re.compile(pattern)

    def check(value: object) -> object:
        if isinstance(value, str) and not allowed.fullmatch(value):
            raise ValueError("must not hold control or bidi-override characters")
        return value

    return BeforeValidator(check)


_SINGLE_LINE_RAW = _refuse_before_stripping(SINGLE_LINE)


def _line(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=SINGLE_LINE
    )


Name = Annotated[str, _line(120), _SINGLE_LINE_RAW]
OptionalName = Annotated[str | None, _line(120), _SINGLE_LINE_RAW]
Label = Annotated[str, _line(200), _SINGLE_LINE_RAW]  # a location, a short description, a finding
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=MULTI_LINE),
    _refuse_before_stripping(MULTI_LINE),
]
UnitNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=r"^[\w\-./ ]+$"),
]
# Mainland mobile/landline or international, digits with optional + and separators.
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-()]{5,19}$"),
]
# Identifiers chosen by people (payment references, adjustment ids): they travel in URL
# paths, so only characters that need no escaping there (RFC 3986 unreserved).
Reference = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._~\-]+$"
    ),
]
PartySize = Annotated[int, Field(ge=1, le=100)]

# -- time --------------------------------------------------------------------------------

FIRST_BUSINESS_DAY = date(2000, 1, 1)
LAST_BUSINESS_DAY = date(2099, 12, 31)
_WINDOW = f"between {FIRST_BUSINESS_DAY} and {LAST_BUSINESS_DAY}"
# Every zone a site can be in has an offset from UTC-12 to UTC+14. An instant is a
# business time only if its date is inside the window wherever the site is: its date
# keys the daily log, the register and the reports, which are asked for by BusinessDate.
_WESTERNMOST, _EASTERNMOST = timedelta(hours=-12), timedelta(hours=14)
FIRST_INSTANT = datetime.combine(FIRST_BUSINESS_DAY, time.min, UTC) - _WESTERNMOST
LAST_INSTANT = datetime.combine(LAST_BUSINESS_DAY, time.max, UTC) - _EASTERNMOST


def _in_window(moment: datetime) -> datetime:
    if not FIRST_INSTANT <= moment <= LAST_INSTANT:
        raise ValueError(
            f"must be from {FIRST_INSTANT.isoformat()} to {LAST_INSTANT.isoformat()}"
            f" (a date {_WINDOW} in every time zone)"
        )
    return moment


BusinessDate = Annotated[
    date,
    Field(ge=FIRST_BUSINESS_DAY, le=LAST_BUSINESS_DAY, description=f"A date {_WINDOW}."),
]
BusinessDateTime = Annotated[
    AwareDatetime,
    AfterValidator(_in_window),
    Field(description=f"An instant with its UTC offset, {_WINDOW} in every time zone."),
]
# A billing month `YYYY-MM` and a quarter `YYYY-Qn`, in the years 2000-2100, in ASCII
# digits: `\d` would let `20٣٣-Q1` in, a second name for 2033-Q1 that reports keep apart.
# 2100 because money is booked up to the month after today and a late charge joins the
# next month not yet issued: a late fee swept on the last business day (2099-12-31) is
# booked in 2100-01, and every table must be able to show it.
Period = Annotated[str, StringConstraints(pattern=r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
Quarter = Annotated[str, StringConstraints(pattern=r"^(20[0-9]{2}|2100)-Q[1-4]$")]

# -- money and quantities ----------------------------------------------------------------

MAX_AMOUNT = Decimal("100000000")  # 1e8: the largest adjustment, so the largest posting

Money = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, le=MAX_AMOUNT, decimal_places=2)]
SignedMoney = Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, decimal_places=2)]

# -- tenancy -----------------------------------------------------------------------------

# An internal telephone extension (分机): ASCII digits only.
Extension = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{1,8}$")]
# A meter's register at handover (water, electricity, gas): at most 9 digits and 3 places.
MeterReading = Annotated[Decimal, Field(ge=0, lt=Decimal("1000000000"), decimal_places=3)]

# -- operations --------------------------------------------------------------------------

# A local time of day a schedule names (a patrol checkpoint at 09:30), `HH:MM`, 24-hour.
TimeOfDay = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
]
