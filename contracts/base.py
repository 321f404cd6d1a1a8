"""Base of every published event contract: closed, explicit, versioned."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict


def _must_be_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("datetime must carry a UTC offset")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_must_be_aware)]


class ContractEvent(BaseModel):
    """A fact one context publishes for others (and BI) to consume.

    Closed (`extra="forbid"`) so a producer cannot leak fields by accident and the
    exported JSON Schema says `additionalProperties: false`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Filled in by each context's contract module.
    context: ClassVar[str] = ""
    version: ClassVar[int] = 1

    site_id: UUID

    @classmethod
    def event_type(cls) -> str:
        """The CloudEvents `type`, e.g. `concierge.visitor.VisitorCheckedIn.v1`."""
        return f"concierge.{cls.context}.{cls.__name__}.v{cls.version}"
