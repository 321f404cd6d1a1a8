"""gRPC handlers of the patrol methods: commands answer the plan or round as the write
side holds it (the same view as the read model's rows); the day's review is read from
the read model."""

from __future__ import annotations

import asyncio
from typing import Any

from contracts import patrol_api as api
from contracts.methods import CallContext, SiteCommand, SiteRequest
from runtime.rpc import RpcService, actor_of
from services.workorder.application import WorkOrderApplication
from services.workorder.patrol import PatrolDay, PatrolPlan, PatrolRound
from services.workorder.projections import WorkOrderQueries


def plan_view(plan: PatrolPlan) -> dict[str, Any]:
    return {
        "plan_id": plan.id,
        "site_id": plan.site_id,
        "zone": plan.zone,
        "checkpoints": plan.checkpoints,
        "drawn_by": plan.drawn_by,
        "drawn_at": plan.drawn_at,
    }


def round_view(patrol_round: PatrolRound) -> dict[str, Any]:
    return {
        "round_id": patrol_round.id,
        "site_id": patrol_round.site_id,
        "plan_id": patrol_round.plan_id,
        "zone": patrol_round.zone,
        "business_date": patrol_round.business_date,
        "patroller": patrol_round.patroller,
        "checkpoints": patrol_round.checkpoints,
        "records": patrol_round.records,
        "not_visited": patrol_round.not_visited,
        "started_at": patrol_round.started_at,
        "finished_at": patrol_round.finished_at,
        "missed": patrol_round.missed,
    }


def sign_off_view(day: PatrolDay) -> dict[str, Any]:
    return {
        "business_date": day.business_date,
        "rounds": len(day.finished_rounds),
        "signed_off_by": day.signed_off_by,
        "signed_off_at": day.signed_off_at,
        "note": day.note,
    }


def implement_patrols(
    rpc: RpcService, app: WorkOrderApplication, queries: WorkOrderQueries
) -> None:
    @rpc.implements(api.DRAW_PATROL_PLAN)
    async def draw_patrol_plan(request: SiteCommand[api.DrawPatrolPlan], call: CallContext) -> Any:
        plan = await asyncio.to_thread(
            app.draw_patrol_plan, request.site_id, request.payload, call.correlation_id
        )
        return plan_view(plan)

    @rpc.implements(api.PATROL_PLANS)
    async def patrol_plans(request: SiteRequest, call: CallContext) -> Any:
        return await queries.patrol_plans(request.site_id)

    @rpc.implements(api.START_PATROL_ROUND)
    async def start_patrol_round(
        request: SiteCommand[api.StartPatrolRound], call: CallContext
    ) -> Any:
        patrol_round = await asyncio.to_thread(
            app.start_patrol_round, request.site_id, request.payload, call.correlation_id
        )
        return round_view(patrol_round)

    @rpc.implements(api.RECORD_CHECKPOINT)
    async def record_checkpoint(
        request: api.OnRound[api.RecordCheckpoint], call: CallContext
    ) -> Any:
        patrol_round = await asyncio.to_thread(
            app.record_checkpoint, request.site_id, request.round_id, request.payload,
            call.correlation_id,
        )  # fmt: skip
        return round_view(patrol_round)

    @rpc.implements(api.FINISH_PATROL_ROUND)
    async def finish_patrol_round(
        request: api.OnRound[api.FinishPatrolRound], call: CallContext
    ) -> Any:
        patrol_round = await asyncio.to_thread(
            app.finish_patrol_round, request.site_id, request.round_id, request.payload,
            call.correlation_id,
        )  # fmt: skip
        return round_view(patrol_round)

    @rpc.implements(api.GET_PATROL_ROUND)
    async def get_patrol_round(request: api.RoundRef, call: CallContext) -> Any:
        patrol_round = await asyncio.to_thread(app.patrol_round, request.site_id, request.round_id)
        return round_view(patrol_round)

    @rpc.implements(api.PATROL_DAY)
    async def patrol_day(request: api.PatrolDayRef, call: CallContext) -> Any:
        return await queries.patrol_day(request.site_id, request.business_date)

    @rpc.implements(api.SIGN_OFF_PATROL_DAY)
    async def sign_off_patrol_day(
        request: api.OnPatrolDay[api.SignOffPatrolDay], call: CallContext
    ) -> Any:
        day = await asyncio.to_thread(
            app.sign_off_patrol_day, request.site_id, request.business_date, request.payload,
            actor_of(call), call.correlation_id,
        )  # fmt: skip
        return sign_off_view(day)
