"""The visitor service's methods: its commands (what the gateway accepts as JSON and
forwards over gRPC, validated once, by the service: see contracts.methods), their
requests and answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Generic, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.fields import (
    BusinessDate,
    BusinessDateTime,
    Label,
    Name,
    OptionalName,
    PartySize,
    Period,
    Phone,
    Reference,
    Text,
    UnitNumber,
)
from contracts.methods import Answer, Method, P, Page, SiteCommand, SiteRequest
from contracts.methods import Request as MethodRequest
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


# -- the switchboard's call register (seed 000) ------------------------------------------


class CallCategory(StrEnum):
    """What a call was about, the register's classes for the weekly filing."""

    ENQUIRY = "enquiry"
    TRANSFER = "transfer"
    REPAIR = "repair"
    COMPLAINT = "complaint"
    BUSINESS = "business"
    DELIVERY = "delivery"
    OTHER = "other"


class RecordCall(Command):
    caller_name: Name
    caller_company: OptionalName = None
    caller_number: Phone
    reason: Text
    category: CallCategory
    important: bool = False
    passed_to: Annotated[
        OptionalName,
        Field(description="Department or person the call was passed to; required when important."),
    ] = None


class SignForCall(Command):
    signed_by: Name


class FollowUpCall(Command):
    progress: Text
    by: Name


class CompleteCall(Command):
    result: Text
    signed_by: Name


class CallView(BaseModel):
    """One call of the register, as every reply and list shows it."""

    call_id: UUID
    site_id: UUID
    business_date: date
    received_at: datetime
    caller_name: str
    caller_company: str | None
    caller_number: str
    reason: str
    category: CallCategory
    important: bool
    passed_to: str | None
    status: str
    signed_for_by: str | None
    follow_ups: int
    last_progress: str | None
    result: str | None
    signed_off_by: str | None


class CallTally(BaseModel):
    business_date: date
    category: CallCategory
    calls: int
    important: int
    important_open: int


class WeeklyCallSummary(BaseModel):
    """The week's register filed by date and category (seed 000: "按照日期、類別")."""

    week_start: date
    week_end: date
    calls: int
    important_open: int
    by_date_and_category: list[CallTally]


# -- the desk's day: opening checks, shift handovers, closing checks (seed 002) -----------


class Shift(StrEnum):
    MORNING = "morning"
    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"


class OpeningChecks(BaseModel):
    """Seed 002 "上班后": every item answered, true when it was found in order."""

    model_config = ConfigDict(extra="forbid")

    desk_tidy: bool  # 整理、清洁前台周边工作环境卫生
    equipment_working: bool  # 检查办公设备是否正常运行
    refreshments_ready: bool  # 茶、水提前准备


class ClosingChecks(BaseModel):
    """Seed 002 "下班前": every item answered, true when it was found in order."""

    model_config = ConfigDict(extra="forbid")

    offices_secured: bool  # 门窗、办公设备、电源等的及时关闭
    public_areas_safe: bool  # 公共办公区域相关设施、设备等安全


NOTE = "What was wrong and what was done; required when a check failed."
OpenItems = Annotated[list[Label], Field(max_length=50)]


class OpenDesk(Command):
    opened_by: Name
    checks: OpeningChecks
    note: Annotated[Text | None, Field(description=NOTE)] = None


class HandOverShift(Command):
    from_shift: Shift
    to_shift: Shift
    handed_over_by: Name
    open_items: OpenItems = []


class AcknowledgeHandover(Command):
    acknowledged_by: Name


class CloseDesk(Command):
    closed_by: Name
    checks: ClosingChecks
    note: Annotated[Text | None, Field(description=NOTE)] = None
    summary: Text
    for_tomorrow: OpenItems = []


class HandoverView(BaseModel):
    number: int
    from_shift: Shift
    to_shift: Shift
    handed_over_by: str
    handed_over_at: datetime
    open_items: list[str]
    acknowledged_by: str | None
    acknowledged_at: datetime | None


