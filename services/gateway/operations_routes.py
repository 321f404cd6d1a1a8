"""Building-operations endpoints of the work-order service: patrols (plans, rounds,
the day's review and sign-off); emergencies (the incident log, the evacuation list, the
drills); hygiene (cleaning areas, inspections, overdue ones, the vendors' scores)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request

from contracts import hygiene_api, incident_api, patrol_api, visitor_api
from contracts.fields import BusinessDate, Period
from runtime.auth import Principal, Role
from runtime.clock import clock
from runtime.errors import Conflict
from services.gateway.bodies import JsonBody
from services.gateway.security import FRONT_DESK, READERS, call, site_access

router = APIRouter(prefix="/sites/{site_id}", tags=["building operations"])

# Seed 001: the customer-service manager (客服部经理) draws the patrol plan and reviews
# the day's patrol records; customer service staff and engineering patrol.
SiteManager = Annotated[Principal, site_access(frozenset({Role.CS_MANAGER, Role.GENERAL_MANAGER}))]
Patroller = Annotated[
    Principal,
    site_access(frozenset({Role.CS_REP, Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.TECHNICIAN})),
]
Reader = Annotated[
    Principal,
    site_access(READERS | {Role.DISPATCHER, Role.TECHNICIAN, Role.GENERAL_MANAGER}),
]
# Seed 001: whoever is on duty logs an emergency and what was done; the customer-service
# supervisor (客务主管) handles it and sees to what follows, and closes it.
OnDuty = Annotated[
    Principal,
    site_access(FRONT_DESK | {Role.DISPATCHER, Role.TECHNICIAN, Role.GENERAL_MANAGER}),
]
EmergencyLead = Annotated[
    Principal,
    site_access(frozenset({Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.GENERAL_MANAGER})),
]
# Seed 001: customer service (客服部) inspects hygiene; its supervisors and manager keep
# the areas and the vendors who clean them.
Inspector = Annotated[
    Principal, site_access(frozenset({Role.CS_REP, Role.CS_SUPERVISOR, Role.CS_MANAGER}))
]
HygieneLead = Annotated[Principal, site_access(frozenset({Role.CS_SUPERVISOR, Role.CS_MANAGER}))]
LocalDate = Annotated[BusinessDate, Path(description="The site's local business date.")]


# -- patrols (issue 12 item 7) ----------------------------------------------------------


@router.post("/patrol-plans", status_code=201, summary="The manager's patrol plan for a zone")
async def draw_patrol_plan(
    site_id: UUID, body: JsonBody[patrol_api.DrawPatrolPlan], request: Request, _: SiteManager
) -> patrol_api.PatrolPlanView:
    return await call(request, patrol_api.DRAW_PATROL_PLAN, site_id=site_id, payload=body)


@router.get("/patrol-plans", summary="The site's patrol plans by zone")
async def patrol_plans(
    site_id: UUID, request: Request, _: Reader
) -> list[patrol_api.PatrolPlanView]:
    return await call(request, patrol_api.PATROL_PLANS, site_id=site_id)


@router.post("/patrol-rounds", status_code=201, summary="Start a round of a plan today")
async def start_patrol_round(
    site_id: UUID, body: JsonBody[patrol_api.StartPatrolRound], request: Request, _: Patroller
) -> patrol_api.PatrolRoundView:
    return await call(request, patrol_api.START_PATROL_ROUND, site_id=site_id, payload=body)


@router.get("/patrol-rounds/{round_id}", summary="One round: records, not yet visited, missed")
async def get_patrol_round(
    site_id: UUID, round_id: UUID, request: Request, _: Reader
) -> patrol_api.PatrolRoundView:
    return await call(request, patrol_api.GET_PATROL_ROUND, site_id=site_id, round_id=round_id)


@router.post(
    "/patrol-rounds/{round_id}/checkpoints",
    summary="Record a checkpoint: position, what was found; a finding may open a repair",
)
async def record_checkpoint(
    site_id: UUID,
    round_id: UUID,
    body: JsonBody[patrol_api.RecordCheckpoint],
    request: Request,
    _: Patroller,
) -> patrol_api.PatrolRoundView:
    return await call(
        request, patrol_api.RECORD_CHECKPOINT, site_id=site_id, round_id=round_id, payload=body
    )


@router.post("/patrol-rounds/{round_id}/finish", summary="End the round; unvisited are missed")
async def finish_patrol_round(
    site_id: UUID,
    round_id: UUID,
    body: JsonBody[patrol_api.FinishPatrolRound],
    request: Request,
    _: Patroller,
) -> patrol_api.PatrolRoundView:
    return await call(
        request, patrol_api.FINISH_PATROL_ROUND, site_id=site_id, round_id=round_id, payload=body
    )


@router.get("/patrol-days/{business_date}", summary="The day's patrol review")
async def patrol_day(
    site_id: UUID, business_date: LocalDate, request: Request, _: Reader
) -> patrol_api.PatrolDayReview:
    return await call(request, patrol_api.PATROL_DAY, site_id=site_id, business_date=business_date)


@router.post(
    "/patrol-days/{business_date}/sign-off",
    summary="The manager signs the day's review, once, after the day's rounds",
)
async def sign_off_patrol_day(
    site_id: UUID,
    business_date: LocalDate,
    body: JsonBody[patrol_api.SignOffPatrolDay],
    request: Request,
    _: SiteManager,
) -> patrol_api.PatrolDaySignOff:
    return await call(
        request, patrol_api.SIGN_OFF_PATROL_DAY, site_id=site_id, business_date=business_date,
        payload=body,
    )  # fmt: skip


# -- emergencies (issue 12 item 9) ------------------------------------------------------


@router.post("/incidents", status_code=201, summary="Log an emergency: kind, place, time")
async def report_incident(
    site_id: UUID, body: JsonBody[incident_api.ReportIncident], request: Request, _: OnDuty
) -> incident_api.IncidentView:
    return await call(request, incident_api.REPORT_INCIDENT, site_id=site_id, payload=body)


@router.get("/incidents", summary="The incident log, latest first (500 at most)")
async def incidents(
    site_id: UUID, request: Request, _: Reader, open_only: bool = False
) -> list[incident_api.IncidentView]:
    return await call(request, incident_api.INCIDENTS, site_id=site_id, open_only=open_only)


@router.get("/incidents/{incident_id}", summary="One incident with its actions and follow-up")
async def get_incident(
    site_id: UUID, incident_id: UUID, request: Request, _: Reader
) -> incident_api.IncidentView:
    return await call(request, incident_api.GET_INCIDENT, site_id=site_id, incident_id=incident_id)


@router.post("/incidents/{incident_id}/actions", summary="An action taken (appended)")
async def take_incident_action(
    site_id: UUID,
    incident_id: UUID,
    body: JsonBody[incident_api.TakeIncidentAction],
    request: Request,
    _: OnDuty,
) -> incident_api.IncidentView:
    return await call(
        request, incident_api.TAKE_INCIDENT_ACTION, site_id=site_id, incident_id=incident_id,
        payload=body,
    )  # fmt: skip


@router.post("/incidents/{incident_id}/follow-ups", summary="What is to follow (善后)")
async def record_incident_follow_up(
    site_id: UUID,
    incident_id: UUID,
    body: JsonBody[incident_api.RecordIncidentFollowUp],
    request: Request,
    _: EmergencyLead,
) -> incident_api.IncidentView:
    return await call(
        request, incident_api.RECORD_INCIDENT_FOLLOW_UP, site_id=site_id,
        incident_id=incident_id, payload=body,
    )  # fmt: skip


@router.post("/incidents/{incident_id}/closure", summary="Close the incident with a summary")
async def close_incident(
    site_id: UUID,
    incident_id: UUID,
    body: JsonBody[incident_api.CloseIncident],
    request: Request,
    _: EmergencyLead,
) -> incident_api.IncidentView:
    return await call(
        request, incident_api.CLOSE_INCIDENT, site_id=site_id, incident_id=incident_id,
        payload=body,
    )  # fmt: skip


@router.get(
    "/incidents/{incident_id}/evacuation-list",
    summary="Who to lead out of an open incident: the visitors in the building now",
)
async def evacuation_list(
    site_id: UUID, incident_id: UUID, request: Request, _: OnDuty
) -> incident_api.EvacuationList:
    """The incident (404 for another site's) beside the visitor service's "in the building
    now"; a closed incident has no one left to lead out (409): today's visitors are not
    the ones who were in then."""
    incident = await call(
        request, incident_api.GET_INCIDENT, site_id=site_id, incident_id=incident_id
    )
    if incident.closed_at is not None:
        raise Conflict("the incident is closed; the evacuation list is for an open incident")
    as_of = clock.now()
    visitors = await call(request, visitor_api.IN_BUILDING, site_id=site_id)
    return incident_api.EvacuationList(
        incident=incident, as_of=as_of, people=sum(v.party_size for v in visitors),
        in_building=visitors,
    )  # fmt: skip


@router.post("/drills", status_code=201, summary="A drill held: kind, date, who, how long")
async def record_drill(
    site_id: UUID, body: JsonBody[incident_api.RecordDrill], request: Request, _: EmergencyLead
) -> incident_api.DrillView:
    return await call(request, incident_api.RECORD_DRILL, site_id=site_id, payload=body)


@router.get("/drills", summary="The site's drills, latest first (500 at most)")
async def drills(site_id: UUID, request: Request, _: Reader) -> list[incident_api.DrillView]:
    return await call(request, incident_api.DRILLS, site_id=site_id)


# -- hygiene (issue 12 item 8) ----------------------------------------------------------


@router.post("/cleaning-areas", status_code=201, summary="An area to keep clean, and its vendor")
async def register_cleaning_area(
    site_id: UUID,
    body: JsonBody[hygiene_api.RegisterCleaningArea],
    request: Request,
    _: HygieneLead,
) -> hygiene_api.CleaningAreaView:
    return await call(request, hygiene_api.REGISTER_CLEANING_AREA, site_id=site_id, payload=body)


@router.get("/cleaning-areas", summary="The site's cleaning areas and their vendors")
async def cleaning_areas(
    site_id: UUID, request: Request, _: Reader
) -> list[hygiene_api.CleaningAreaView]:
    return await call(request, hygiene_api.CLEANING_AREAS, site_id=site_id)


@router.put("/cleaning-areas/{area_id}/vendor", summary="Another vendor cleans the area")
async def change_cleaning_vendor(
    site_id: UUID,
    area_id: UUID,
    body: JsonBody[hygiene_api.ChangeCleaningVendor],
    request: Request,
    _: HygieneLead,
) -> hygiene_api.CleaningAreaView:
    return await call(
        request, hygiene_api.CHANGE_CLEANING_VENDOR, site_id=site_id, area_id=area_id,
        payload=body,
    )  # fmt: skip


@router.post("/hygiene-inspections", status_code=201, summary="An inspection: a score per item")
async def inspect_hygiene(
    site_id: UUID, body: JsonBody[hygiene_api.InspectHygiene], request: Request, _: Inspector
) -> hygiene_api.HygieneInspectionView:
    return await call(request, hygiene_api.INSPECT_HYGIENE, site_id=site_id, payload=body)


@router.get("/hygiene-inspections", summary="Inspections, latest first (500 at most)")
async def hygiene_inspections(
    site_id: UUID,
    request: Request,
    _: Reader,
    period: Annotated[Period | None, Query()] = None,
    area_id: UUID | None = None,
) -> list[hygiene_api.HygieneInspectionView]:
    return await call(
        request, hygiene_api.HYGIENE_INSPECTIONS, site_id=site_id, period=period,
        area_id=area_id,
    )  # fmt: skip


@router.get(
    "/hygiene-inspections/overdue",
    summary="Team weekly, area half-monthly, department monthly: the inspections overdue",
)
async def overdue_inspections(
    site_id: UUID, request: Request, _: Reader
) -> hygiene_api.OverdueInspections:
    return await call(request, hygiene_api.OVERDUE_INSPECTIONS, site_id=site_id)


@router.get("/cleaning-vendors/scores", summary="Each cleaning vendor's score for a month")
async def vendor_scores(
    site_id: UUID, request: Request, _: Reader, period: Annotated[Period, Query()]
) -> hygiene_api.VendorScores:
    return await call(request, hygiene_api.VENDOR_SCORES, site_id=site_id, period=period)
