"""Hypothesis strategies that draw VALID commands from the command models themselves.

`command(Model)` walks the model's fields: the shared field types of `contracts.fields`
get strategies that reach their edges (any text their own pattern lets in, with exotic
Unicode and maximum lengths; the first and last business day in any zone; the largest
amount); any other constrained type (phone, reference, period, quarter, the contexts'
own types) is drawn from its own constraints (pattern, bounds, decimal places). Every
drawn value is checked against its field type, so a strategy that drifts from the
contract fails loudly instead of testing something the gateway would refuse. The
model's own rules (model validators, validators reading other fields) are honoured by
discarding the draws they refuse.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import UTC, timedelta, timezone
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from pydantic import BaseModel, EmailStr, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from contracts import fields

M = TypeVar("M", bound=BaseModel)

# -- text ----------------------------------------------------------------------------------

# Pieces a person may really type or paste: CJK (with an astral ideograph), emoji with
# ZWJ and flags, combining marks, right-to-left letters and marks, Unicode spaces and
# separators (U+2028 line separator, U+2029 paragraph separator), private use, the BOM,
# and characters that mean something to CSV, spreadsheets, HTML and SQL.
EXOTIC = (
    "中", "文", "字", "𠀀", "😀", "👩‍🔧", "🇨🇳", "e\u0301", "\u0301", "ש", "ע", "ب", "ة",
    "\u200f", "\u200e", "\u061c", "\u2028", "\u2029", "\u00a0", "\u3000", "\u200b", "\u200d",
    "\ufeff", "\ue000", "\U0010fffd", "\ufdd0", "ß", "İ", "ﬁ", "Ⅻ", "٣", "'", '"', ",", ";",
    "=", "+", "-", "@", "<", ">", "&", "\\", "%", "_", "0", "NaN", "1e5", "00012",
)  # fmt: skip
# What broke the read models before (issue 8.2): drawn whenever a field type lets them in.
HOSTILE = ("\x00", "\x1b", "\x7f", "\x85", "\x9b", "\u202e", "\u2066", "\ufffe", "\t", "\n", "\r\n")


@cache
def _alphabet(pattern: str) -> st.SearchStrategy[str]:
    """Characters and pieces that a text field's own pattern lets in (so a looser
    field type is tested with what it newly lets in). Lone surrogates never: pydantic
    refuses any string holding one."""
    allowed = re.compile(pattern).fullmatch
    bmp = (chr(c) for c in (*range(0xD800), *range(0xE000, 0x10000)))
    refused = "".join(c for c in bmp if not allowed(c))
    return st.one_of(
        st.characters(codec="utf-8", exclude_characters=refused),
        st.sampled_from([piece for piece in EXOTIC + HOSTILE if allowed(piece)]),
    )


def text(pattern: str, max_length: int) -> st.SearchStrategy[str]:
    """Text matching `pattern`, up to `max_length` characters and often exactly that
    long (a short draw repeated), maybe padded with spaces that the model strips."""
    short = st.lists(_alphabet(pattern), min_size=1, max_size=min(max_length, 24)).map("".join)
    body = st.one_of(
        short.map(lambda s: s[:max_length]),
        short.map(lambda s: (s * max_length)[:max_length]),
    )
    padding = st.sampled_from(["", " ", "\u3000", " \u00a0"])
    return st.tuples(padding, body, padding).map("".join)


# -- time ----------------------------------------------------------------------------------

# Zones at the ends of the offset range, with odd offsets, negative DST, and a skipped day.
EDGE_ZONES = (
    "Pacific/Kiritimati", "Etc/GMT+12", "Pacific/Chatham", "Asia/Kathmandu",
    "America/St_Johns", "Australia/Lord_Howe", "Europe/Dublin", "Pacific/Apia",
    "Asia/Shanghai", "UTC",
)  # fmt: skip
zones = st.one_of(
    st.sampled_from(EDGE_ZONES),
    st.timezone_keys(allow_prefix=False),
)
business_dates = st.one_of(
    st.sampled_from([fields.FIRST_BUSINESS_DAY, fields.LAST_BUSINESS_DAY]),
    st.dates(fields.FIRST_BUSINESS_DAY, fields.LAST_BUSINESS_DAY),
)
instants = st.one_of(
    st.sampled_from([fields.FIRST_INSTANT, fields.LAST_INSTANT]),
    st.datetimes(
        fields.FIRST_INSTANT.replace(tzinfo=None), fields.LAST_INSTANT.replace(tzinfo=None),
        timezones=st.just(UTC),
    ),
)  # fmt: skip
offsets = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
# Any instant of the window (its ends included), as a site in any zone or a client at
# any offset writes it: at the ends, the first and last business days somewhere.
business_datetimes = st.builds(
    lambda moment, zone: moment.astimezone(zone),
    instants,
    st.one_of(zones.map(ZoneInfo), offsets),
)
# The business clock keeps ticking once set: it is set a few minutes before the last
# business time at the latest, so a test's commands still happen inside the window.
clock_moments = business_datetimes.map(
    lambda moment: min(moment, fields.LAST_INSTANT - timedelta(minutes=5)).astimezone(moment.tzinfo)
)


# -- money ---------------------------------------------------------------------------------


def amounts(low: Decimal, high: Decimal, places: int = 2) -> st.SearchStrategy[Decimal]:
    """Amounts in [low, high] with `places` decimals, the bounds themselves included."""
    edges = [low, high, *(d for d in (Decimal(0), Decimal(1).scaleb(-places)) if low <= d <= high)]
    return st.one_of(
        st.sampled_from(edges),
        st.decimals(low, high, places=places, allow_nan=False, allow_infinity=False),
    )


CENT = Decimal("0.01")

SHARED: list[tuple[Any, st.SearchStrategy[Any]]] = [
    (fields.Name, text(fields.SINGLE_LINE, 120)),
    (fields.OptionalName, st.none() | text(fields.SINGLE_LINE, 120)),
    (fields.Label, text(fields.SINGLE_LINE, 200)),
    (fields.Text, text(fields.MULTI_LINE, 2000)),
    (fields.BusinessDate, business_dates),
    (fields.BusinessDateTime, business_datetimes),
    (fields.Money, amounts(Decimal(0), fields.MAX_AMOUNT)),
    (fields.PositiveMoney, amounts(CENT, fields.MAX_AMOUNT)),
    (fields.SignedMoney, amounts(-fields.MAX_AMOUNT, fields.MAX_AMOUNT)),
]
# Unit numbers: the pattern's \w is Unicode (letters, marks, digits, connectors, ZWJ).
_UNIT_PIECES = st.one_of(
    st.characters(categories=("L", "Mn", "Mc", "Nd", "Pc")),
    st.sampled_from(["-", ".", "/", " ", "_", "\u0301", "\u200d", "中", "١", "Ⅻ", "A", "1"]),
)
SHARED.append((fields.UnitNumber, st.lists(_UNIT_PIECES, min_size=1, max_size=20).map("".join)))


# -- models --------------------------------------------------------------------------------


def command(model: type[M], **overrides: st.SearchStrategy[Any]) -> st.SearchStrategy[M]:
    """Valid instances of `model`; `overrides` draw chosen fields (e.g. a known unit)."""
    if not overrides:
        return _command(model)
    return _build(model, overrides)


@cache
def _command(model: type[M]) -> st.SearchStrategy[M]:
    return _build(model, {})


def _build(model: type[M], overrides: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[M]:
    hints = typing.get_type_hints(model, include_extras=True)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        strategy = overrides[name] if name in overrides else field_strategy(hints[name], info)
        (required if info.is_required() or name in overrides else optional)[name] = strategy
    drafts = st.fixed_dictionaries(required, optional=optional)
    return drafts.map(lambda draft: _validated(model, hints, draft)).filter(_kept)


def _validated(model: type[M], hints: dict[str, Any], draft: dict[str, Any]) -> M | None:
    """The model of a draft; None when only the model's own rules refuse it (a model
    validator, or a field validator reading other fields) while each value it names is
    valid for its type. A value its own type refuses is a strategy that drifted: raised."""
    try:
        return model.model_validate(draft)
    except ValidationError as exc:
        named = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        # A field left out keeps its default, which a field validator may refuse.
        if all(name not in draft or _accepted(hints[name], draft[name]) for name in named):
            return None
        raise


def _kept(value: Any) -> bool:
    return value is not None


def field_strategy(hint: Any, info: FieldInfo | None = None) -> st.SearchStrategy[Any]:
    """Values of one field type that the type itself accepts."""
    for shared, strategy in SHARED:
        if hint == shared or _narrows(hint, shared):
            return _checked(hint, strategy)
    constraints = _constraints(info.metadata if info else [])
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        inner, *metadata = args
        return _checked(hint, _from_constraints(inner, {**_constraints(metadata), **constraints}))
    if origin in (typing.Union, types.UnionType):
        # Field-level bounds (`int | None = Field(ge=0)`) constrain the non-None member.
        return st.one_of(*(_from_constraints(arg, constraints) for arg in args))
    return _from_constraints(hint, constraints)


def _narrows(hint: Any, shared: Any) -> bool:
    """`hint` is a shared type with more rules added (`Annotated[UnitNumber, ...]`)."""
    if get_origin(hint) is not Annotated or get_origin(shared) is not Annotated:
        return False
    (base, *rules), (shared_base, *shared_rules) = get_args(hint), get_args(shared)
    return bool(base == shared_base and rules[: len(shared_rules)] == shared_rules)


def _from_constraints(kind: Any, limits: dict[str, Any]) -> st.SearchStrategy[Any]:
    origin, args = get_origin(kind), get_args(kind)
    if kind is type(None):
        return st.none()
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(field_strategy(arg) for arg in args))
    if origin is Annotated or any(kind == shared for shared, _ in SHARED):
        return field_strategy(kind)
    if origin is list:
        return st.lists(field_strategy(args[0]), min_size=limits.get("min_length", 0),
                        max_size=min(limits.get("max_length", MAX_ITEMS), MAX_ITEMS))  # fmt: skip
    if origin is dict:
        return st.dictionaries(
            field_strategy(args[0]), field_strategy(args[1]),
            min_size=limits.get("min_length", 0),
            max_size=min(limits.get("max_length", MAX_ITEMS), MAX_ITEMS),
        )  # fmt: skip
    if origin is Literal:
        return st.sampled_from(args)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return command(kind)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return st.sampled_from(list(kind))
    if kind is bool:
        return st.booleans()
    if kind is int:
        low = limits.get("ge", limits["gt"] + 1 if "gt" in limits else -(2**31))
        high = limits.get("le", limits["lt"] - 1 if "lt" in limits else 2**31)
        return st.one_of(st.sampled_from([low, high]), st.integers(low, high))
    if kind is Decimal:
        places = limits.get("decimal_places", 2)
        step = Decimal(1).scaleb(-places)
        low = limits.get("ge", limits["gt"] + step if "gt" in limits else Decimal(-(10**9)))
        high = limits.get("le", limits["lt"] - step if "lt" in limits else Decimal(10**9))
        return amounts(Decimal(low), Decimal(high), places)
    if kind is str and "pattern" in limits:
        pattern = limits["pattern"].removeprefix("^").removesuffix("$")
        return st.from_regex(pattern, fullmatch=True)
    if kind is UUID:
        return st.uuids()
    if kind is EmailStr:
        return _checked(kind, st.one_of(st.emails(), st.sampled_from(INTERNATIONAL_EMAILS)))
    return st.from_type(kind)


# Addresses with non-ASCII local parts or domains (RFC 6531), which EmailStr accepts.
INTERNATIONAL_EMAILS = ("用户@例子.广告", "josé@correo.es", "user@bücher.de", "иван@почта.рф")
# Lists and maps are drawn short: the property is about what each item holds.
MAX_ITEMS = 6


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    """Bounds, lengths, pattern and decimal places named by pydantic/annotated-types."""
    found: dict[str, Any] = {}
    for item in metadata:
        nested = item.metadata if isinstance(item, FieldInfo) else [item]
        for part in nested:
            for key in ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern",
                        "decimal_places"):  # fmt: skip
                value = getattr(part, key, None)
                if value is not None:
                    found[key] = value
    return found


def _checked(hint: Any, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return strategy.filter(lambda value: _accepted(hint, value))


def _accepted(hint: Any, value: Any) -> bool:
    try:
        _adapter(hint).validate_python(value)
    except ValidationError:
        return False
    return True


@cache
def _adapter(hint: Any) -> TypeAdapter[Any]:
    return TypeAdapter(hint)


def as_sent(cmd: M) -> M:
    """The command as the service receives it: its JSON, validated in strict JSON mode.

    Validating what was already valid must give the same command (stripping, rounding
    and zone handling are idempotent), or a client's JSON of a command would not mean it.
    """
    received = type(cmd).model_validate_json(cmd.model_dump_json(), strict=True)
    assert received == cmd, f"{type(cmd).__name__} changed on the wire: {cmd!r} -> {received!r}"
    return received
