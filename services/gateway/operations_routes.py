"""Building-operations endpoints of the work-order service: patrols (plans, rounds,
the day's review and sign-off)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request

from contracts import patrol_api
from contracts.fields import BusinessDate
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.security import READERS, call, site_access

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
