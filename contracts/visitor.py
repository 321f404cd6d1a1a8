"""Published events of the visitor (front desk) context, topic `concierge.visitor.v1`.

Personal data is kept to what consumers need: no ID numbers, no phone numbers of
visitors; the caller's phone in a switchboard message is what the host calls back.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.base import AwareDatetime, ContractEvent


class VisitorEvent(ContractEvent):
    context: ClassVar[str] = "visitor"


class VisitorPreRegistered(VisitorEvent):
    visit_id: UUID
    visitor_name: str
    visitor_company: str | None
    host_unit: str
    host_name: str
    purpose: str
    party_size: int
    expected_from: AwareDatetime
    expected_until: AwareDatetime
    occurred_at: AwareDatetime


class VisitorArrived(VisitorEvent):
    """An unannounced visitor is at the desk; the host is being asked."""

    visit_id: UUID
    visitor_name: str
    visitor_company: str | None
    host_unit: str
    host_name: str
    purpose: str
    party_size: int
    occurred_at: AwareDatetime
    # The ID seen at the desk before the host is asked (added in v1, optional).
    id_checked: bool = False
    id_type: str | None = None


class HostNotified(VisitorEvent):
    visit_id: UUID
    host_unit: str
    host_name: str
    reason: Literal["arrival", "approval_requested"]
    occurred_at: AwareDatetime


class VisitorCheckedIn(VisitorEvent):
    visit_id: UUID
    visitor_name: str
    visitor_company: str | None
    host_unit: str
    host_name: str
    purpose: str
    party_size: int
    id_checked: bool
    id_type: str | None
    pre_registered: bool
    occurred_at: AwareDatetime


class VisitDenied(VisitorEvent):
    visit_id: UUID
    reason: str
    occurred_at: AwareDatetime


class VisitorCheckedOut(VisitorEvent):
    visit_id: UUID
    occurred_at: AwareDatetime


class VisitorOverstayed(VisitorEvent):
    visit_id: UUID
    business_date: date
    occurred_at: AwareDatetime


class PhoneMessageTaken(VisitorEvent):
    message_id: UUID
    caller_name: str
    caller_company: str | None
    caller_phone: str
    reason: str
    for_unit: str
    for_person: str
    occurred_at: AwareDatetime


class PhoneMessageDelivered(VisitorEvent):
    message_id: UUID
    acknowledged_by: str
    occurred_at: AwareDatetime


class CallRecorded(VisitorEvent):
    """A call in the switchboard's register; an important one is followed up until done."""

    call_id: UUID
    caller_name: str
    caller_company: str | None
    caller_number: str
    reason: str
    category: str
    important: bool
    passed_to: str | None
    occurred_at: AwareDatetime


class CallSignedFor(VisitorEvent):
    call_id: UUID
    signed_by: str
    occurred_at: AwareDatetime


class CallFollowedUp(VisitorEvent):
    call_id: UUID
    progress: str
    by: str
    occurred_at: AwareDatetime


class CallCompleted(VisitorEvent):
    call_id: UUID
    result: str
    signed_by: str
    occurred_at: AwareDatetime


class DeskOpened(VisitorEvent):
    """The front desk's day begins with its opening checks (seed 002 "上班后")."""

    desk_day_id: UUID
    business_date: date
    opened_by: str
    checks: dict[str, bool]
    note: str | None
    occurred_at: AwareDatetime


class ShiftHandedOver(VisitorEvent):
    """A shift hands its open items to the next one."""

    desk_day_id: UUID
    business_date: date
    number: int
    from_shift: str
    to_shift: str
    handed_over_by: str
    open_items: list[str]
    occurred_at: AwareDatetime


class HandoverAcknowledged(VisitorEvent):
    desk_day_id: UUID
    business_date: date
    number: int
    acknowledged_by: str
    occurred_at: AwareDatetime


class DeskClosed(VisitorEvent):
    """The day ends with the closing checks, its summary and tomorrow's items."""

    desk_day_id: UUID
    business_date: date
    closed_by: str
    checks: dict[str, bool]
    note: str | None
    summary: str
    for_tomorrow: list[str]
    occurred_at: AwareDatetime


class VipReceptionPlanned(VisitorEvent):
    """A pre-registered visit is received as a VIP: level, escorts, room, pick-up."""

    reception_id: UUID
    visit_id: UUID
    guest_name: str
    guest_company: str | None
    host_unit: str
    host_name: str
    expected_from: AwareDatetime
    level: str
    escorts: list[str]
    meeting_room: str | None
    room_setup: list[str]
    pickup_place: str | None
    pickup_at: AwareDatetime | None
    occurred_at: AwareDatetime


class VipReceptionConfirmed(VisitorEvent):
    """Time, place and party confirmed with the guest ahead of the visit."""

    reception_id: UUID
    visit_id: UUID
    confirmed_by: str
    confirmed_with: str
    occurred_at: AwareDatetime


class WatchlistAlertRaised(VisitorEvent):
    """A person at the desk matched the watchlist; check-in was blocked. Names the
    supervisors to alert: the site's, and the group's for a group-wide entry. The entry
    itself (who is listed, and why) stays inside the service."""

    alert_id: UUID
    group_wide: bool
    visitor_name: str
    host_unit: str
    visit_id: UUID | None
    notify: list[Literal["site_supervisor", "group_supervisor"]]
    occurred_at: AwareDatetime


