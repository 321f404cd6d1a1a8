"""Laundry for the building's tenants (no I/O): the site's price list, a request taken at
the desk, the laundry's pickup (measured against 30 minutes), the return signed by the
tenant, and a rewash of a return that fell short.

Seed 001, 洗客衣服务程序: "接听需求服务电话 通知洗衣单位 现场收衣 送还洗好衣物 客户签收 结帐";
"客服部内务主管和洗衣单位共同确定洗衣价格并在用户入驻时发给用户" (the price list);
"洗衣单位应在接到电话30分钟内来收取客衣" (pickup within 30 minutes);
"洗衣单位送还洗好衣物并由用户签收、确定,若不合标准,通知洗衣单位整改、重洗" (signed return,
rewash); "每个月月底依据洗衣服务确定单,向用户收取洗衣费" (the signed slips are charged).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid

PICKUP_WITHIN = timedelta(minutes=30)  # seed 001: 接到电话30分钟内来收取客衣


class LaundryPriceList(SiteAggregate):
    """The site's laundry prices per item, agreed with the laundry; a new list replaces
    the old one for requests taken from then on (a request keeps the prices it was taken
    at)."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:visitor:laundry-prices:{site_id}")

    @event("Opened")
    def __init__(self, site_id: UUID) -> None:
        self.site_id = site_id
        self.prices: dict[str, Decimal] = {}
        self.set_by: str | None = None
        self.set_at: datetime | None = None

    def set_prices(self, *, prices: dict[str, Decimal], set_by: str, at: datetime) -> None:
        """The price list given to tenants (seed 001: 确定洗衣价格并在用户入驻时发给用户)."""
        self._prices_set(prices=prices, set_by=set_by, at=at)

    @event("PricesSet")
    def _prices_set(self, prices: dict[str, Decimal], set_by: str, at: datetime) -> None:
        self.prices = dict(prices)
        self.set_by = set_by
        self.set_at = at

    def priced(self, items: list[tuple[str, int]]) -> list[dict[str, Any]]:
        """Each (item, quantity) with its price from the list: an item the list does not
        name cannot be taken (422 naming it)."""
        lines = []
        for number, (item, quantity) in enumerate(items):
            if item not in self.prices:
                raise Invalid(f"{item!r} is not on the site's laundry price list",
                              field=f"items.{number}.item")  # fmt: skip
            price = self.prices[item]
            lines.append({"item": item, "quantity": quantity, "unit_price": price,
                          "amount": price * quantity})  # fmt: skip
        return lines


class LaundryOrder(SiteAggregate):
    """One request for laundry: taken at the desk, collected by the laundry, returned and
    signed for by the tenant. A rewash is an order of its own, free, naming the order it
    redoes."""

    @event("Requested")
    def __init__(self, site_id: UUID, unit: str, customer_name: str, items: list[dict[str, Any]],
                 amount: Decimal, taken_by: str, rewash_of: UUID | None,
                 at: datetime) -> None:  # fmt: skip
        self.site_id = site_id
        self.unit = unit
        self.customer_name = customer_name
        self.items = items
        self.amount = amount
        self.taken_by = taken_by
        self.rewash_of = rewash_of
        self.requested_at = at
        self.picked_up_by: str | None = None
        self.picked_up_at: datetime | None = None
        self.signed_by: str | None = None
        self.signed_at: datetime | None = None

    @classmethod
    def rewash(cls, original: LaundryOrder, *, taken_by: str, at: datetime) -> LaundryOrder:
        """Seed 001: "若不合标准,通知洗衣单位整改、重洗": a returned order that fell short is
        washed again, free, as an order linked to it."""
        if original.signed_at is None:
            raise Conflict("only laundry returned and signed for can be sent for a rewash")
        free = [{**line, "unit_price": Decimal("0.00"), "amount": Decimal("0.00")}
                for line in original.items]  # fmt: skip
        return cls(site_id=original.site_id, unit=original.unit,
                   customer_name=original.customer_name, items=free, amount=Decimal("0.00"),
                   taken_by=taken_by, rewash_of=original.id, at=at)  # fmt: skip

    @property
    def status(self) -> str:
        if self.signed_at:
            return "signed"
        return "picked_up" if self.picked_up_at else "requested"

    def pick_up(self, *, picked_up_by: str, at: datetime) -> None:
        """The laundry collects the clothes, once; how long it took is measured from the
        request (seed 001: 30分钟内来收取客衣)."""
        if self.picked_up_at is not None:
            raise Conflict(f"this laundry was picked up at {self.picked_up_at.isoformat()}")
        self._picked_up(picked_up_by=picked_up_by, at=max(at, self.requested_at))

    @event("PickedUp")
    def _picked_up(self, picked_up_by: str, at: datetime) -> None:
        self.picked_up_by = picked_up_by
        self.picked_up_at = at

    @property
    def picked_up_in_time(self) -> bool | None:
        if self.picked_up_at is None:
            return None
        return self.picked_up_at - self.requested_at <= PICKUP_WITHIN

    def sign_return(self, *, signed_by: str, at: datetime) -> None:
        """The washed clothes come back and the tenant signs for them (seed 001: 由用户签收、
        确定), once: the signed order is what is charged."""
        if self.picked_up_at is None:
            raise Conflict("the laundry has not been picked up yet")
        if self.signed_at is not None:
            raise Conflict(f"{self.signed_by} signed for this laundry already")
        pieces = sum(line["quantity"] for line in self.items)
        description = f"{'rewash' if self.rewash_of else 'laundry'}, {pieces} piece(s)"
        self._return_signed(signed_by=signed_by, unit=self.unit, amount=self.amount,
                            description=description, at=at)  # fmt: skip

    @event("ReturnSigned")
    def _return_signed(self, signed_by: str, unit: str, amount: Decimal, description: str,
                       at: datetime) -> None:  # fmt: skip
        self.signed_by = signed_by
        self.signed_at = at