class DeskDayView(BaseModel):
    """A site's desk day: opening, handovers, closing, and what the day before left."""

    desk_day_id: UUID
    site_id: UUID
    business_date: date
    opened_by: str
    opened_at: datetime
    opening_checks: OpeningChecks
    opening_note: str | None
    handovers: list[HandoverView]
    closed_by: str | None
    closed_at: datetime | None
    closing_checks: ClosingChecks | None
    closing_note: str | None
    summary: str | None
    for_tomorrow: list[str]
    carried_over: Annotated[
        list[str], Field(description="The items the day before closed with, for today.")
    ]
    vips: Annotated[
        list[VipReceptionView],
        Field(
            default_factory=list,
            description="The VIPs due that day with their visit's status at the desk "
            "(seed 002: the desk knows its VIP guests of the day).",
        ),
    ]


# -- VIP reception (seed 002) -------------------------------------------------------------


class VipLevel(StrEnum):
    """The reception level (接待规格), fixed before the guest comes."""

    STANDARD = "standard"
    SENIOR = "senior"
    EXECUTIVE = "executive"


class RoomSetup(StrEnum):
    """The meeting room's set-up (seed 002 接待会议室布置)."""

    SEASONAL_FRUIT = "seasonal_fruit"
    TEA = "tea"
    BOTTLED_WATER = "bottled_water"
    TISSUES = "tissues"
    SEATING_PLAN = "seating_plan"
    NAME_CARDS = "name_cards"
    BROCHURES = "brochures"
    PROJECTOR = "projector"