class WatchlistAlertAcknowledged(VisitorEvent):
    alert_id: UUID
    acknowledged_by: str
    action: str
    occurred_at: AwareDatetime


class LuggageDeposited(VisitorEvent):
    """Luggage taken into the desk's keeping under a tag."""

    deposit_id: UUID
    tag: str
    owner_name: str
    pieces: int
    description: str
    deposited_by: str
    occurred_at: AwareDatetime


class LuggageCollected(VisitorEvent):
    deposit_id: UUID
    tag: str
    collected_by: str
    occurred_at: AwareDatetime


class ReceptionStandardSet(VisitorEvent):
    """The site's standard time from arrival at the desk to being served (seed 004)."""

    standard_minutes: int
    set_by: str
    occurred_at: AwareDatetime


class BuildingNoticeIssued(VisitorEvent):
    notice_id: UUID
    subject: str
    content: str
    issued_by: str
    occurred_at: AwareDatetime


class BuildingNoticeDelivered(VisitorEvent):
    """A notice passed on: a unit told by phone, letter or visit, or a posting."""

    notice_id: UUID
    channel: Literal["phone", "letter", "visit", "posting"]
    unit: str | None
    recipient: str
    by: str
    occurred_at: AwareDatetime


# -- building services: laundry, catering, business centre (issue 12 item 10, seed 001) ---


class ServiceLine(BaseModel):
    """A line of an order or slip: what, how many, at what price."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


class LaundryPricesSet(VisitorEvent):
    """The site's laundry price list (seed 001: 核定洗衣价目表并发至用户)."""

    prices: dict[str, Decimal]
    set_by: str
    occurred_at: AwareDatetime


class LaundryRequested(VisitorEvent):
    """A tenant's laundry request taken at the desk; a rewash names the order it redoes
    and is free."""

    order_id: UUID
    unit: str
    customer_name: str
    items: list[ServiceLine]
    amount: Decimal
    taken_by: str
    rewash_of: UUID | None
    occurred_at: AwareDatetime


class LaundryPickedUp(VisitorEvent):
    """The laundry collected the clothes (seed 001: within 30 minutes of the call)."""

    order_id: UUID
    picked_up_by: str
    occurred_at: AwareDatetime


class CateringMenuPublished(VisitorEvent):
    """The week's menu (published or revised) with the daily cut-off for orders."""

    week_start: date
    dishes: dict[str, Decimal]
    cut_off: str
    published_by: str
    occurred_at: AwareDatetime


class CateringFeedbackGiven(VisitorEvent):
    week_start: date
    unit: str
    rating: int
    comment: str | None
    recorded_by: str
    occurred_at: AwareDatetime


class CateringOrdered(VisitorEvent):
    order_id: UUID
    unit: str
    customer_name: str
    delivery_date: date
    items: list[ServiceLine]
    amount: Decimal
    taken_by: str
    occurred_at: AwareDatetime


class CateringDelivered(VisitorEvent):
    order_id: UUID
    delivered_by: str
    occurred_at: AwareDatetime


class ServiceSlipOpened(VisitorEvent):
    """A business-centre slip (服务收费单): fax, typing or copying, quantity x price."""

    order_id: UUID
    unit: str
    customer_name: str
    service: Literal["fax", "typing", "copying"]
    quantity: int
    unit_price: Decimal
    amount: Decimal
    description: str | None
    served_by: str
    occurred_at: AwareDatetime


class ServiceSlipVoided(VisitorEvent):
    """A slip voided with a supervisor's signature (seed 001: 报废单据必需经过主管签字)."""

    order_id: UUID
    reason: str
    voided_by: str
    occurred_at: AwareDatetime


class ServiceOrderSigned(VisitorEvent):
    """A tenant signed for a building service (a laundry return, a catering receipt, a
    business-centre slip): what billing charges to the unit, once per `order_id`."""

    order_id: UUID
    service: Literal["laundry", "catering", "business_centre"]
    unit: str
    amount: Decimal
    description: str
    signed_by: str
    occurred_at: AwareDatetime


EVENTS: tuple[type[VisitorEvent], ...] = (
    VisitorPreRegistered,
    VisitorArrived,
    HostNotified,
    VisitorCheckedIn,
    VisitDenied,
    VisitorCheckedOut,
    VisitorOverstayed,
    PhoneMessageTaken,
    PhoneMessageDelivered,
    CallRecorded,
    CallSignedFor,
    CallFollowedUp,
    CallCompleted,
    DeskOpened,
    ShiftHandedOver,
    HandoverAcknowledged,
    DeskClosed,
    VipReceptionPlanned,
    VipReceptionConfirmed,
    WatchlistAlertRaised,
    WatchlistAlertAcknowledged,
    LuggageDeposited,
    LuggageCollected,
    ReceptionStandardSet,
    BuildingNoticeIssued,
    BuildingNoticeDelivered,
    # building services
    LaundryPricesSet,
    LaundryRequested,
    LaundryPickedUp,
    CateringMenuPublished,
    CateringFeedbackGiven,
    CateringOrdered,
    CateringDelivered,
    ServiceSlipOpened,
    ServiceSlipVoided,
    ServiceOrderSigned,
)
