"""Front-desk endpoints: visits, watchlist, switchboard, and the visitor read models."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import RequestValidationError

from contracts import visitor_api as api
from contracts.fields import BusinessDate, Period, Reference
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.exports import number_columns, table_download, text_columns
from services.gateway.security import (
    FRONT_DESK,
    READERS,
    SUPERVISORS,
    call_service,
    group_access,
    payload,
    site_access,
)

router = APIRouter(prefix="/sites/{site_id}", tags=["visitor"])

Desk = Annotated[Principal, site_access(FRONT_DESK)]
Reader = Annotated[Principal, site_access(READERS)]
Supervisor = Annotated[Principal, site_access(SUPERVISORS)]


def call(request: Request, method: str, site_id: UUID, **fields: Any) -> Any:
    return call_service(request, "visitor", method, site_id, **fields)


@router.post("/visits/pre-registrations", status_code=201, summary="Host pre-registers a visitor")
async def pre_register(
    site_id: UUID, body: JsonBody[api.PreRegisterVisit], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "PreRegister", site_id, **payload(body))


@router.post(
    "/visits", status_code=201, summary="Unannounced visitor at the desk; the host is asked"
)
async def register_arrival(
    site_id: UUID, body: JsonBody[api.RegisterArrival], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "RegisterArrival", site_id, **payload(body))


@router.get("/visits/{visit_id}", summary="One visit")
async def get_visit(site_id: UUID, visit_id: UUID, request: Request, _: Reader) -> dict[str, Any]:
    return await call(request, "GetVisit", site_id, visit_id=visit_id)


@router.post("/visits/{visit_id}/check-in", summary="A pre-registered visitor checks in")
async def check_in(
    site_id: UUID, visit_id: UUID, body: JsonBody[api.CheckIn], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "CheckIn", site_id, visit_id=visit_id, **payload(body))


@router.post("/visits/{visit_id}/host-decision", summary="The host approves or declines")
async def host_decision(
    site_id: UUID, visit_id: UUID, body: JsonBody[api.HostDecision], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "HostDecides", site_id, visit_id=visit_id, **payload(body))


@router.post("/visits/{visit_id}/deny", summary="The desk turns the visitor away")
async def deny(
    site_id: UUID, visit_id: UUID, body: JsonBody[api.DenyVisit], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "Deny", site_id, visit_id=visit_id, **payload(body))


@router.post("/visits/{visit_id}/check-out", summary="The visitor leaves")
async def check_out(site_id: UUID, visit_id: UUID, request: Request, _: Desk) -> dict[str, Any]:
    return await call(request, "CheckOut", site_id, visit_id=visit_id)


@router.post("/overstays/flag", summary="Flag visitors still in at the end of a business day")
async def flag_overstays(
    site_id: UUID, body: JsonBody[api.FlagOverstays], request: Request, _: Supervisor
) -> dict[str, Any]:
    return await call(request, "FlagOverstays", site_id, **payload(body))


@router.post("/watchlist", status_code=201, summary="Add a person to the watchlist")
async def add_watchlist_entry(
    site_id: UUID, body: JsonBody[api.AddWatchlistEntry], request: Request, who: Supervisor
) -> dict[str, Any]:
    if body.scope == api.WatchlistScope.GROUP:
        who.require_group()  # a group-wide entry blocks visitors at every site
    return await call(request, "AddWatchlistEntry", site_id, **payload(body))


@router.post("/phone-messages", status_code=201, summary="Switchboard takes a message")
async def take_phone_message(
    site_id: UUID, body: JsonBody[api.TakePhoneMessage], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "TakePhoneMessage", site_id, **payload(body))


@router.post("/phone-messages/{message_id}/delivery", summary="Message delivered and acknowledged")
async def deliver_phone_message(
    site_id: UUID,
    message_id: UUID,
    body: JsonBody[api.DeliverPhoneMessage],
    request: Request,
    _: Desk,
) -> dict[str, Any]:
    return await call(
        request,
        "DeliverPhoneMessage",
        site_id,
        message_id=message_id,
        **payload(body),
    )


@router.get("/phone-messages", summary="The switchboard message book")
async def phone_messages(
    site_id: UUID, request: Request, _: Reader, undelivered_only: bool = False
) -> list[dict[str, Any]]:
    return await call(request, "PhoneMessages", site_id, undelivered_only=undelivered_only)


@router.get("/in-building", summary="Who is in the building now")
async def in_building(site_id: UUID, request: Request, _: Reader) -> list[dict[str, Any]]:
    return await call(request, "InBuilding", site_id)


LOG_COLUMNS = [
    *text_columns("visit_id", "business_date", "status", "visitor_name", "visitor_company",
                  "host_unit", "host_name", "purpose"),
    *number_columns("party_size"),
    *text_columns("pre_registered", "registered_at", "checked_in_at", "checked_out_at",
                  "id_checked", "id_type", "denial_reason", "overstayed_on"),
]  # fmt: skip


@router.get("/visit-log", summary="Daily visitor log (JSON, CSV or XLSX)")
async def visit_log(
    site_id: UUID,
    request: Request,
    _: Reader,
    day: Annotated[BusinessDate, Query(alias="date")],
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
) -> Any:
    rows = await call(request, "DailyLog", site_id, date=day.isoformat())
    if format == "json":
        return rows
    return table_download(rows, LOG_COLUMNS, f"visits-{site_id}-{day}", format)


@router.get("/visits-per-host", summary="Check-ins per host and hour of a day")
async def visits_per_host(
    site_id: UUID, request: Request, _: Reader, day: Annotated[BusinessDate, Query(alias="date")]
) -> list[dict[str, Any]]:
    return await call(request, "HostHourly", site_id, date=day.isoformat())


# -- the switchboard's call register ------------------------------------------------------


@router.post(
    "/calls", status_code=201, response_model=api.CallView, summary="Record a call in the register"
)
async def record_call(
    site_id: UUID, body: JsonBody[api.RecordCall], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "RecordCall", site_id, **payload(body))


@router.post(
    "/calls/{call_id}/signature",
    response_model=api.CallView,
    summary="The recipient signs for an important call's record",
)
async def sign_for_call(
    site_id: UUID, call_id: UUID, body: JsonBody[api.SignForCall], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "SignForCall", site_id, call_id=call_id, **payload(body))


@router.post(
    "/calls/{call_id}/follow-ups",
    response_model=api.CallView,
    summary="Progress on an important call",
)
async def follow_up_call(
    site_id: UUID, call_id: UUID, body: JsonBody[api.FollowUpCall], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "FollowUpCall", site_id, call_id=call_id, **payload(body))


@router.post(
    "/calls/{call_id}/completion",
    response_model=api.CallView,
    summary="An important call done, its result signed",
)
async def complete_call(
    site_id: UUID, call_id: UUID, body: JsonBody[api.CompleteCall], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "CompleteCall", site_id, call_id=call_id, **payload(body))


@router.get("/calls/{call_id}", response_model=api.CallView, summary="One call of the register")
async def get_call(site_id: UUID, call_id: UUID, request: Request, _: Reader) -> dict[str, Any]:
    return await call(request, "GetCall", site_id, call_id=call_id)


@router.get(
    "/calls",
    response_model=list[api.CallView],
    summary="The call register: a day, a category, or the important calls not yet done",
)
async def calls(
    site_id: UUID,
    request: Request,
    _: Reader,
    day: Annotated[BusinessDate | None, Query(alias="date")] = None,
    category: api.CallCategory | None = None,
    open_only: bool = False,
) -> list[dict[str, Any]]:
    return await call(
        request,
        "Calls",
        site_id,
        date=day.isoformat() if day else None,
        category=category.value if category else None,
        open_only=open_only,
    )


@router.get(
    "/calls-weekly",
    response_model=api.WeeklyCallSummary,
    summary="The week's calls by date and category",
)
async def weekly_calls(
    site_id: UUID, request: Request, _: Reader, week_start: Annotated[BusinessDate, Query()]
) -> dict[str, Any]:
    return await call(request, "WeeklyCalls", site_id, week_start=week_start.isoformat())


# -- the desk's day: opening checks, shift handovers, closing checks ----------------------

DeskDate = Annotated[BusinessDate, Path(description="The site's local business date.")]
MAX_DESK_DAYS = 92  # a quarter of desk days in one read


@router.post(
    "/desk-days/{business_date}/opening",
    status_code=201,
    response_model=api.DeskDayView,
    summary="Open the desk's day with the opening checks",
)
async def open_desk(
    site_id: UUID, business_date: DeskDate, body: JsonBody[api.OpenDesk], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(
        request, "OpenDesk", site_id, business_date=business_date.isoformat(), **payload(body)
    )


@router.post(
    "/desk-days/{business_date}/handovers",
    status_code=201,
    response_model=api.DeskDayView,
    summary="A shift hands its open items to the next",
)
async def hand_over_shift(
    site_id: UUID,
    business_date: DeskDate,
    body: JsonBody[api.HandOverShift],
    request: Request,
    _: Desk,
) -> dict[str, Any]:
    return await call(
        request, "HandOverShift", site_id, business_date=business_date.isoformat(), **payload(body)
    )


@router.post(
    "/desk-days/{business_date}/handovers/{number}/acknowledgement",
    response_model=api.DeskDayView,
    summary="The incoming shift acknowledges a handover by name",
)
async def acknowledge_handover(
    site_id: UUID,
    business_date: DeskDate,
    number: Annotated[int, Path(ge=1, le=1000)],
    body: JsonBody[api.AcknowledgeHandover],
    request: Request,
    _: Desk,
) -> dict[str, Any]:
    return await call(
        request,
        "AcknowledgeHandover",
        site_id,
        business_date=business_date.isoformat(),
        number=number,
        **payload(body),
    )


@router.post(
    "/desk-days/{business_date}/closing",
    response_model=api.DeskDayView,
    summary="Close the desk's day: closing checks, summary, items for tomorrow",
)
async def close_desk(
    site_id: UUID,
    business_date: DeskDate,
    body: JsonBody[api.CloseDesk],
    request: Request,
    _: Desk,
) -> dict[str, Any]:
    return await call(
        request, "CloseDesk", site_id, business_date=business_date.isoformat(), **payload(body)
    )


@router.get("/desk-days/{business_date}", response_model=api.DeskDayView, summary="One desk day")
async def get_desk_day(
    site_id: UUID, business_date: DeskDate, request: Request, _: Reader
) -> dict[str, Any]:
    return await call(request, "GetDeskDay", site_id, business_date=business_date.isoformat())


@router.get(
    "/desk-days",
    response_model=list[api.DeskDayView],
    summary=f"The desk days from one date to another (at most {MAX_DESK_DAYS} days)",
)
async def desk_days(
    site_id: UUID,
    request: Request,
    _: Reader,
    first: Annotated[BusinessDate, Query(alias="from")],
    last: Annotated[BusinessDate, Query(alias="to")],
) -> list[dict[str, Any]]:
    if not timedelta(0) <= last - first < timedelta(days=MAX_DESK_DAYS):
        raise RequestValidationError([{
            "loc": ("query", "to"), "type": "value_error",
            "msg": f"to is on or after from, at most {MAX_DESK_DAYS - 1} days later",
        }])  # fmt: skip
    return await call(request, "DeskDays", site_id, first=first.isoformat(), last=last.isoformat())


# -- VIP reception --------------------------------------------------------------------------


@router.post(
    "/vip-receptions",
    status_code=201,
    response_model=api.VipReceptionView,
    summary="Pre-register a VIP and plan the reception: level, escorts, room, pick-up",
)
async def plan_vip_reception(
    site_id: UUID, body: JsonBody[api.PlanVipReception], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "PlanVipReception", site_id, **payload(body))


@router.get(
    "/vip-receptions/to-confirm",
    response_model=list[api.VipReceptionView],
    summary="Tomorrow's VIPs not yet confirmed (confirm the day before)",
)
async def vip_receptions_to_confirm(
    site_id: UUID, request: Request, _: Reader
) -> list[dict[str, Any]]:
    return await call(request, "VipReceptionsToConfirm", site_id)


@router.post(
    "/vip-receptions/{visit_id}/confirmation",
    response_model=api.VipReceptionView,
    summary="Time, place and party confirmed with the guest ahead of the visit",
)
async def confirm_vip_reception(
    site_id: UUID,
    visit_id: UUID,
    body: JsonBody[api.ConfirmVipReception],
    request: Request,
    _: Desk,
) -> dict[str, Any]:
    return await call(request, "ConfirmVipReception", site_id, visit_id=visit_id, **payload(body))


@router.get(
    "/vip-receptions/{visit_id}",
    response_model=api.VipReceptionView,
    summary="The reception plan of a VIP visit",
)
async def get_vip_reception(
    site_id: UUID, visit_id: UUID, request: Request, _: Reader
) -> dict[str, Any]:
    return await call(request, "GetVipReception", site_id, visit_id=visit_id)


@router.get(
    "/vip-receptions",
    response_model=list[api.VipReceptionView],
    summary="The VIPs due on a day, with their visits' status at the desk",
)
async def vip_receptions(
    site_id: UUID,
    request: Request,
    _: Reader,
    day: Annotated[BusinessDate, Query(alias="date")],
    unconfirmed_only: bool = False,
) -> list[dict[str, Any]]:
    return await call(
        request, "VipReceptions", site_id, date=day.isoformat(), unconfirmed_only=unconfirmed_only
    )


# -- watchlist alerts --------------------------------------------------------------------

GroupSupervisor = Annotated[Principal, group_access(frozenset({Role.GROUP_ADMIN}))]


@router.get(
    "/watchlist-alerts",
    response_model=list[api.WatchlistAlertView],
    summary="Watchlist matches at the desk, newest first (the site's supervisor)",
)
async def watchlist_alerts(
    site_id: UUID, request: Request, _: Supervisor, open_only: bool = False
) -> list[dict[str, Any]]:
    return await call(request, "WatchlistAlerts", site_id, open_only=open_only)


@router.get(
    "/watchlist-alerts/{alert_id}", response_model=api.WatchlistAlertView, summary="One alert"
)
async def get_watchlist_alert(
    site_id: UUID, alert_id: UUID, request: Request, _: Supervisor
) -> dict[str, Any]:
    return await call(request, "GetWatchlistAlert", site_id, alert_id=alert_id)


@router.post(
    "/watchlist-alerts/{alert_id}/acknowledgement",
    response_model=api.WatchlistAlertView,
    summary="A supervisor takes the alert and says what was done",
)
async def acknowledge_watchlist_alert(
    site_id: UUID,
    alert_id: UUID,
    body: JsonBody[api.AcknowledgeWatchlistAlert],
    request: Request,
    _: Supervisor,
) -> dict[str, Any]:
    return await call(
        request, "AcknowledgeWatchlistAlert", site_id, alert_id=alert_id, **payload(body)
    )


group_router = APIRouter(tags=["visitor"])


@group_router.get(
    "/group/watchlist-alerts",
    response_model=list[api.WatchlistAlertView],
    summary="Matches of group-wide watchlist entries at every site (the group's supervisor)",
)
async def group_watchlist_alerts(
    request: Request, _: GroupSupervisor, open_only: bool = False
) -> list[dict[str, Any]]:
    client = request.app.state.services["visitor"]
    return await client.call(  # type: ignore[no-any-return]
        "GroupWatchlistAlerts",
        idempotent=True,
        correlation_id=request.state.correlation_id,
        open_only=open_only,
    )


# -- luggage held at the desk ----------------------------------------------------------------

Tag = Annotated[Reference, Path(description="The number on the luggage tag.")]


@router.post(
    "/luggage", status_code=201, response_model=api.LuggageView, summary="Hold luggage at the desk"
)
async def deposit_luggage(
    site_id: UUID, body: JsonBody[api.DepositLuggage], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "DepositLuggage", site_id, **payload(body))


@router.post(
    "/luggage/{tag}/collection",
    response_model=api.LuggageView,
    summary="The luggage goes back against its tag",
)
async def collect_luggage(
    site_id: UUID, tag: Tag, body: JsonBody[api.CollectLuggage], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "CollectLuggage", site_id, tag=tag, **payload(body))


@router.get("/luggage/{tag}", response_model=api.LuggageView, summary="A tag's latest deposit")
async def get_luggage(site_id: UUID, tag: Tag, request: Request, _: Reader) -> dict[str, Any]:
    return await call(request, "GetLuggage", site_id, tag=tag)


@router.get(
    "/luggage",
    response_model=list[api.LuggageView],
    summary="The luggage the desk holds (held_only=false: also what went back)",
)
async def luggage(
    site_id: UUID, request: Request, _: Reader, held_only: bool = True
) -> list[dict[str, Any]]:
    return await call(request, "Luggage", site_id, held_only=held_only)


# -- the monthly reception-time statistic ------------------------------------------------


@router.put(
    "/reception-standard",
    response_model=api.ReceptionStandardView,
    summary="The site's standard time from arrival at the desk to being served",
)
async def set_reception_standard(
    site_id: UUID, body: JsonBody[api.SetReceptionStandard], request: Request, _: Supervisor
) -> dict[str, Any]:
    return await call(request, "SetReceptionStandard", site_id, **payload(body))


@router.get(
    "/reception-standard",
    response_model=api.ReceptionStandardView,
    summary="The site's standard reception time",
)
async def get_reception_standard(site_id: UUID, request: Request, _: Reader) -> dict[str, Any]:
    return await call(request, "GetReceptionStandard", site_id)


@router.get(
    "/reception-times",
    response_model=api.MonthlyReceptionTime,
    summary="A month's time from arrival to being served, against the site's standard",
)
async def monthly_reception_time(
    site_id: UUID, request: Request, _: Reader, period: Annotated[Period, Query()]
) -> dict[str, Any]:
    return await call(request, "MonthlyReceptionTime", site_id, period=period)


# -- building notices ------------------------------------------------------------------------


@router.post(
    "/building-notices",
    status_code=201,
    response_model=api.BuildingNoticeView,
    summary="A notice to the building's tenants",
)
async def issue_building_notice(
    site_id: UUID, body: JsonBody[api.IssueBuildingNotice], request: Request, _: Desk
) -> dict[str, Any]:
    return await call(request, "IssueBuildingNotice", site_id, **payload(body))


@router.post(
    "/building-notices/{notice_id}/deliveries",
    response_model=api.BuildingNoticeView,
    summary="Who was told, how: a unit by phone, letter or visit, or a posting",
)
async def deliver_building_notice(
    site_id: UUID,
    notice_id: UUID,
    body: JsonBody[api.DeliverBuildingNotice],
    request: Request,
    _: Desk,
) -> dict[str, Any]:
    return await call(
        request, "DeliverBuildingNotice", site_id, notice_id=notice_id, **payload(body)
    )


@router.get(
    "/building-notices/{notice_id}", response_model=api.BuildingNoticeView, summary="One notice"
)
async def get_building_notice(
    site_id: UUID, notice_id: UUID, request: Request, _: Reader
) -> dict[str, Any]:
    return await call(request, "GetBuildingNotice", site_id, notice_id=notice_id)


@router.get(
    "/building-notices/{notice_id}/untold-units",
    response_model=api.UntoldUnits,
    summary="The roster's units not yet told of the notice",
)
async def untold_units(
    site_id: UUID, notice_id: UUID, request: Request, _: Reader
) -> dict[str, Any]:
    return await call(request, "UntoldUnits", site_id, notice_id=notice_id)


@router.get(
    "/building-notices",
    response_model=list[api.BuildingNoticeView],
    summary="The site's notices, newest first (200 at most)",
)
async def building_notices(site_id: UUID, request: Request, _: Reader) -> list[dict[str, Any]]:
    return await call(request, "BuildingNotices", site_id)
