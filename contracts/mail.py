"""Published events of the mail room, topic `concierge.mail.v1`.

Items are never opened or read: the register holds what is on the outside only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from contracts.base import AwareDatetime, ContractEvent


class MailKind(StrEnum):
    LETTER = "letter"
    PARCEL = "parcel"
    NEWSPAPER = "newspaper"
    FAX = "fax"
    REGISTERED = "registered"
    EXPRESS = "express"


class ArchiveReason(StrEnum):
    UNRESOLVED = "unresolved"  # recipient still unknown after the site's lookup days
    MOVED_OUT = "moved_out"
    FORWARDED = "forwarded"


class MailEvent(ContractEvent):
    context: ClassVar[str] = "mail"

    item_id: UUID
    occurred_at: AwareDatetime


class MailReceived(MailEvent):
    kind: MailKind
    carrier: str | None
    tracking_number: str | None
    recipient_unit: str | None
    recipient_company: str | None
    recipient_person: str | None
    urgent: bool
    pages: int | None


class MailRecipientUnknown(MailEvent):
    addressed_to: str


class MailRecipientResolved(MailEvent):
    recipient_unit: str
    recipient_company: str | None
    recipient_person: str | None
    resolved_by: str


class RecipientNotified(MailEvent):
    recipient_unit: str
    recipient_person: str | None
    urgent: bool
    kind: MailKind


class MailReminderSent(MailEvent):
    recipient_unit: str
    reminder: int


class MailCollected(MailEvent):
    signed_by: str
    by_proxy: bool
    on_behalf_of: str | None


class MailProxyConsentRecorded(MailEvent):
    """Before a proxy signs, the recipient agreed by phone (seed 002: "对于收件客户本人不在
    的快件而需由他人代签的, ... 必须打电话征得收件本人的同意")."""

    recipient: str
    phone: str
    given_at: AwareDatetime


class MailRefused(MailEvent):
    """A courier's item the desk refused to sign for: why, when, and who refused it."""

    kind: MailKind
    carrier: str
    tracking_number: str | None
    recipient_unit: str | None
    addressed_to: str | None
    reason: str
    refused_by: str


class MailArchived(MailEvent):
    reason: ArchiveReason
    forwarded_to: str | None


class MailDirectoryUpdated(ContractEvent):
    """Units entered or changed in a site's mail directory, and which of them the tenant
    has moved out of (contacts stay inside the mail room): the roster other contexts
    check a site's units against."""

    context: ClassVar[str] = "mail"

    units: list[str]
    moved_out: list[str]  # the units above whose tenant has moved out
    occurred_at: AwareDatetime


EVENTS: tuple[type[ContractEvent], ...] = (
    MailReceived,
    MailRecipientUnknown,
    MailRecipientResolved,
    RecipientNotified,
    MailReminderSent,
    MailCollected,
    MailArchived,
    MailProxyConsentRecorded,
    MailRefused,
    MailDirectoryUpdated,
)
