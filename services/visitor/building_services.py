"""The front office's building services (issue 12 item 10, seed 001): laundry, catering
and the business centre, commands against the event store. Part of the visitor
application (`VisitorApplication` derives from it): the desk takes these requests as it
takes visitors, and a tenant's unit is held to the same roster.

A signed laundry return, catering receipt or business-centre slip is published as
`ServiceOrderSigned`, which billing posts into the month's run (services/billing/
service_charges.py).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError

from contracts import building_services_api as api
from runtime.clock import clock
from runtime.errors import Invalid, NotFound
from runtime.eventstore import ServiceApplication
from runtime.sites import site_timezone
from services.visitor.business_centre import ServiceSlip
from services.visitor.catering import CateringOrder, WeeklyMenu
from services.visitor.domain import UnitStanding, require_unit_of_site
from services.visitor.laundry import LaundryOrder, LaundryPriceList

BuildingServiceOrder = LaundryOrder | CateringOrder | ServiceSlip


def _prices(lines: list[api.PriceLine]) -> dict[str, Decimal]:
    return {line.item: line.price for line in lines}


def _items(lines: list[api.OrderLine]) -> list[tuple[str, int]]:
    return [(line.item, line.quantity) for line in lines]


class BuildingServiceDesk(ServiceApplication):
    """Laundry, catering and business-centre commands (see the module's docstring)."""

    # -- laundry ----------------------------------------------------------------------------

    def set_laundry_prices(self, site_id: UUID, cmd: api.SetLaundryPrices,
                           correlation_id: str | None) -> LaundryPriceList:  # fmt: skip
        def command() -> LaundryPriceList:
            price_list = self.laundry_prices(site_id)
            price_list.set_prices(prices=_prices(cmd.prices), set_by=cmd.set_by, at=clock.now())
            self.save(price_list)
            return price_list

        return self.run(correlation_id, command, retries=1)

    def laundry_prices(self, site_id: UUID) -> LaundryPriceList:
        """The site's price list (an empty one until the site sets it)."""
        return self._get(LaundryPriceList.create_id(site_id)) or LaundryPriceList(site_id=site_id)

    def request_laundry(self, site_id: UUID, cmd: api.RequestLaundry, unit: UnitStanding,
                        correlation_id: str | None) -> LaundryOrder:  # fmt: skip
        """`unit`: what the site's roster says of the tenant's unit."""

        def command() -> LaundryOrder:
            require_unit_of_site(cmd.unit, unit, "unit")
            lines = self.laundry_prices(site_id).priced(_items(cmd.items))
            order = LaundryOrder(
                site_id=site_id, unit=cmd.unit, customer_name=cmd.customer_name, items=lines,
                amount=sum((line["amount"] for line in lines), Decimal("0.00")),
                taken_by=cmd.taken_by, rewash_of=None, at=clock.now(),
            )  # fmt: skip
            self.save(order)
            return order

        return self.run(correlation_id, command)

    def pick_up_laundry(self, site_id: UUID, order_id: UUID, cmd: api.PickUpLaundry,
                        correlation_id: str | None) -> LaundryOrder:  # fmt: skip
        return self.change_at_site(
            correlation_id, order_id, site_id, LaundryOrder, "laundry order",
            lambda order: order.pick_up(picked_up_by=cmd.picked_up_by, at=clock.now()),
        )  # fmt: skip

    def sign_laundry_return(self, site_id: UUID, order_id: UUID, cmd: api.SignForService,
                            correlation_id: str | None) -> LaundryOrder:  # fmt: skip
        return self.change_at_site(
            correlation_id, order_id, site_id, LaundryOrder, "laundry order",
            lambda order: order.sign_return(signed_by=cmd.signed_by, at=clock.now()),
        )  # fmt: skip

    def request_rewash(self, site_id: UUID, order_id: UUID, cmd: api.RequestRewash,
                       correlation_id: str | None) -> LaundryOrder:  # fmt: skip
        def command() -> LaundryOrder:
            original = self.load_at_site(order_id, site_id, LaundryOrder, "laundry order")
            rewash = LaundryOrder.rewash(original, taken_by=cmd.taken_by, at=clock.now())
            self.save(rewash)
            return rewash

        return self.run(correlation_id, command)

    # -- catering ---------------------------------------------------------------------------

    def publish_menu(self, site_id: UUID, week_start: date, cmd: api.PublishMenu,
                     correlation_id: str | None) -> WeeklyMenu:  # fmt: skip
        def command() -> WeeklyMenu:
            menu: WeeklyMenu | None = self._get(WeeklyMenu.create_id(site_id, week_start))
            dishes, cut_off = _prices(cmd.dishes), time.fromisoformat(cmd.cut_off)
            if menu is None:
                menu = WeeklyMenu.publish(site_id=site_id, week_start=week_start, dishes=dishes,
                                          cut_off=cut_off, published_by=cmd.published_by,
                                          at=clock.now())  # fmt: skip
            else:
                menu.revise(dishes=dishes, cut_off=cut_off, published_by=cmd.published_by,
                            at=clock.now())  # fmt: skip
            self.save(menu)
            return menu

        return self.run(correlation_id, command, retries=1)

    def menu(self, site_id: UUID, week_start: date) -> WeeklyMenu:
        menu: WeeklyMenu | None = self._get(WeeklyMenu.create_id(site_id, week_start))
        if menu is None:
            raise NotFound(f"no menu for the week of {week_start} at this site")
        return menu

    def give_menu_feedback(self, site_id: UUID, week_start: date, cmd: api.MenuFeedback,
                           unit: UnitStanding,
                           correlation_id: str | None) -> WeeklyMenu:  # fmt: skip
        def command() -> WeeklyMenu:
            require_unit_of_site(cmd.unit, unit, "unit")
            menu = self.menu(site_id, week_start)
            menu.give_feedback(unit=cmd.unit, rating=cmd.rating, comment=cmd.comment,
                               recorded_by=cmd.recorded_by, at=clock.now())  # fmt: skip
            self.save(menu)
            return menu

        return self.run(correlation_id, command, retries=1)

    def order_catering(self, site_id: UUID, cmd: api.OrderCatering, unit: UnitStanding,
                       correlation_id: str | None) -> CateringOrder:  # fmt: skip
        def command() -> CateringOrder:
            require_unit_of_site(cmd.unit, unit, "unit")
            monday = cmd.delivery_date - timedelta(days=cmd.delivery_date.weekday())
            menu: WeeklyMenu | None = self._get(WeeklyMenu.create_id(site_id, monday))
            if menu is None:  # the body names a day no menu covers: the body's fault
                raise Invalid(f"no menu for the week of {monday} at this site",
                              field="delivery_date")  # fmt: skip
            now = clock.now()
            order = CateringOrder.take(
                menu, unit=cmd.unit, customer_name=cmd.customer_name,
                delivery_date=cmd.delivery_date, items=_items(cmd.items), taken_by=cmd.taken_by,
                at=now, local_now=now.astimezone(ZoneInfo(site_timezone(site_id))),
            )  # fmt: skip
            self.save(order)
            return order

        return self.run(correlation_id, command)

    def deliver_catering(self, site_id: UUID, order_id: UUID, cmd: api.DeliverCatering,
                         correlation_id: str | None) -> CateringOrder:  # fmt: skip
        return self.change_at_site(
            correlation_id, order_id, site_id, CateringOrder, "catering order",
            lambda order: order.deliver(delivered_by=cmd.delivered_by, at=clock.now()),
        )  # fmt: skip

    def sign_catering_receipt(self, site_id: UUID, order_id: UUID, cmd: api.SignForService,
                              correlation_id: str | None) -> CateringOrder:  # fmt: skip
        return self.change_at_site(
            correlation_id, order_id, site_id, CateringOrder, "catering order",
            lambda order: order.sign_receipt(signed_by=cmd.signed_by, at=clock.now()),
        )  # fmt: skip

    # -- the business centre ----------------------------------------------------------------

    def open_service_slip(self, site_id: UUID, cmd: api.OpenServiceSlip, unit: UnitStanding,
                          issued_by: str, correlation_id: str | None) -> ServiceSlip:  # fmt: skip
        """`issued_by`: who writes the slip (their token's subject)."""

        def command() -> ServiceSlip:
            require_unit_of_site(cmd.unit, unit, "unit")
            slip = ServiceSlip(
                site_id=site_id, unit=cmd.unit, customer_name=cmd.customer_name,
                service=cmd.service, quantity=cmd.quantity, unit_price=cmd.unit_price,
                description=cmd.description, served_by=cmd.served_by, issued_by=issued_by,
                at=clock.now(),
            )  # fmt: skip
            self.save(slip)
            return slip

        return self.run(correlation_id, command)

    def sign_service_slip(self, site_id: UUID, order_id: UUID, cmd: api.SignForService,
                          correlation_id: str | None) -> ServiceSlip:  # fmt: skip
        return self.change_at_site(
            correlation_id, order_id, site_id, ServiceSlip, "service slip",
            lambda slip: slip.sign(signed_by=cmd.signed_by, at=clock.now()),
        )  # fmt: skip

    def void_service_slip(self, site_id: UUID, order_id: UUID, cmd: api.VoidServiceSlip,
                          supervisor: str, role: str | None,
                          correlation_id: str | None) -> ServiceSlip:  # fmt: skip
        return self.change_at_site(
            correlation_id, order_id, site_id, ServiceSlip, "service slip",
            lambda slip: slip.void(reason=cmd.reason, supervisor=supervisor, role=role,
                                   at=clock.now()),
        )  # fmt: skip

    # -- reads ------------------------------------------------------------------------------

    def service_order(self, site_id: UUID, order_id: UUID) -> BuildingServiceOrder:
        """A laundry order, catering order or service slip of the site, else NotFound."""
        order = self._get(order_id)
        if not isinstance(order, LaundryOrder | CateringOrder | ServiceSlip) or (
            order.site_id != site_id
        ):
            raise NotFound(f"service order {order_id} not found")
        return order

    def _get(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
