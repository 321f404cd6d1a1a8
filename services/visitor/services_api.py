"""gRPC methods of the building services (laundry, catering, business centre). Commands
go to the application and answer the order as the write side holds it, in the same view
as the read model's rows (`service_orders`), which answers the lists.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from contracts import building_services_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.clock import local_date
from runtime.errors import Forbidden
from runtime.rpc import RpcService
from runtime.sites import site_timezone
from services.visitor.application import VisitorApplication
from services.visitor.building_services import BuildingServiceOrder
from services.visitor.business_centre import ServiceSlip
from services.visitor.catering import CateringOrder, WeeklyMenu
from services.visitor.laundry import LaundryOrder, LaundryPriceList
from services.visitor.projections import VisitorQueries

in_thread = asyncio.to_thread


def order_view(order: BuildingServiceOrder) -> dict[str, Any]:
    """An order or slip as the `service_orders` rows show it."""
    zone = site_timezone(order.site_id)
    view: dict[str, Any] = dict.fromkeys(api.ServiceOrderView.model_fields) | {
        "order_id": order.id, "site_id": order.site_id, "unit": order.unit,
        "customer_name": order.customer_name, "amount": order.amount, "status": order.status,
        "signed_by": order.signed_by, "signed_at": order.signed_at,
    }  # fmt: skip
    match order:
        case LaundryOrder():
            view |= {
                "service": "laundry", "business_date": local_date(order.requested_at, zone),
                "items": order.items, "taken_by": order.taken_by,
                "requested_at": order.requested_at, "rewash_of": order.rewash_of,
                "picked_up_by": order.picked_up_by, "picked_up_at": order.picked_up_at,
                "picked_up_in_time": order.picked_up_in_time,
            }  # fmt: skip
        case CateringOrder():
            view |= {
                "service": "catering", "business_date": order.delivery_date,
                "items": order.items, "taken_by": order.taken_by,
                "requested_at": order.ordered_at, "delivery_date": order.delivery_date,
                "delivered_by": order.delivered_by, "delivered_at": order.delivered_at,
            }  # fmt: skip
        case ServiceSlip():
            view |= {
                "service": "business_centre", "business_date": local_date(order.opened_at, zone),
                "items": [{"item": order.service, "quantity": order.quantity,
                           "unit_price": order.unit_price, "amount": order.amount}],
                "description": order.description, "taken_by": order.served_by,
                "requested_at": order.opened_at, "voided_by": order.voided_by,
                "void_reason": order.void_reason, "voided_at": order.voided_at,
            }  # fmt: skip
    return view


def prices_view(price_list: LaundryPriceList) -> dict[str, Any]:
    return {
        "site_id": price_list.site_id,
        "prices": [{"item": item, "price": price} for item, price in price_list.prices.items()],
        "set_by": price_list.set_by,
        "set_at": price_list.set_at,
    }


def menu_view(menu: WeeklyMenu) -> dict[str, Any]:
    ratings = [entry["rating"] for entry in menu.feedback]
    return {
        "site_id": menu.site_id,
        "week_start": menu.week_start,
        "dishes": [{"item": dish, "price": price} for dish, price in menu.dishes.items()],
        "cut_off": f"{menu.cut_off:%H:%M}",
        "published_by": menu.published_by,
        "published_at": menu.published_at,
        "feedback": menu.feedback,
        "average_rating": (
            (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.1")) if ratings else None
        ),
    }


def implement_building_services(rpc: RpcService, app: VisitorApplication,
                                queries: VisitorQueries) -> None:  # fmt: skip
    """Register the building services' methods on the visitor service."""
    implement_laundry(rpc, app, queries)
    implement_catering(rpc, app, queries)
    implement_business_centre(rpc, app, queries)

    @rpc.implements(api.GET_SERVICE_ORDER)
    async def get_service_order(request: api.OrderRef, call: CallContext) -> Any:
        return order_view(await in_thread(app.service_order, request.site_id, request.order_id))

    @rpc.implements(api.SERVICE_ORDERS)
    async def service_orders(request: api.ServiceOrderQuery, call: CallContext) -> Any:
        return await queries.service_orders(request.site_id, request.service, request.date,
                                            request.open_only)  # fmt: skip


