"""The visitor service's methods: its commands (what the gateway accepts as JSON and
forwards over gRPC, validated once, by the service: see contracts.methods), their
requests and answers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Generic, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.fields import (
    BusinessDate,
    BusinessDateTime,
    Name,
    OptionalName,
    PartySize,
    Phone,
    Text,
    UnitNumber,
)
from contracts.methods import Answer, Method, P, Page, SiteCommand, SiteRequest
from contracts.operations_api import ping, set_clock

# An ID document number as printed: letters, digits, spaces and dashes.
IdNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=4, max_length=40, pattern=r"^[A-Za-z0-9\- ]+$"
    ),
]


SITE_UNIT = "A unit of the site with a tenant, once the site's mail directory has reached the desk."


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IdType(StrEnum):
    ID_CARD = "id_card"
    PASSPORT = "passport"
    DRIVING_LICENCE = "driving_licence"
    OTHER = "other"


class IdCheck(Command):
    """ID seen at the desk. The number is only compared with the watchlist, never stored."""

    id_checked: bool = False
    id_type: IdType | None = None
    id_number: IdNumber | None = None

    @model_validator(mode="after")
    def _type_when_checked(self) -> IdCheck:
        if self.id_checked != (self.id_type is not None):
            raise ValueError("id_type is given exactly when id_checked is true")
        return self


class VisitorDetails(Command):
    visitor_name: Name
    visitor_company: OptionalName = None
    host_unit: Annotated[UnitNumber, Field(description=SITE_UNIT)]
    host_name: Name
    purpose: Text
    party_size: PartySize = 1


class PreRegisterVisit(VisitorDetails):
    expected_from: BusinessDateTime
    expected_until: BusinessDateTime


class RegisterArrival(VisitorDetails, IdCheck):
    """An unannounced visitor at the desk."""


class CheckIn(IdCheck):
    pass


class HostDecision(Command):
    approve: bool
    reason: Text | None = None


class DenyVisit(Command):
    reason: Text


class WatchlistScope(StrEnum):
    SITE = "site"
    GROUP = "group"


class AddWatchlistEntry(Command):
    name: Name
    id_number: IdNumber | None = None
    reason: Text
    scope: WatchlistScope = WatchlistScope.SITE


class TakePhoneMessage(Command):
    caller_name: Name
    caller_company: OptionalName = None
    caller_phone: Phone
    reason: Text
    for_unit: Annotated[UnitNumber, Field(description=SITE_UNIT)]
    for_person: Name


class DeliverPhoneMessage(Command):
    acknowledged_by: Name


class FlagOverstays(Command):
    business_date: BusinessDate | None = None


# -- requests and answers ----------------------------------------------------------------


class VisitRef(SiteRequest):
    visit_id: UUID


class OnVisit(VisitRef, Generic[P]):
    """A step of one visit: the visit and the caller's body."""

    payload: P


class PhoneMessageRef(SiteRequest):
    message_id: UUID


class OnPhoneMessage(PhoneMessageRef, Generic[P]):
    payload: P


class DayQuery(SiteRequest):
    date: BusinessDate


class LogQuery(DayQuery, Page):
    """A page of a day's visitor log."""


class PhoneBookQuery(SiteRequest):
    undelivered_only: bool = False


VisitStatus = Literal["expected", "awaiting_host", "checked_in", "checked_out", "denied"]


class VisitView(BaseModel):
    """One visit as it stands after its last event (`version`)."""

    visit_id: UUID
    site_id: UUID
    status: VisitStatus
    visitor_name: str
    visitor_company: str | None
    host_unit: str
    host_name: str
    purpose: str
    party_size: int
    pre_registered: bool
    expected_from: datetime | None
    expected_until: datetime | None
    registered_at: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    id_checked: bool
    id_type: str | None
    denial_reason: str | None
    overstayed_on: list[date]
    version: int


class OverstaysFlagged(BaseModel):
    business_date: date
    flagged: int


class WatchlistEntryAdded(BaseModel):
    entry_id: UUID
    scope: WatchlistScope


class PhoneMessageTaken(BaseModel):
    message_id: UUID


class PhoneMessageDelivered(BaseModel):
    message_id: UUID
    delivered: bool


class VisitRow(Answer):
    """One visit in the building-now view and the daily log: its read-model row
    (`overstayed_on`: the last business day it was flagged as overstayed)."""

    visit_id: UUID
    site_id: UUID
    business_date: date
    visitor_name: str
    visitor_company: str | None
    host_unit: str
    host_name: str
    purpose: str
    party_size: int
    pre_registered: bool
    status: VisitStatus
    expected_from: AwareDatetime | None
    expected_until: AwareDatetime | None
    registered_at: AwareDatetime
    host_notified_at: AwareDatetime | None
    checked_in_at: AwareDatetime | None
    checked_out_at: AwareDatetime | None
    id_checked: bool
    id_type: str | None
    denial_reason: str | None
    overstayed_on: date | None


class HostHour(Answer):
    """Check-ins for one host in one local hour (0-23) of the day."""

    host_unit: str
    host_name: str
    hour: int
    check_ins: int


class PhoneMessageRow(Answer):
    """One message of the switchboard book; `delivered_at` is null until delivered."""

    message_id: UUID
    site_id: UUID
    caller_name: str
    caller_company: str | None
    caller_phone: str
    reason: str
    for_unit: str
    for_person: str
    taken_at: AwareDatetime
    delivered_at: AwareDatetime | None
    acknowledged_by: str | None


SERVICE = "visitor"
PING = ping(SERVICE)
SET_CLOCK = set_clock(SERVICE)
PRE_REGISTER = Method(SERVICE, "PreRegister", SiteCommand[PreRegisterVisit], VisitView)
REGISTER_ARRIVAL = Method(SERVICE, "RegisterArrival", SiteCommand[RegisterArrival], VisitView)
CHECK_IN = Method(SERVICE, "CheckIn", OnVisit[CheckIn], VisitView)
HOST_DECIDES = Method(SERVICE, "HostDecides", OnVisit[HostDecision], VisitView)
DENY = Method(SERVICE, "Deny", OnVisit[DenyVisit], VisitView)
CHECK_OUT = Method(SERVICE, "CheckOut", VisitRef, VisitView)
GET_VISIT = Method(SERVICE, "GetVisit", VisitRef, VisitView, read=True)
FLAG_OVERSTAYS = Method(SERVICE, "FlagOverstays", SiteCommand[FlagOverstays], OverstaysFlagged)
ADD_WATCHLIST_ENTRY = Method(
    SERVICE, "AddWatchlistEntry", SiteCommand[AddWatchlistEntry], WatchlistEntryAdded
)
TAKE_PHONE_MESSAGE = Method(
    SERVICE, "TakePhoneMessage", SiteCommand[TakePhoneMessage], PhoneMessageTaken
)
DELIVER_PHONE_MESSAGE = Method(
    SERVICE, "DeliverPhoneMessage", OnPhoneMessage[DeliverPhoneMessage], PhoneMessageDelivered
)
IN_BUILDING = Method(SERVICE, "InBuilding", SiteRequest, list[VisitRow], read=True)
DAILY_LOG = Method(SERVICE, "DailyLog", LogQuery, list[VisitRow], read=True)
HOST_HOURLY = Method(SERVICE, "HostHourly", DayQuery, list[HostHour], read=True)
PHONE_MESSAGES = Method(SERVICE, "PhoneMessages", PhoneBookQuery, list[PhoneMessageRow], read=True)
