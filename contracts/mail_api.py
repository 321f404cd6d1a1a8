"""The mail service's methods: commands (gateway JSON and gRPC payloads), their requests
and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from contracts.fields import (
    BusinessDate,
    BusinessDateTime,
    Label,
    Name,
    OptionalName,
    Phone,
    Text,
    UnitNumber,
)
from contracts.mail import ArchiveReason, DeliveryOutcome, MailKind
from contracts.methods import Answer, Method, P, Page, SiteCommand, SiteRequest
from contracts.operations_api import ping, set_clock

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


class RefuseMail(Command):
    """A courier's item the desk will not sign for (damaged, cash on delivery, not for
    this building): the register keeps why, when and who refused it."""

    kind: MailKind
    carrier: Name
    tracking_number: Tracking | None = None
    recipient_unit: Annotated[UnitNumber | None, Field(description="When addressed to one.")] = None
    addressed_to: Text | None = None
    reason: Text
    refused_by: Name


class PhoneConsent(Command):
    """The recipient, called by the desk, agreed that a proxy signs for the item."""

    phone: Phone
    given_at: BusinessDateTime


class CollectMail(Command):
    signed_by: Name
    on_behalf_of: OptionalName = None  # set when a named proxy collects
    phone_consent: Annotated[
        PhoneConsent | None,
        Field(
            description="Required when a proxy collects (on_behalf_of): the number called "
            "and when the recipient agreed."
        ),
    ] = None


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


# -- requests and answers ----------------------------------------------------------------


class ItemRef(SiteRequest):
    item_id: UUID


class OnItem(ItemRef, Generic[P]):
    """A step of one item's life: the item and the caller's body."""

    payload: P


class RegisterQuery(SiteRequest, Page):
    date: BusinessDate | None = None  # the site's business day today when not given


class ItemView(BaseModel):
    """One register item as it stands after its last event (`version`)."""

    item_id: UUID
    site_id: UUID
    kind: MailKind
    status: Literal["pending_lookup", "awaiting_pickup", "collected", "archived",
                    "out_for_delivery", "delivered"]  # fmt: skip
    recipient_unit: str | None
    recipient_person: str | None
    urgent: bool
    received_at: datetime
    reminders: int
    version: int


class RefusalView(BaseModel):
    item_id: UUID
    site_id: UUID
    kind: MailKind
    carrier: str
    tracking_number: str | None
    recipient_unit: str | None
    addressed_to: str | None
    reason: str
    refused_by: str
    refused_at: datetime


class DirectoryUpdated(BaseModel):
    units: int


class SweepDone(BaseModel):
    reminders: int
    archived: int


ItemStatus = Literal["pending_lookup", "awaiting_pickup", "collected", "archived", "refused",
                     "out_for_delivery", "delivered"]  # fmt: skip


class MailRow(Answer):
    """One item of the register: its read-model row, every step's time and who signed."""

    item_id: UUID
    site_id: UUID
    business_date: date
    kind: MailKind
    carrier: str | None
    tracking_number: str | None
    recipient_unit: str | None
    recipient_company: str | None
    recipient_person: str | None
    urgent: bool
    pages: int | None
    status: ItemStatus
    received_at: AwareDatetime
    addressed_to: str | None
    notified_at: AwareDatetime | None
    reminders: int
    collected_at: AwareDatetime | None
    signed_by: str | None
    by_proxy: bool | None
    on_behalf_of: str | None
    archived_at: AwareDatetime | None
    archive_reason: ArchiveReason | None
    forwarded_to: str | None
    proxy_consent_phone: str | None
    proxy_consent_at: AwareDatetime | None
    refusal_reason: str | None
    refused_by: str | None
    round_id: UUID | None  # the day's round it went out on, if any
    delivered_at: AwareDatetime | None
    delivered_by: str | None
    left_at_desk_at: AwareDatetime | None  # nobody in: back at the desk, awaiting pickup


class UnitAwaiting(Answer):
    """One unit's items waiting to be collected, urgent first."""

    unit: str
    items: list[MailRow]


