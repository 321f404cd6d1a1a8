"""Front-desk endpoints: visits, watchlist, switchboard, and the visitor read models."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError

from contracts import visitor_api as api
from contracts.fields import BusinessDate, Period, Reference
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.exports import number_columns, table_download, text_columns
from services.gateway.paging import PageQuery, page_of
from services.gateway.security import (
    FRONT_DESK,
    READERS,
    SUPERVISORS,
    call,
    group_access,
    site_access,
)

router = APIRouter(prefix="/sites/{site_id}", tags=["visitor"])

Desk = Annotated[Principal, site_access(FRONT_DESK)]
Reader = Annotated[Principal, site_access(READERS)]
Supervisor = Annotated[Principal, site_access(SUPERVISORS)]


@router.post("/visits/pre-registrations", status_code=201, summary="Host pre-registers a visitor")
async def pre_register(
    site_id: UUID, body: JsonBody[api.PreRegisterVisit], request: Request, _: Desk
) -> api.VisitView:
    return await call(request, api.PRE_REGISTER, site_id=site_id, payload=body)


@router.post(
    "/visits", status_code=201, summary="Unannounced visitor at the desk; the host is asked"
)
async def register_arrival(
    site_id: UUID, body: JsonBody[api.RegisterArrival], request: Request, _: Desk
) -> api.VisitView:
    return await call(request, api.REGISTER_ARRIVAL, site_id=site_id, payload=body)


@router.get("/visits/{visit_id}", summary="One visit")
async def get_visit(site_id: UUID, visit_id: UUID, request: Request, _: Reader) -> api.VisitView:
    return await call(request, api.GET_VISIT, site_id=site_id, visit_id=visit_id)


@router.post("/visits/{visit_id}/check-in", summary="A pre-registered visitor checks in")
async def check_in(
    site_id: UUID, visit_id: UUID, body: JsonBody[api.CheckIn], request: Request, _: Desk
) -> api.VisitView:
    return await call(request, api.CHECK_IN, site_id=site_id, visit_id=visit_id, payload=body)


@router.post("/visits/{visit_id}/host-decision", summary="The host approves or declines")
async def host_decision(
    site_id: UUID, visit_id: UUID, body: JsonBody[api.HostDecision], request: Request, _: Desk
) -> api.VisitView:
    return await call(request, api.HOST_DECIDES, site_id=site_id, visit_id=visit_id, payload=body)


@router.post("/visits/{visit_id}/deny", summary="The desk turns the visitor away")
async def deny(
    site_id: UUID, visit_id: UUID, body: JsonBody[api.DenyVisit], request: Request, _: Desk
) -> api.VisitView:
    return await call(request, api.DENY, site_id=site_id, visit_id=visit_id, payload=body)


@router.post("/visits/{visit_id}/check-out", summary="The visitor leaves")
async def check_out(site_id: UUID, visit_id: UUID, request: Request, _: Desk) -> api.VisitView:
    return await call(request, api.CHECK_OUT, site_id=site_id, visit_id=visit_id)


@router.post("/overstays/flag", summary="Flag visitors still in at the end of a business day")
async def flag_overstays(
    site_id: UUID, body: JsonBody[api.FlagOverstays], request: Request, _: Supervisor
) -> api.OverstaysFlagged:
    return await call(request, api.FLAG_OVERSTAYS, site_id=site_id, payload=body)


@router.post("/watchlist", status_code=201, summary="Add a person to the watchlist")
async def add_watchlist_entry(
    site_id: UUID, body: JsonBody[api.AddWatchlistEntry], request: Request, who: Supervisor
) -> api.WatchlistEntryAdded:
    # The body is forwarded unvalidated (the service checks it); only the exact value
    # `group` is a group-wide entry, which blocks visitors at every site.
    if isinstance(body, dict) and body.get("scope") == api.WatchlistScope.GROUP.value:
        who.require_group()
    return await call(request, api.ADD_WATCHLIST_ENTRY, site_id=site_id, payload=body)


@router.post("/phone-messages", status_code=201, summary="Switchboard takes a message")
async def take_phone_message(
    site_id: UUID, body: JsonBody[api.TakePhoneMessage], request: Request, _: Desk
) -> api.PhoneMessageTaken:
    return await call(request, api.TAKE_PHONE_MESSAGE, site_id=site_id, payload=body)


@router.post("/phone-messages/{message_id}/delivery", summary="Message delivered and acknowledged")
async def deliver_phone_message(
    site_id: UUID,
    message_id: UUID,
    body: JsonBody[api.DeliverPhoneMessage],
    request: Request,
    _: Desk,
) -> api.PhoneMessageDelivered:
    return await call(
        request, api.DELIVER_PHONE_MESSAGE, site_id=site_id, message_id=message_id, payload=body
    )


@router.get("/phone-messages", summary="The switchboard message book")
async def phone_messages(
    site_id: UUID, request: Request, _: Reader, undelivered_only: bool = False
) -> list[api.PhoneMessageRow]:
    return await call(
        request, api.PHONE_MESSAGES, site_id=site_id, undelivered_only=undelivered_only
    )


@router.get("/in-building", summary="Who is in the building now")
async def in_building(site_id: UUID, request: Request, _: Reader) -> list[api.VisitRow]:
    return await call(request, api.IN_BUILDING, site_id=site_id)


LOG_COLUMNS = [
    *text_columns("visit_id", "business_date", "status", "visitor_name", "visitor_company",
                  "host_unit", "host_name", "purpose"),
    *number_columns("party_size"),
    *text_columns("pre_registered", "registered_at", "checked_in_at", "checked_out_at",
                  "id_checked", "id_type", "denial_reason", "overstayed_on"),
]  # fmt: skip


@router.get(
    "/visit-log", summary="Daily visitor log (JSON, CSV or XLSX)", response_model=list[api.VisitRow]
)
async def visit_log(
    site_id: UUID,
    request: Request,
    _: Reader,
    day: Annotated[BusinessDate, Query(alias="date")],
    page: PageQuery,
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
) -> list[api.VisitRow] | Response:
    rows = await call(request, api.DAILY_LOG, site_id=site_id, date=day,
                      **page_of(page, format))  # fmt: skip
    if format == "json":
        return rows
    return table_download(rows, LOG_COLUMNS, f"visits-{site_id}-{day}", format)


@router.get("/visits-per-host", summary="Check-ins per host and hour of a day")
async def visits_per_host(
    site_id: UUID, request: Request, _: Reader, day: Annotated[BusinessDate, Query(alias="date")]
) -> list[api.HostHour]:
    return await call(request, api.HOST_HOURLY, site_id=site_id, date=day)


# -- the switchboard's call register ------------------------------------------------------


@router.post("/calls", status_code=201, summary="Record a call in the register")
async def record_call(
    site_id: UUID, body: JsonBody[api.RecordCall], request: Request, _: Desk
) -> api.CallView:
    return await call(request, api.RECORD_CALL, site_id=site_id, payload=body)


@router.post(
    "/calls/{call_id}/signature",
    summary="The recipient signs for an important call's record",
)
async def sign_for_call(
    site_id: UUID, call_id: UUID, body: JsonBody[api.SignForCall], request: Request, _: Desk
) -> api.CallView:
    return await call(request, api.SIGN_FOR_CALL, site_id=site_id, call_id=call_id, payload=body)


@router.post(
    "/calls/{call_id}/follow-ups",
    summary="Progress on an important call",
)
async def follow_up_call(
    site_id: UUID, call_id: UUID, body: JsonBody[api.FollowUpCall], request: Request, _: Desk
) -> api.CallView:
    return await call(request, api.FOLLOW_UP_CALL, site_id=site_id, call_id=call_id, payload=body)


@router.post(
    "/calls/{call_id}/completion",
    summary="An important call done, its result signed",
)
async def complete_call(
    site_id: UUID, call_id: UUID, body: JsonBody[api.CompleteCall], request: Request, _: Desk
) -> api.CallView:
    return await call(request, api.COMPLETE_CALL, site_id=site_id, call_id=call_id, payload=body)


@router.get("/calls/{call_id}", summary="One call of the register")
async def get_call(site_id: UUID, call_id: UUID, request: Request, _: Reader) -> api.CallView:
    return await call(request, api.GET_CALL, site_id=site_id, call_id=call_id)


@router.get(
    "/calls",
    summary="The call register: a day, a category, or the important calls not yet done",
)
async def calls(
    site_id: UUID,
    request: Request,
    _: Reader,
    day: Annotated[BusinessDate | None, Query(alias="date")] = None,
    category: api.CallCategory | None = None,
    open_only: bool = False,
) -> list[api.CallView]:
    return await call(
        request,
        api.CALLS,
        site_id=site_id,
        date=day,
        category=category,
        open_only=open_only,
    )


@router.get(
    "/calls-weekly",
    summary="The week's calls by date and category",
)
async def weekly_calls(
    site_id: UUID, request: Request, _: Reader, week_start: Annotated[BusinessDate, Query()]
) -> api.WeeklyCallSummary:
    return await call(request, api.WEEKLY_CALLS, site_id=site_id, week_start=week_start)


# -- the desk's day: opening checks, shift handovers, closing checks ----------------------

DeskDate = Annotated[BusinessDate, Path(description="The site's local business date.")]
MAX_DESK_DAYS = 92  # a quarter of desk days in one read


@router.post(
    "/desk-days/{business_date}/opening",
    status_code=201,
    summary="Open the desk's day with the opening checks",
)
async def open_desk(
    site_id: UUID, business_date: DeskDate, body: JsonBody[api.OpenDesk], request: Request, _: Desk
) -> api.DeskDayView:
    return await call(
        request, api.OPEN_DESK, site_id=site_id, business_date=business_date, payload=body
    )


@router.post(
    "/desk-days/{business_date}/handovers",
    status_code=201,
    summary="A shift hands its open items to the next",
)
async def hand_over_shift(
    site_id: UUID,
    business_date: DeskDate,
    body: JsonBody[api.HandOverShift],
    request: Request,
    _: Desk,
) -> api.DeskDayView:
    return await call(
        request, api.HAND_OVER_SHIFT, site_id=site_id, business_date=business_date, payload=body
    )


@router.post(
    "/desk-days/{business_date}/handovers/{number}/acknowledgement",
    summary="The incoming shift acknowledges a handover by name",
)
async def acknowledge_handover(
    site_id: UUID,
    business_date: DeskDate,
    number: Annotated[int, Path(ge=1, le=1000)],
    body: JsonBody[api.AcknowledgeHandover],
    request: Request,
    _: Desk,
) -> api.DeskDayView:
    return await call(
        request,
        api.ACKNOWLEDGE_HANDOVER,
        site_id=site_id,
        business_date=business_date,
        number=number,
        payload=body,
    )


@router.post(
    "/desk-days/{business_date}/closing",
    summary="Close the desk's day: closing checks, summary, items for tomorrow",
)
async def close_desk(
    site_id: UUID,
    business_date: DeskDate,
    body: JsonBody[api.CloseDesk],
    request: Request,
    _: Desk,
) -> api.DeskDayView:
    return await call(
        request, api.CLOSE_DESK, site_id=site_id, business_date=business_date, payload=body
    )


@router.get("/desk-days/{business_date}", summary="One desk day")
async def get_desk_day(
    site_id: UUID, business_date: DeskDate, request: Request, _: Reader
) -> api.DeskDayView:
    return await call(request, api.GET_DESK_DAY, site_id=site_id, business_date=business_date)


@router.get(
    "/desk-days",
    summary=f"The desk days from one date to another (at most {MAX_DESK_DAYS} days)",
)
async def desk_days(
    site_id: UUID,
    request: Request,
    _: Reader,
    first: Annotated[BusinessDate, Query(alias="from")],
    last: Annotated[BusinessDate, Query(alias="to")],
) -> list[api.DeskDayView]:
    if not timedelta(0) <= last - first < timedelta(days=MAX_DESK_DAYS):
        raise RequestValidationError([{
            "loc": ("query", "to"), "type": "value_error",
            "msg": f"to is on or after from, at most {MAX_DESK_DAYS - 1} days later",
        }])  # fmt: skip
    return await call(request, api.DESK_DAYS, site_id=site_id, first=first, last=last)


# -- VIP reception --------------------------------------------------------------------------


@router.post(
    "/vip-receptions",
    status_code=201,
    summary="Pre-register a VIP and plan the reception: level, escorts, room, pick-up",
)
async def plan_vip_reception(
    site_id: UUID, body: JsonBody[api.PlanVipReception], request: Request, _: Desk
) -> api.VipReceptionView:
    return await call(request, api.PLAN_VIP_RECEPTION, site_id=site_id, payload=body)


@router.get(
    "/vip-receptions/to-confirm",
    summary="Tomorrow's VIPs not yet confirmed (confirm the day before)",
)
async def vip_receptions_to_confirm(
    site_id: UUID, request: Request, _: Reader
) -> list[api.VipReceptionView]:
    return await call(
        request,
        api.VIP_RECEPTIONS_TO_CONFIRM,
        site_id=site_id,
    )


@router.post(
    "/vip-receptions/{visit_id}/confirmation",
    summary="Time, place and party confirmed with the guest ahead of the visit",
)
async def confirm_vip_reception(
    site_id: UUID,
    visit_id: UUID,
    body: JsonBody[api.ConfirmVipReception],
    request: Request,
    _: Desk,
) -> api.VipReceptionView:
    return await call(
        request, api.CONFIRM_VIP_RECEPTION, site_id=site_id, visit_id=visit_id, payload=body
    )


@router.get(
    "/vip-receptions/{visit_id}",
    summary="The reception plan of a VIP visit",
)
async def get_vip_reception(
    site_id: UUID, visit_id: UUID, request: Request, _: Reader
) -> api.VipReceptionView:
    return await call(request, api.GET_VIP_RECEPTION, site_id=site_id, visit_id=visit_id)


@router.get(
    "/vip-receptions",
    summary="The VIPs due on a day, with their visits' status at the desk",
)
async def vip_receptions(
    site_id: UUID,
    request: Request,
    _: Reader,
    day: Annotated[BusinessDate, Query(alias="date")],
    unconfirmed_only: bool = False,
) -> list[api.VipReceptionView]:
    return await call(
        request, api.VIP_RECEPTIONS, site_id=site_id, date=day, unconfirmed_only=unconfirmed_only
    )


# -- watchlist alerts --------------------------------------------------------------------

GroupSupervisor = Annotated[Principal, group_access(frozenset({Role.GROUP_ADMIN}))]


@router.get(
    "/watchlist-alerts",
    summary="Watchlist matches at the desk, newest first (the site's supervisor)",
)
async def watchlist_alerts(
    site_id: UUID, request: Request, _: Supervisor, open_only: bool = False
) -> list[api.WatchlistAlertView]:
    return await call(request, api.WATCHLIST_ALERTS, site_id=site_id, open_only=open_only)


@router.get("/watchlist-alerts/{alert_id}", summary="One alert")
async def get_watchlist_alert(
    site_id: UUID, alert_id: UUID, request: Request, _: Supervisor
) -> api.WatchlistAlertView:
    return await call(request, api.GET_WATCHLIST_ALERT, site_id=site_id, alert_id=alert_id)


@router.post(
    "/watchlist-alerts/{alert_id}/acknowledgement",
    summary="A supervisor takes the alert and says what was done",
)
async def acknowledge_watchlist_alert(
    site_id: UUID,
    alert_id: UUID,
    body: JsonBody[api.AcknowledgeWatchlistAlert],
    request: Request,
    _: Supervisor,
) -> api.WatchlistAlertView:
    return await call(
        request, api.ACKNOWLEDGE_WATCHLIST_ALERT, site_id=site_id, alert_id=alert_id, payload=body
    )


group_router = APIRouter(tags=["visitor"])


@group_router.get(
    "/group/watchlist-alerts",
    summary="Matches of group-wide watchlist entries at every site (the group's supervisor)",
)
async def group_watchlist_alerts(
    request: Request, _: GroupSupervisor, open_only: bool = False
) -> list[api.WatchlistAlertView]:
    return await call(request, api.GROUP_WATCHLIST_ALERTS, open_only=open_only)


# -- luggage held at the desk ----------------------------------------------------------------

Tag = Annotated[Reference, Path(description="The number on the luggage tag.")]


@router.post("/luggage", status_code=201, summary="Hold luggage at the desk")
async def deposit_luggage(
    site_id: UUID, body: JsonBody[api.DepositLuggage], request: Request, _: Desk
) -> api.LuggageView:
    return await call(request, api.DEPOSIT_LUGGAGE, site_id=site_id, payload=body)


@router.post(
    "/luggage/{tag}/collection",
    summary="The luggage goes back against its tag",
)
async def collect_luggage(
    site_id: UUID, tag: Tag, body: JsonBody[api.CollectLuggage], request: Request, _: Desk
) -> api.LuggageView:
    return await call(request, api.COLLECT_LUGGAGE, site_id=site_id, tag=tag, payload=body)


@router.get("/luggage/{tag}", summary="A tag's latest deposit")
async def get_luggage(site_id: UUID, tag: Tag, request: Request, _: Reader) -> api.LuggageView:
    return await call(request, api.GET_LUGGAGE, site_id=site_id, tag=tag)


@router.get(
    "/luggage",
    summary="The luggage the desk holds (held_only=false: also what went back)",
)
async def luggage(
    site_id: UUID, request: Request, _: Reader, held_only: bool = True
) -> list[api.LuggageView]:
    return await call(request, api.LUGGAGE, site_id=site_id, held_only=held_only)


# -- the monthly reception-time statistic ------------------------------------------------


@router.put(
    "/reception-standard",
    summary="The site's standard time from arrival at the desk to being served",
)
async def set_reception_standard(
    site_id: UUID, body: JsonBody[api.SetReceptionStandard], request: Request, _: Supervisor
) -> api.ReceptionStandardView:
    return await call(request, api.SET_RECEPTION_STANDARD, site_id=site_id, payload=body)


@router.get(
    "/reception-standard",
    summary="The site's standard reception time",
)
async def get_reception_standard(
    site_id: UUID, request: Request, _: Reader
) -> api.ReceptionStandardView:
    return await call(
        request,
        api.GET_RECEPTION_STANDARD,
        site_id=site_id,
    )


@router.get(
    "/reception-times",
    summary="A month's time from arrival to being served, against the site's standard",
)
async def monthly_reception_time(
    site_id: UUID, request: Request, _: Reader, period: Annotated[Period, Query()]
) -> api.MonthlyReceptionTime:
    return await call(request, api.MONTHLY_RECEPTION_TIME, site_id=site_id, period=period)


# -- building notices ------------------------------------------------------------------------


@router.post(
    "/building-notices",
    status_code=201,
    summary="A notice to the building's tenants",
)
async def issue_building_notice(
    site_id: UUID, body: JsonBody[api.IssueBuildingNotice], request: Request, _: Desk
) -> api.BuildingNoticeView:
    return await call(request, api.ISSUE_BUILDING_NOTICE, site_id=site_id, payload=body)


@router.post(
    "/building-notices/{notice_id}/deliveries",
    summary="Who was told, how: a unit by phone, letter or visit, or a posting",
)
async def deliver_building_notice(
    site_id: UUID,
    notice_id: UUID,
    body: JsonBody[api.DeliverBuildingNotice],
    request: Request,
    _: Desk,
) -> api.BuildingNoticeView:
    return await call(
        request, api.DELIVER_BUILDING_NOTICE, site_id=site_id, notice_id=notice_id, payload=body
    )


@router.get("/building-notices/{notice_id}", summary="One notice")
async def get_building_notice(
    site_id: UUID, notice_id: UUID, request: Request, _: Reader
) -> api.BuildingNoticeView:
    return await call(request, api.GET_BUILDING_NOTICE, site_id=site_id, notice_id=notice_id)


@router.get(
    "/building-notices/{notice_id}/untold-units",
    summary="The roster's units not yet told of the notice",
)
async def untold_units(
    site_id: UUID, notice_id: UUID, request: Request, _: Reader
) -> api.UntoldUnits:
    return await call(request, api.UNTOLD_UNITS, site_id=site_id, notice_id=notice_id)


@router.get(
    "/building-notices",
    summary="The site's notices, newest first (200 at most)",
)
async def building_notices(
    site_id: UUID, request: Request, _: Reader
) -> list[api.BuildingNoticeView]:
    return await call(
        request,
        api.BUILDING_NOTICES,
        site_id=site_id,
    )