class Pickup(BaseModel):
    """The guest is collected (station, airport, hotel) at a time before they are due."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    place: Label
    at: BusinessDateTime


class PlanVipReception(PreRegisterVisit):
    """Pre-registers the visit and fixes how the guest is received."""

    level: VipLevel
    escorts: Annotated[list[Name], Field(min_length=1, max_length=10)]
    meeting_room: Label | None = None
    room_setup: Annotated[list[RoomSetup], Field(max_length=len(RoomSetup))] = []
    pickup: Pickup | None = None


class ConfirmVipReception(Command):
    confirmed_by: Name
    confirmed_with: Annotated[Name, Field(description="Who confirmed on the guest's side.")]


class VipReceptionView(BaseModel):
    reception_id: UUID
    visit_id: UUID
    site_id: UUID
    business_date: date
    expected_from: datetime
    guest_name: str
    guest_company: str | None
    host_unit: str
    host_name: str
    level: VipLevel
    escorts: list[str]
    meeting_room: str | None
    room_setup: list[RoomSetup]
    pickup: Pickup | None
    confirmed_by: str | None
    confirmed_with: str | None
    confirmed_at: datetime | None
    visit_status: Annotated[str | None, Field(description="The visit's status at the desk.")]


# -- watchlist alerts --------------------------------------------------------------------


class AcknowledgeWatchlistAlert(Command):
    acknowledged_by: Name
    action: Annotated[Text, Field(description="What was done about the person at the desk.")]


class WatchlistAlertView(BaseModel):
    alert_id: UUID
    site_id: UUID
    group_wide: bool
    visitor_name: str
    host_unit: str
    visit_id: UUID | None
    notify: list[str]
    raised_at: datetime
    acknowledged_by: str | None
    action: str | None
    acknowledged_at: datetime | None


# -- luggage held at the desk --------------------------------------------------------------


class DepositLuggage(Command):
    tag: Annotated[Reference, Field(description="The number on the tag the owner keeps.")]
    owner_name: Name
    pieces: Annotated[int, Field(ge=1, le=50)]
    description: Label
    deposited_by: Name


class CollectLuggage(Command):
    collected_by: Name


class LuggageView(BaseModel):
    deposit_id: UUID
    site_id: UUID
    tag: str
    owner_name: str
    pieces: int
    description: str
    deposited_by: str
    deposited_at: datetime
    collected_by: str | None
    collected_at: datetime | None


# -- the monthly reception-time statistic (seed 004) ---------------------------------------


class SetReceptionStandard(Command):
    standard_minutes: Annotated[int, Field(ge=1, le=240)]
    set_by: Name


class ReceptionStandardView(BaseModel):
    site_id: UUID
    standard_minutes: int


class MonthlyReceptionTime(BaseModel):
    """Seed 004: "每月统计客户接待时间,与标准接待时间进行对比". Measured for visitors who
    arrive unannounced, from their arrival at the desk to being checked in or turned
    away; a pre-registered visitor is checked in on arrival."""

    period: Period
    standard_minutes: int
    served: int
    within_standard: int
    share_within_standard: Decimal | None
    average_minutes: Decimal | None
    longest_minutes: Decimal | None
    meets_standard: bool | None


# -- building notices (seed 001) -----------------------------------------------------------


class NoticeChannel(StrEnum):
    PHONE = "phone"
    LETTER = "letter"
    VISIT = "visit"
    POSTING = "posting"


class IssueBuildingNotice(Command):
    subject: Label
    content: Text
    issued_by: Name


class DeliverBuildingNotice(Command):
    channel: NoticeChannel
    unit: Annotated[
        UnitNumber | None,
        Field(description=f"{SITE_UNIT} Required by phone, letter or visit; none for a posting."),
    ] = None
    recipient: Annotated[Label, Field(description="The person told, or where it is posted.")]
    by: Name


class NoticeDeliveryView(BaseModel):
    channel: NoticeChannel
    unit: str | None
    recipient: str
    by: str
    at: datetime


class BuildingNoticeView(BaseModel):
    notice_id: UUID
    site_id: UUID
    subject: str
    content: str
    issued_by: str
    issued_at: datetime
    deliveries: list[NoticeDeliveryView]


class UntoldUnits(BaseModel):
    """The units of the site's roster with a tenant that no phone call, letter or visit
    has told of the notice yet (a posting tells no unit in particular)."""

    notice_id: UUID
    units: list[str]


# -- front-office requests and methods ------------------------------------------------------


class CallRef(SiteRequest):
    call_id: UUID


class OnCall(CallRef, Generic[P]):
    payload: P


class CallQuery(SiteRequest):
    date: BusinessDate | None = None
    category: CallCategory | None = None
    open_only: bool = False


class WeekQuery(SiteRequest):
    week_start: BusinessDate


class DeskDayRef(SiteRequest):
    business_date: BusinessDate


class OnDeskDay(DeskDayRef, Generic[P]):
    payload: P


class HandoverRef(DeskDayRef):
    number: Annotated[int, Field(ge=1, le=1000)]


class OnHandover(HandoverRef, Generic[P]):
    payload: P


class DeskDayRange(SiteRequest):
    first: BusinessDate
    last: BusinessDate


class VipDayQuery(SiteRequest):
    date: BusinessDate
    unconfirmed_only: bool = False


class AlertRef(SiteRequest):
    alert_id: UUID


class OnAlert(AlertRef, Generic[P]):
    payload: P


class AlertQuery(SiteRequest):
    open_only: bool = False


class GroupAlertQuery(MethodRequest):
    """The group-wide entries' alerts at every site (no site: a group-wide token)."""

    open_only: bool = False


class TagRef(SiteRequest):
    tag: Reference


class OnTag(TagRef, Generic[P]):
    payload: P


class LuggageQuery(SiteRequest):
    held_only: bool = True


class PeriodQuery(SiteRequest):
    period: Period


class NoticeRef(SiteRequest):
    notice_id: UUID


class OnNotice(NoticeRef, Generic[P]):
    payload: P


