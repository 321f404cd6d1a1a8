"""Catering for the building's tenants (no I/O): the week's menu, orders taken by the
day's cut-off, delivery, the tenant's signed receipt, and the weekly feedback.

Seed 001, 送客餐服务程序: "每七天五客服部客务主管和送餐单位共同制订下周菜谱并发至用户" (the
week's menu); "天天前台接待人员电话统计用户当日订餐情况并统计;天天早晨10:00前将当日订餐情况电话
通知送餐单位" (the day's orders, passed on by 10:00: the cut-off); "天天早晨11:30送餐单位将所订
饭菜送至指定地点" (delivery); "送餐人员在我方客服部客务人员率领下送餐到户,用户确定并签收" (signed
receipt); "每七天四征求用户意见" (weekly feedback); "每个月月底依据送餐服务确定单向用户收取
餐费" (the signed receipts are charged).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid

DEFAULT_CUT_OFF = time(10, 0)  # seed 001: 天天早晨10:00前将当日订餐情况电话通知送餐单位


class WeeklyMenu(SiteAggregate):
    """A site's menu for the week starting on a Monday: dishes with their prices, the
    daily cut-off for orders (local time), and the tenants' feedback on the week."""

    @classmethod
    def create_id(cls, site_id: UUID, week_start: date) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:visitor:menu:{site_id}:{week_start.isoformat()}")

    @event("Published")
    def __init__(self, site_id: UUID, week_start: date, dishes: dict[str, Decimal],
                 cut_off: str, published_by: str, at: datetime) -> None:  # fmt: skip
        self.site_id = site_id
        self.week_start = week_start
        self.dishes = dict(dishes)
        self.cut_off = time.fromisoformat(cut_off)  # local time, kept as HH:MM in the event
        self.published_by = published_by
        self.published_at = at
        self.feedback: list[dict[str, Any]] = []

    @classmethod
    def publish(cls, *, site_id: UUID, week_start: date, dishes: dict[str, Decimal],
                cut_off: time, published_by: str, at: datetime) -> WeeklyMenu:  # fmt: skip
        """Seed 001: 共同制订下周菜谱并发至用户: a menu is for a week from Monday to Sunday."""
        if week_start.weekday() != 0:
            raise Invalid("a week's menu starts on a Monday", field="week_start")
        return cls(site_id=site_id, week_start=week_start, dishes=dishes,
                   cut_off=f"{cut_off:%H:%M}", published_by=published_by, at=at)  # fmt: skip

    def revise(self, *, dishes: dict[str, Decimal], cut_off: time, published_by: str,
               at: datetime) -> None:  # fmt: skip
        """A revised menu for the same week; orders taken keep the prices they were taken at."""
        self._revised(week_start=self.week_start, dishes=dishes, cut_off=f"{cut_off:%H:%M}",
                      published_by=published_by, at=at)  # fmt: skip

    @event("Revised")
    def _revised(self, week_start: date, dishes: dict[str, Decimal], cut_off: str,
                 published_by: str, at: datetime) -> None:  # fmt: skip
        self.dishes = dict(dishes)
        self.cut_off = time.fromisoformat(cut_off)
        self.published_by = published_by
        self.published_at = at

    def covers(self, day: date) -> bool:
        return 0 <= (day - self.week_start).days < 7

    def priced(self, items: list[tuple[str, int]]) -> list[dict[str, Any]]:
        """Each (dish, quantity) with its price on this menu (422 naming a dish it lacks)."""
        lines = []
        for number, (dish, quantity) in enumerate(items):
            if dish not in self.dishes:
                raise Invalid(f"{dish!r} is not on the menu of the week of {self.week_start}",
                              field=f"items.{number}.dish")  # fmt: skip
            price = self.dishes[dish]
            lines.append({"item": dish, "quantity": quantity, "unit_price": price,
                          "amount": price * quantity})  # fmt: skip
        return lines

    def give_feedback(self, *, unit: str, rating: int, comment: str | None, recorded_by: str,
                      at: datetime) -> None:  # fmt: skip
        """Seed 001: 每七天四征求用户意见并以此向送餐单位提出整改意见: a tenant's view of the
        week's meals, recorded by the desk."""
        self._feedback_given(week_start=self.week_start, unit=unit, rating=rating,
                             comment=comment, recorded_by=recorded_by, at=at)  # fmt: skip

    @event("FeedbackGiven")
    def _feedback_given(self, week_start: date, unit: str, rating: int, comment: str | None,
                        recorded_by: str, at: datetime) -> None:  # fmt: skip
        self.feedback.append({"unit": unit, "rating": rating, "comment": comment,
                              "recorded_by": recorded_by, "at": at})  # fmt: skip


