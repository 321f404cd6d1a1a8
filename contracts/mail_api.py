"""Commands of the mail service (gateway JSON and gRPC payloads)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from contracts.fields import Name, OptionalName, Text, UnitNumber
from contracts.mail import MailKind

Tracking = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=60,
                                            pattern=r"^[A-Za-z0-9\-]+$")]  # fmt: skip


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReceiveMail(Command):
    kind: MailKind
    carrier: OptionalName = None
    tracking_number: Tracking | None = None
    recipient_unit: UnitNumber | None = None  # None: recipient unknown, pending lookup
    recipient_company: OptionalName = None
    recipient_person: OptionalName = None
    urgent: bool = False
    pages: Annotated[int, Field(ge=1, le=1000)] | None = None
    addressed_to: Text | None = None  # the address as written, when the unit is unknown

    @model_validator(mode="after")
    def _consistent(self) -> ReceiveMail:
        if (self.pages is not None) != (self.kind == MailKind.FAX):
            raise ValueError("pages are given for faxes, and only for faxes")
        if self.recipient_unit is None and not self.addressed_to:
            raise ValueError("without a recipient unit, give the address as written")
        return self


class ResolveRecipient(Command):
    recipient_unit: UnitNumber
    recipient_company: OptionalName = None
    recipient_person: OptionalName = None


class CollectMail(Command):
    signed_by: Name
    on_behalf_of: OptionalName = None  # set when a named proxy collects


class ArchiveMail(Command):
    reason: Literal["moved_out", "forwarded"]
    forwarded_to: Text | None = None

    @model_validator(mode="after")
    def _address_when_forwarded(self) -> ArchiveMail:
        if (self.reason == "forwarded") != (self.forwarded_to is not None):
            raise ValueError("forwarded_to is given exactly when the item is forwarded")
        return self


class DirectoryEntry(Command):
    unit: UnitNumber
    company: OptionalName = None
    contact_name: OptionalName = None
    contact_email: EmailStr | None = None
    moved_out: bool = False


class UpdateDirectory(Command):
    entries: list[DirectoryEntry] = Field(min_length=1, max_length=20000)


class ConfigureMail(Command):
    reminder_hours: Annotated[int, Field(ge=1, le=720)] = 24
    lookup_days: Annotated[int, Field(ge=1, le=60)] = 3