def implement_laundry(rpc: RpcService, app: VisitorApplication,
                      queries: VisitorQueries) -> None:  # fmt: skip
    @rpc.implements(api.SET_LAUNDRY_PRICES)
    async def set_prices(request: SiteCommand[api.SetLaundryPrices], call: CallContext) -> Any:
        return prices_view(await in_thread(app.set_laundry_prices, request.site_id,
                                           request.payload, call.correlation_id))  # fmt: skip

    @rpc.implements(api.GET_LAUNDRY_PRICES)
    async def get_prices(request: SiteRequest, call: CallContext) -> Any:
        return prices_view(await in_thread(app.laundry_prices, request.site_id))

    @rpc.implements(api.REQUEST_LAUNDRY)
    async def request_laundry(request: SiteCommand[api.RequestLaundry], call: CallContext) -> Any:
        site, cmd = request.site_id, request.payload
        unit = await queries.unit_standing(site, cmd.unit)
        return order_view(await in_thread(app.request_laundry, site, cmd, unit,
                                          call.correlation_id))  # fmt: skip

    @rpc.implements(api.PICK_UP_LAUNDRY)
    async def pick_up(request: api.OnOrder[api.PickUpLaundry], call: CallContext) -> Any:
        return order_view(await in_thread(app.pick_up_laundry, request.site_id,
                                          request.order_id, request.payload,
                                          call.correlation_id))  # fmt: skip

    @rpc.implements(api.SIGN_LAUNDRY_RETURN)
    async def sign_return(request: api.OnOrder[api.SignForService], call: CallContext) -> Any:
        return order_view(await in_thread(app.sign_laundry_return, request.site_id,
                                          request.order_id, request.payload,
                                          call.correlation_id))  # fmt: skip

    @rpc.implements(api.REQUEST_REWASH)
    async def rewash(request: api.OnOrder[api.RequestRewash], call: CallContext) -> Any:
        return order_view(await in_thread(app.request_rewash, request.site_id,
                                          request.order_id, request.payload,
                                          call.correlation_id))  # fmt: skip

    @rpc.implements(api.LAUNDRY_PICKUP_TIMES)
    async def pickup_times(request: api.PickupPeriod, call: CallContext) -> Any:
        return await queries.laundry_pickup_times(request.site_id, request.period)


def implement_catering(rpc: RpcService, app: VisitorApplication,
                       queries: VisitorQueries) -> None:  # fmt: skip
    @rpc.implements(api.PUBLISH_MENU)
    async def publish_menu(request: api.OnWeek[api.PublishMenu], call: CallContext) -> Any:
        return menu_view(await in_thread(app.publish_menu, request.site_id, request.week_start,
                                         request.payload, call.correlation_id))  # fmt: skip

    @rpc.implements(api.GET_MENU)
    async def get_menu(request: api.WeekRef, call: CallContext) -> Any:
        return menu_view(await in_thread(app.menu, request.site_id, request.week_start))

    @rpc.implements(api.GIVE_MENU_FEEDBACK)
    async def feedback(request: api.OnWeek[api.MenuFeedback], call: CallContext) -> Any:
        site, cmd = request.site_id, request.payload
        unit = await queries.unit_standing(site, cmd.unit)
        return menu_view(await in_thread(app.give_menu_feedback, site, request.week_start, cmd,
                                         unit, call.correlation_id))  # fmt: skip

    @rpc.implements(api.ORDER_CATERING)
    async def order(request: SiteCommand[api.OrderCatering], call: CallContext) -> Any:
        site, cmd = request.site_id, request.payload
        unit = await queries.unit_standing(site, cmd.unit)
        return order_view(await in_thread(app.order_catering, site, cmd, unit,
                                          call.correlation_id))  # fmt: skip

    @rpc.implements(api.DELIVER_CATERING)
    async def deliver(request: api.OnOrder[api.DeliverCatering], call: CallContext) -> Any:
        return order_view(await in_thread(app.deliver_catering, request.site_id,
                                          request.order_id, request.payload,
                                          call.correlation_id))  # fmt: skip

    @rpc.implements(api.SIGN_CATERING_RECEIPT)
    async def sign_receipt(request: api.OnOrder[api.SignForService], call: CallContext) -> Any:
        return order_view(await in_thread(app.sign_catering_receipt, request.site_id,
                                          request.order_id, request.payload,
                                          call.correlation_id))  # fmt: skip


def implement_business_centre(rpc: RpcService, app: VisitorApplication,
                              queries: VisitorQueries) -> None:  # fmt: skip
    @rpc.implements(api.OPEN_SERVICE_SLIP)
    async def open_slip(request: SiteCommand[api.OpenServiceSlip], call: CallContext) -> Any:
        site, cmd = request.site_id, request.payload
        if not call.actor:
            raise Forbidden("a slip is written by a signed-in member of staff")
        unit = await queries.unit_standing(site, cmd.unit)
        return order_view(await in_thread(app.open_service_slip, site, cmd, unit, call.actor,
                                          call.correlation_id))  # fmt: skip

    @rpc.implements(api.SIGN_SERVICE_SLIP)
    async def sign_slip(request: api.OnOrder[api.SignForService], call: CallContext) -> Any:
        return order_view(await in_thread(app.sign_service_slip, request.site_id,
                                          request.order_id, request.payload,
                                          call.correlation_id))  # fmt: skip

    @rpc.implements(api.VOID_SERVICE_SLIP)
    async def void_slip(request: api.OnOrder[api.VoidServiceSlip], call: CallContext) -> Any:
        if not call.actor:
            raise Forbidden("a voided slip needs a supervisor's signature")
        return order_view(await in_thread(app.void_service_slip, request.site_id,
                                          request.order_id, request.payload, call.actor,
                                          call.role, call.correlation_id))  # fmt: skip