class CateringOrder(SiteAggregate):
    """A tenant's order of the day's meals: taken by the cut-off, delivered, signed for."""

    @event("Ordered")
    def __init__(self, site_id: UUID, unit: str, customer_name: str, delivery_date: date,
                 items: list[dict[str, Any]], amount: Decimal, taken_by: str,
                 at: datetime) -> None:  # fmt: skip
        self.site_id = site_id
        self.unit = unit
        self.customer_name = customer_name
        self.delivery_date = delivery_date
        self.items = items
        self.amount = amount
        self.taken_by = taken_by
        self.ordered_at = at
        self.delivered_by: str | None = None
        self.delivered_at: datetime | None = None
        self.signed_by: str | None = None
        self.signed_at: datetime | None = None

    @classmethod
    def take(cls, menu: WeeklyMenu, *, unit: str, customer_name: str, delivery_date: date,
             items: list[tuple[str, int]], taken_by: str, at: datetime,
             local_now: datetime) -> CateringOrder:  # fmt: skip
        """Seed 001: 天天早晨10:00前将当日订餐情况电话通知送餐单位: a day's orders close at the
        menu's cut-off (local time) on that day; later ones are refused (409 naming why)."""
        if not menu.covers(delivery_date):
            raise Invalid(f"the menu of the week of {menu.week_start} does not cover "
                          f"{delivery_date}", field="delivery_date")  # fmt: skip
        closes = datetime.combine(delivery_date, menu.cut_off, local_now.tzinfo)
        if local_now >= closes:
            raise Conflict(f"orders for {delivery_date} closed at {menu.cut_off:%H:%M} "
                           "(the day's cut-off, site time)")  # fmt: skip
        lines = menu.priced(items)
        return cls(site_id=menu.site_id, unit=unit, customer_name=customer_name,
                   delivery_date=delivery_date, items=lines,
                   amount=sum((line["amount"] for line in lines), Decimal("0.00")),
                   taken_by=taken_by, at=at)  # fmt: skip

    @property
    def status(self) -> str:
        if self.signed_at:
            return "signed"
        return "delivered" if self.delivered_at else "ordered"

    def deliver(self, *, delivered_by: str, at: datetime) -> None:
        """Seed 001: 送餐到户: the meal reaches the unit, once."""
        if self.delivered_at is not None:
            raise Conflict("this order was delivered already")
        self._delivered(delivered_by=delivered_by, at=at)

    @event("Delivered")
    def _delivered(self, delivered_by: str, at: datetime) -> None:
        self.delivered_by = delivered_by
        self.delivered_at = at

    def sign_receipt(self, *, signed_by: str, at: datetime) -> None:
        """Seed 001: 用户确定并签收: the tenant signs for a delivered order, once; the signed
        order is what is charged."""
        if self.delivered_at is None:
            raise Conflict("the order has not been delivered yet")
        if self.signed_at is not None:
            raise Conflict(f"{self.signed_by} signed for this order already")
        self._receipt_signed(signed_by=signed_by, unit=self.unit, amount=self.amount,
                             description=f"catering for {self.delivery_date}", at=at)  # fmt: skip

    @event("ReceiptSigned")
    def _receipt_signed(self, signed_by: str, unit: str, amount: Decimal, description: str,
                        at: datetime) -> None:  # fmt: skip
        self.signed_by = signed_by
        self.signed_at = at
