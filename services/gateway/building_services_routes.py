"""Building-service endpoints (laundry, catering, business centre), served by the visitor
service: the front office takes the requests (seed 001, 客服部: 前台接待员 takes the calls,
the 客务主管/内务主管 agree prices and menus and sign voided slips)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request

from contracts import building_services_api as api
from contracts.fields import BusinessDate, Period
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.security import FRONT_DESK, READERS, SUPERVISORS, call, site_access

router = APIRouter(prefix="/sites/{site_id}", tags=["building services"])

Desk = Annotated[Principal, site_access(FRONT_DESK)]
Reader = Annotated[Principal, site_access(READERS)]
Supervisor = Annotated[Principal, site_access(SUPERVISORS)]
# Seed 001: 报废单据必需经过主管签字才有效: a void is signed by a supervisor in person.
VoidSigner = Annotated[Principal, site_access(frozenset({Role.CS_SUPERVISOR, Role.CS_MANAGER}))]
WeekStart = Annotated[BusinessDate, Path(description="The Monday the week starts on.")]


# -- laundry ---------------------------------------------------------------------------------


@router.put("/laundry/prices", summary="The site's laundry price list")
async def set_laundry_prices(
    site_id: UUID, body: JsonBody[api.SetLaundryPrices], request: Request, _: Supervisor
) -> api.LaundryPrices:
    return await call(request, api.SET_LAUNDRY_PRICES, site_id=site_id, payload=body)


@router.get("/laundry/prices", summary="The site's laundry price list")
async def get_laundry_prices(site_id: UUID, request: Request, _: Reader) -> api.LaundryPrices:
    return await call(request, api.GET_LAUNDRY_PRICES, site_id=site_id)


@router.post("/laundry/orders", status_code=201, summary="A tenant asks for laundry")
async def request_laundry(
    site_id: UUID, body: JsonBody[api.RequestLaundry], request: Request, _: Desk
) -> api.ServiceOrderView:
    return await call(request, api.REQUEST_LAUNDRY, site_id=site_id, payload=body)


@router.post("/laundry/orders/{order_id}/pickup", summary="The laundry collects the clothes")
async def pick_up_laundry(
    site_id: UUID, order_id: UUID, body: JsonBody[api.PickUpLaundry], request: Request, _: Desk
) -> api.ServiceOrderView:
    return await call(
        request, api.PICK_UP_LAUNDRY, site_id=site_id, order_id=order_id, payload=body
    )


@router.post("/laundry/orders/{order_id}/return", summary="The tenant signs for the return")
async def sign_laundry_return(
    site_id: UUID, order_id: UUID, body: JsonBody[api.SignForService], request: Request, _: Desk
) -> api.ServiceOrderView:
    return await call(
        request, api.SIGN_LAUNDRY_RETURN, site_id=site_id, order_id=order_id, payload=body
    )


@router.post(
    "/laundry/orders/{order_id}/rewash", status_code=201,
    summary="A returned order washed again, free, as an order linked to it",
)  # fmt: skip
async def request_rewash(
    site_id: UUID, order_id: UUID, body: JsonBody[api.RequestRewash], request: Request, _: Desk
) -> api.ServiceOrderView:
    return await call(request, api.REQUEST_REWASH, site_id=site_id, order_id=order_id, payload=body)


@router.get("/laundry/pickup-times", summary="The month's share of pickups within 30 minutes")
async def laundry_pickup_times(
    site_id: UUID, request: Request, _: Reader, period: Annotated[Period, Query()]
) -> api.LaundryPickupTimes:
    return await call(request, api.LAUNDRY_PICKUP_TIMES, site_id=site_id, period=period)


# -- catering --------------------------------------------------------------------------------


@router.put("/catering/menus/{week_start}", summary="The week's menu and the daily cut-off")
async def publish_menu(
    site_id: UUID, week_start: WeekStart, body: JsonBody[api.PublishMenu], request: Request,
    _: Supervisor,
) -> api.MenuView:  # fmt: skip
    return await call(
        request, api.PUBLISH_MENU, site_id=site_id, week_start=week_start, payload=body
    )


@router.get("/catering/menus/{week_start}", summary="The week's menu with the tenants' feedback")
async def get_menu(
    site_id: UUID, week_start: WeekStart, request: Request, _: Reader
) -> api.MenuView:
    return await call(request, api.GET_MENU, site_id=site_id, week_start=week_start)


@router.post("/catering/menus/{week_start}/feedback", summary="A tenant's view of the week")
async def give_menu_feedback(
    site_id: UUID, week_start: WeekStart, body: JsonBody[api.MenuFeedback], request: Request,
    _: Desk,
) -> api.MenuView:  # fmt: skip
    return await call(
        request, api.GIVE_MENU_FEEDBACK, site_id=site_id, week_start=week_start, payload=body
    )


@router.post(
    "/catering/orders", status_code=201, summary="A tenant orders the day's meal (by the cut-off)"
)
async def order_catering(
    site_id: UUID, body: JsonBody[api.OrderCatering], request: Request, _: Desk
) -> api.ServiceOrderView:
    return await call(request, api.ORDER_CATERING, site_id=site_id, payload=body)


@router.post("/catering/orders/{order_id}/delivery", summary="The meal reaches the unit")
async def deliver_catering(
    site_id: UUID, order_id: UUID, body: JsonBody[api.DeliverCatering], request: Request,
    _: Desk,
) -> api.ServiceOrderView:  # fmt: skip
    return await call(
        request, api.DELIVER_CATERING, site_id=site_id, order_id=order_id, payload=body
    )


@router.post("/catering/orders/{order_id}/receipt", summary="The tenant signs for the meal")
async def sign_catering_receipt(
    site_id: UUID, order_id: UUID, body: JsonBody[api.SignForService], request: Request, _: Desk
) -> api.ServiceOrderView:
    return await call(
        request, api.SIGN_CATERING_RECEIPT, site_id=site_id, order_id=order_id, payload=body
    )


# -- the business centre ---------------------------------------------------------------------


@router.post(
    "/business-centre/slips", status_code=201, summary="A service slip: fax, typing or copying"
)
async def open_service_slip(
    site_id: UUID, body: JsonBody[api.OpenServiceSlip], request: Request, _: Desk
) -> api.ServiceOrderView:
    return await call(request, api.OPEN_SERVICE_SLIP, site_id=site_id, payload=body)


@router.post("/business-centre/slips/{order_id}/signature", summary="The customer signs the slip")
async def sign_service_slip(
    site_id: UUID, order_id: UUID, body: JsonBody[api.SignForService], request: Request, _: Desk
) -> api.ServiceOrderView:
    return await call(
        request, api.SIGN_SERVICE_SLIP, site_id=site_id, order_id=order_id, payload=body
    )


@router.post(
    "/business-centre/slips/{order_id}/void",
    summary="Void a slip: the signing supervisor's token, not who wrote it",
)
async def void_service_slip(
    site_id: UUID, order_id: UUID, body: JsonBody[api.VoidServiceSlip], request: Request,
    _: VoidSigner,
) -> api.ServiceOrderView:  # fmt: skip
    return await call(
        request, api.VOID_SERVICE_SLIP, site_id=site_id, order_id=order_id, payload=body
    )


# -- every service ---------------------------------------------------------------------------


@router.get("/service-orders/{order_id}", summary="A laundry order, catering order or slip")
async def get_service_order(
    site_id: UUID, order_id: UUID, request: Request, _: Reader
) -> api.ServiceOrderView:
    return await call(request, api.GET_SERVICE_ORDER, site_id=site_id, order_id=order_id)


@router.get("/service-orders", summary="A day's orders and slips (open_only: not yet signed)")
async def service_orders(
    site_id: UUID,
    request: Request,
    _: Reader,
    day: Annotated[BusinessDate, Query(alias="date")],
    service: api.BuildingService | None = None,
    open_only: bool = False,
) -> list[api.ServiceOrderView]:
    return await call(request, api.SERVICE_ORDERS, site_id=site_id, date=day, service=service,
                      open_only=open_only)  # fmt: skip
