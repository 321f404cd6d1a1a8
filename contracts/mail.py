"""Published events of the mail room, topic `concierge.mail.v1`.

Items are never opened or read: the register holds what is on the outside only.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

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


# -- the day's round: mail and newspapers taken to the units (issue 12, item 11) ---------


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    NOT_AT_HOME = "not_at_home"  # the items go back to the desk, awaiting pickup


class RoundStop(BaseModel):
    """One unit on the round: register items for it, and the newspapers it takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    item_ids: list[UUID]
    newspapers: list[str]


class DeliveryRoundPlanned(ContractEvent):
    """The site's round of a local day (seed 002: "每天报纸书刊的分发工作"; seed 000: "根據
    郵件收件人信息,及時將郵件分類整理,並送至相應部門或人員手中")."""

    context: ClassVar[str] = "mail"

    round_id: UUID
    business_date: date
    stops: list[RoundStop]
    planned_by: str
    occurred_at: AwareDatetime


class DeliveryRoundStopRecorded(ContractEvent):
    """What happened at one unit of the round: delivered, or nobody in (the items are
    left at the desk); who went and when."""

    context: ClassVar[str] = "mail"

    round_id: UUID
    business_date: date
    unit: str
    outcome: DeliveryOutcome
    delivered_by: str
    item_ids: list[UUID]
    newspapers: list[str]
    occurred_at: AwareDatetime


class MailOutForDelivery(MailEvent):
    round_id: UUID
    recipient_unit: str


class MailDeliveredToUnit(MailEvent):
    round_id: UUID
    recipient_unit: str
    delivered_by: str


class MailLeftAtDesk(MailEvent):
    """Brought back from the round (nobody in): awaiting pickup at the desk again."""

    round_id: UUID
    recipient_unit: str


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
    DeliveryRoundPlanned,
    DeliveryRoundStopRecorded,
    MailOutForDelivery,
    MailDeliveredToUnit,
    MailLeftAtDesk,
)
