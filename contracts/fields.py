"""Constrained field types shared by the command models of every context."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
OptionalName = Annotated[
    str | None, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
UnitNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=r"^[\w\-./ ]+$"),
]
# Mainland mobile/landline or international, digits with optional + and separators.
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-()]{5,19}$"),
]
PartySize = Annotated[int, Field(ge=1, le=100)]
