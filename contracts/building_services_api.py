"""The visitor service's methods for the building services the front office runs
(issue 12 item 10, seed 001): laundry, catering and the business centre. Their commands,
requests and answers; the methods are served by the visitor service (the desk takes the
requests, see services/visitor/building_services.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Generic, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.billing_api import BilledUnit
from contracts.fields import BusinessDate, Label, Name, Period, PositiveMoney, Text
from contracts.methods import Answer, Method, P, SiteCommand, SiteRequest

SERVICE = "visitor"
SITE_UNIT = (
    "A unit of the site with a tenant, once the site's roster has reached the desk; charged"
    " on its billing account, so it holds no '/' (billed units are addressed in URL paths)."
)

# A price on a list: at most 10,000 (50 lines x 100 pieces stay below MAX_AMOUNT).
Price = Annotated[PositiveMoney, Field(le=Decimal("10000"))]
Quantity = Annotated[int, Field(ge=1, le=100)]
BuildingService = Literal["laundry", "catering", "business_centre"]
# A local time of day, HH:MM (24 h).
TimeOfDay = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PriceLine(Command):
    item: Label
    price: Price


def _distinct(lines: list[PriceLine]) -> list[PriceLine]:
    seen: set[str] = set()
    for line in lines:
        if line.item in seen:
            raise ValueError(f"{line.item!r} is listed twice")
        seen.add(line.item)
    return lines


class SetLaundryPrices(Command):
    """Seed 001: 核定洗衣价目表并发至用户."""

    prices: Annotated[list[PriceLine], Field(min_length=1, max_length=100)]
    set_by: Name

    @model_validator(mode="after")
    def _items_distinct(self) -> SetLaundryPrices:
        _distinct(self.prices)
        return self


class LaundryPrices(BaseModel):
    site_id: UUID
    prices: list[PriceLine]
    set_by: str | None
    set_at: datetime | None


class OrderLine(Command):
    item: Label
    quantity: Quantity


class RequestLaundry(Command):
    unit: Annotated[BilledUnit, Field(description=SITE_UNIT)]
    customer_name: Name
    items: Annotated[list[OrderLine], Field(min_length=1, max_length=50)]
    taken_by: Name


class PickUpLaundry(Command):
    picked_up_by: Annotated[Name, Field(description="Who came from the laundry.")]


class SignForService(Command):
    signed_by: Annotated[Name, Field(description="The tenant who signs for it.")]


class RequestRewash(Command):
    taken_by: Name


class PublishMenu(Command):
    """Seed 001: 制订下周菜谱并发至用户; orders close at `cut_off` on each day (10:00 as the
    seed says, unless the site sets another)."""

    dishes: Annotated[list[PriceLine], Field(min_length=1, max_length=100)]
    cut_off: TimeOfDay = "10:00"
    published_by: Name

    @model_validator(mode="after")
    def _dishes_distinct(self) -> PublishMenu:
        _distinct(self.dishes)
        return self


class MenuFeedback(Command):
    unit: Annotated[BilledUnit, Field(description=SITE_UNIT)]
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Text | None = None
    recorded_by: Name


class FeedbackView(BaseModel):
    unit: str
    rating: int
    comment: str | None
    recorded_by: str
    at: datetime


class MenuView(BaseModel):
    site_id: UUID
    week_start: date
    dishes: list[PriceLine]
    cut_off: str
    published_by: str
    published_at: datetime
    feedback: list[FeedbackView]
    average_rating: Decimal | None


class OrderCatering(Command):
    unit: Annotated[BilledUnit, Field(description=SITE_UNIT)]
    customer_name: Name
    delivery_date: BusinessDate
    items: Annotated[list[OrderLine], Field(min_length=1, max_length=50)]
    taken_by: Name


class DeliverCatering(Command):
    delivered_by: Name


class OpenServiceSlip(Command):
    """Seed 001: 请客人填写服务收费单: a fax sent, typing or copying, quantity x price."""

    unit: Annotated[BilledUnit, Field(description=SITE_UNIT)]
    customer_name: Name
    service: Literal["fax", "typing", "copying"]
    quantity: Annotated[int, Field(ge=1, le=10000, description="Pages (or minutes of fax).")]
    unit_price: Price
    description: Label | None = None
    served_by: Name


class VoidServiceSlip(Command):
    """Seed 001: 报废单据必需经过主管签字才有效: sent by a supervisor, whose token signs."""

    reason: Label


class ServiceLine(BaseModel):
    item: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


class ServiceOrderView(Answer):
    """One shape for an order of each building service (lists show the same rows)."""

    order_id: UUID
    site_id: UUID
    service: BuildingService
    unit: str
    customer_name: str
    business_date: date
    items: list[ServiceLine]
    amount: Decimal
    status: str
    description: str | None
    taken_by: str
    requested_at: datetime
    rewash_of: UUID | None
    picked_up_by: str | None
    picked_up_at: datetime | None
    picked_up_in_time: bool | None
    delivery_date: date | None
    delivered_by: str | None
    delivered_at: datetime | None
    signed_by: str | None
    signed_at: datetime | None
    voided_by: str | None
    void_reason: str | None
    voided_at: datetime | None


class LaundryPickupTimes(Answer):
    """Seed 001: 洗衣单位应在接到电话30分钟内来收取客衣: the month's requests (by the local
    month they were taken in) picked up, how many within 30 minutes, and their share."""

    period: str
    requested: int
    picked_up: int
    within_30_minutes: int
    share_within_30_minutes: Decimal | None
    average_minutes: Decimal | None


class OrderRef(SiteRequest):
    order_id: UUID


class OnOrder(OrderRef, Generic[P]):
    payload: P


class WeekRef(SiteRequest):
    week_start: BusinessDate


class OnWeek(WeekRef, Generic[P]):
    payload: P


class ServiceOrderQuery(SiteRequest):
    service: BuildingService | None = None
    date: BusinessDate
    open_only: bool = False


class PickupPeriod(SiteRequest):
    period: Period


SET_LAUNDRY_PRICES = Method(
    SERVICE, "SetLaundryPrices", SiteCommand[SetLaundryPrices], LaundryPrices
)
GET_LAUNDRY_PRICES = Method(SERVICE, "GetLaundryPrices", SiteRequest, LaundryPrices, read=True)
REQUEST_LAUNDRY = Method(SERVICE, "RequestLaundry", SiteCommand[RequestLaundry], ServiceOrderView)
PICK_UP_LAUNDRY = Method(SERVICE, "PickUpLaundry", OnOrder[PickUpLaundry], ServiceOrderView)
SIGN_LAUNDRY_RETURN = Method(
    SERVICE, "SignLaundryReturn", OnOrder[SignForService], ServiceOrderView
)
REQUEST_REWASH = Method(SERVICE, "RequestRewash", OnOrder[RequestRewash], ServiceOrderView)
LAUNDRY_PICKUP_TIMES = Method(
    SERVICE, "LaundryPickupTimes", PickupPeriod, LaundryPickupTimes, read=True
)
PUBLISH_MENU = Method(SERVICE, "PublishMenu", OnWeek[PublishMenu], MenuView)
GET_MENU = Method(SERVICE, "GetMenu", WeekRef, MenuView, read=True)
GIVE_MENU_FEEDBACK = Method(SERVICE, "GiveMenuFeedback", OnWeek[MenuFeedback], MenuView)
ORDER_CATERING = Method(SERVICE, "OrderCatering", SiteCommand[OrderCatering], ServiceOrderView)
DELIVER_CATERING = Method(SERVICE, "DeliverCatering", OnOrder[DeliverCatering], ServiceOrderView)
SIGN_CATERING_RECEIPT = Method(
    SERVICE, "SignCateringReceipt", OnOrder[SignForService], ServiceOrderView
)
OPEN_SERVICE_SLIP = Method(
    SERVICE, "OpenServiceSlip", SiteCommand[OpenServiceSlip], ServiceOrderView
)
SIGN_SERVICE_SLIP = Method(SERVICE, "SignServiceSlip", OnOrder[SignForService], ServiceOrderView)
VOID_SERVICE_SLIP = Method(SERVICE, "VoidServiceSlip", OnOrder[VoidServiceSlip], ServiceOrderView)
GET_SERVICE_ORDER = Method(SERVICE, "GetServiceOrder", OrderRef, ServiceOrderView, read=True)
SERVICE_ORDERS = Method(
    SERVICE, "ServiceOrders", ServiceOrderQuery, list[ServiceOrderView], read=True
)