class MailAgeing(Answer):
    """Uncollected items (awaiting pickup or pending lookup) by how long they wait:
    "under 1 day", "1-3 days", "3-7 days", "7+ days"."""

    as_of: AwareDatetime
    uncollected: int
    buckets: dict[str, int]


# -- the day's mail and newspaper round (issue 12, item 11) -------------------------------


class RoundStopPlan(Command):
    """One unit on the round: its register items (awaiting pickup) and its newspapers."""

    unit: UnitNumber
    item_ids: list[UUID] = Field(default_factory=list, max_length=200)
    newspapers: list[Label] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _something(self) -> RoundStopPlan:
        if not self.item_ids and not self.newspapers:
            raise ValueError("a stop takes register items, newspapers or both")
        return self


class PlanDeliveryRound(Command):
    planned_by: Name
    stops: list[RoundStopPlan] = Field(min_length=1, max_length=500)

    @field_validator("stops")
    @classmethod
    def _once_each(cls, stops: list[RoundStopPlan]) -> list[RoundStopPlan]:
        units = [stop.unit for stop in stops]
        if len(set(units)) != len(units):
            raise ValueError("each unit is one stop of the round")
        items = [item for stop in stops for item in stop.item_ids]
        if len(set(items)) != len(items):
            raise ValueError("an item goes to one stop, once")
        return stops


class RecordRoundStop(Command):
    unit: UnitNumber
    outcome: DeliveryOutcome
    delivered_by: Name


class RoundRef(SiteRequest):
    business_date: BusinessDate


class OnRound(RoundRef, Generic[P]):
    payload: P


class RoundStopView(BaseModel):
    unit: str
    item_ids: list[UUID]
    newspapers: list[str]
    outcome: DeliveryOutcome | None  # null until the round has been there
    delivered_by: str | None
    at: datetime | None


class RoundView(BaseModel):
    round_id: UUID
    site_id: UUID
    business_date: date
    planned_by: str
    planned_at: datetime
    stops: list[RoundStopView]
    version: int


class RoundStopRow(Answer):
    """One stop of a site's round of a day, from the read model."""

    round_id: UUID
    business_date: date
    unit: str
    item_ids: list[UUID]
    newspapers: list[str]
    outcome: DeliveryOutcome | None
    delivered_by: str | None
    at: AwareDatetime | None


SERVICE = "mail"
PING = ping(SERVICE)
SET_CLOCK = set_clock(SERVICE)
UPDATE_DIRECTORY = Method(
    SERVICE, "UpdateDirectory", SiteCommand[UpdateDirectory], DirectoryUpdated
)
CONFIGURE = Method(SERVICE, "Configure", SiteCommand[ConfigureMail], ConfigureMail)
RECEIVE = Method(SERVICE, "Receive", SiteCommand[ReceiveMail], ItemView)
RESOLVE = Method(SERVICE, "Resolve", OnItem[ResolveRecipient], ItemView)
COLLECT = Method(SERVICE, "Collect", OnItem[CollectMail], ItemView)
REFUSE = Method(SERVICE, "Refuse", SiteCommand[RefuseMail], RefusalView)
ARCHIVE = Method(SERVICE, "Archive", OnItem[ArchiveMail], ItemView)
GET_ITEM = Method(SERVICE, "GetItem", ItemRef, ItemView, read=True)
SWEEP = Method(SERVICE, "Sweep", SiteRequest, SweepDone)
AWAITING_PICKUP = Method(SERVICE, "AwaitingPickup", SiteRequest, list[UnitAwaiting], read=True)
REGISTER = Method(SERVICE, "Register", RegisterQuery, list[MailRow], read=True)
AGEING = Method(SERVICE, "Ageing", SiteRequest, MailAgeing, read=True)

# -- the day's mail and newspaper round (issue 12, item 11) -------------------------------
PLAN_ROUND = Method(SERVICE, "PlanRound", OnRound[PlanDeliveryRound], RoundView)
RECORD_STOP = Method(SERVICE, "RecordRoundStop", OnRound[RecordRoundStop], RoundView)
ROUND = Method(SERVICE, "Round", RoundRef, list[RoundStopRow], read=True)