RECORD_CALL = Method(SERVICE, "RecordCall", SiteCommand[RecordCall], CallView)
SIGN_FOR_CALL = Method(SERVICE, "SignForCall", OnCall[SignForCall], CallView)
FOLLOW_UP_CALL = Method(SERVICE, "FollowUpCall", OnCall[FollowUpCall], CallView)
COMPLETE_CALL = Method(SERVICE, "CompleteCall", OnCall[CompleteCall], CallView)
GET_CALL = Method(SERVICE, "GetCall", CallRef, CallView, read=True)
CALLS = Method(SERVICE, "Calls", CallQuery, list[CallView], read=True)
WEEKLY_CALLS = Method(SERVICE, "WeeklyCalls", WeekQuery, WeeklyCallSummary, read=True)
OPEN_DESK = Method(SERVICE, "OpenDesk", OnDeskDay[OpenDesk], DeskDayView)
HAND_OVER_SHIFT = Method(SERVICE, "HandOverShift", OnDeskDay[HandOverShift], DeskDayView)
ACKNOWLEDGE_HANDOVER = Method(
    SERVICE, "AcknowledgeHandover", OnHandover[AcknowledgeHandover], DeskDayView
)
CLOSE_DESK = Method(SERVICE, "CloseDesk", OnDeskDay[CloseDesk], DeskDayView)
GET_DESK_DAY = Method(SERVICE, "GetDeskDay", DeskDayRef, DeskDayView, read=True)
DESK_DAYS = Method(SERVICE, "DeskDays", DeskDayRange, list[DeskDayView], read=True)
PLAN_VIP_RECEPTION = Method(
    SERVICE, "PlanVipReception", SiteCommand[PlanVipReception], VipReceptionView
)
CONFIRM_VIP_RECEPTION = Method(
    SERVICE, "ConfirmVipReception", OnVisit[ConfirmVipReception], VipReceptionView
)
GET_VIP_RECEPTION = Method(SERVICE, "GetVipReception", VisitRef, VipReceptionView, read=True)
VIP_RECEPTIONS = Method(SERVICE, "VipReceptions", VipDayQuery, list[VipReceptionView], read=True)
VIP_RECEPTIONS_TO_CONFIRM = Method(
    SERVICE, "VipReceptionsToConfirm", SiteRequest, list[VipReceptionView], read=True
)
ACKNOWLEDGE_WATCHLIST_ALERT = Method(
    SERVICE, "AcknowledgeWatchlistAlert", OnAlert[AcknowledgeWatchlistAlert], WatchlistAlertView
)
GET_WATCHLIST_ALERT = Method(SERVICE, "GetWatchlistAlert", AlertRef, WatchlistAlertView, read=True)
WATCHLIST_ALERTS = Method(
    SERVICE, "WatchlistAlerts", AlertQuery, list[WatchlistAlertView], read=True
)
GROUP_WATCHLIST_ALERTS = Method(
    SERVICE, "GroupWatchlistAlerts", GroupAlertQuery, list[WatchlistAlertView], read=True
)
DEPOSIT_LUGGAGE = Method(SERVICE, "DepositLuggage", SiteCommand[DepositLuggage], LuggageView)
COLLECT_LUGGAGE = Method(SERVICE, "CollectLuggage", OnTag[CollectLuggage], LuggageView)
GET_LUGGAGE = Method(SERVICE, "GetLuggage", TagRef, LuggageView, read=True)
LUGGAGE = Method(SERVICE, "Luggage", LuggageQuery, list[LuggageView], read=True)
SET_RECEPTION_STANDARD = Method(
    SERVICE, "SetReceptionStandard", SiteCommand[SetReceptionStandard], ReceptionStandardView
)
GET_RECEPTION_STANDARD = Method(
    SERVICE, "GetReceptionStandard", SiteRequest, ReceptionStandardView, read=True
)
MONTHLY_RECEPTION_TIME = Method(
    SERVICE, "MonthlyReceptionTime", PeriodQuery, MonthlyReceptionTime, read=True
)
ISSUE_BUILDING_NOTICE = Method(
    SERVICE, "IssueBuildingNotice", SiteCommand[IssueBuildingNotice], BuildingNoticeView
)
DELIVER_BUILDING_NOTICE = Method(
    SERVICE, "DeliverBuildingNotice", OnNotice[DeliverBuildingNotice], BuildingNoticeView
)
GET_BUILDING_NOTICE = Method(SERVICE, "GetBuildingNotice", NoticeRef, BuildingNoticeView, read=True)
BUILDING_NOTICES = Method(
    SERVICE, "BuildingNotices", SiteRequest, list[BuildingNoticeView], read=True
)
UNTOLD_UNITS = Method(SERVICE, "UntoldUnits", NoticeRef, UntoldUnits, read=True)
