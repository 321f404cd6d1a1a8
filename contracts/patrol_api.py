"""The work-order service's patrol methods (issue 12 item 7): plans by zone, checkpoint
and time; rounds recorded checkpoint by checkpoint, a finding opening a repair; the
day's review and the manager's sign-off."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic
from uuid import UUID

from pydantic import BaseModel, Field

from contracts.fields import BusinessDate, Label, Name, Text, TimeOfDay
from contracts.methods import Answer, Method, P, SiteCommand, SiteRequest
from contracts.workorder import Category
from contracts.workorder_api import SERVICE, Command

# -- commands ---------------------------------------------------------------------------


class PlannedCheckpoint(Command):
    checkpoint: Label
    scheduled_at: Annotated[TimeOfDay, Field(description="Local time of day, HH:MM.")]


class DrawPatrolPlan(Command):
    zone: Label
    checkpoints: list[PlannedCheckpoint] = Field(min_length=1, max_length=100)
    drawn_by: Name


class StartPatrolRound(Command):
    plan_id: UUID
    patroller: Name


class RepairFromFinding(Command):
    """The repair a finding opens (source `patrol`, the round as its origin)."""

    category: Category


class RecordCheckpoint(Command):
    checkpoint: Label
    position: Label | None = None
    found: Annotated[
        Label | None, Field(description="What was found; none when all was in order.")
    ] = None
    repair: Annotated[
        RepairFromFinding | None, Field(description="Open a repair for what was found.")
    ] = None


class FinishPatrolRound(Command):
    pass


class SignOffPatrolDay(Command):
    note: Text | None = None


# -- answers -----------------------------------------------------------------------------


class PlannedCheckpointView(BaseModel):
    checkpoint: str
    scheduled_at: str


class PatrolPlanView(Answer):
    plan_id: UUID
    site_id: UUID
    zone: str
    checkpoints: list[PlannedCheckpointView]
    drawn_by: str
    drawn_at: datetime


class CheckpointRecordView(BaseModel):
    checkpoint: str
    position: str | None
    found: str | None
    work_order_id: UUID | None
    at: datetime


class PatrolRoundView(Answer):
    """A round: its plan's checkpoints, what was recorded, what is not yet visited, and
    once finished, the checkpoints it missed."""

    round_id: UUID
    site_id: UUID
    plan_id: UUID
    zone: str
    business_date: date
    patroller: str
    checkpoints: list[PlannedCheckpointView]
    records: list[CheckpointRecordView]
    not_visited: list[str]
    started_at: datetime
    finished_at: datetime | None
    missed: list[str] | None


class PatrolDayReview(Answer):
    """The day's review: every round of the day, the findings and the repairs they
    opened, the checkpoints missed, and the manager's sign-off."""

    business_date: date
    rounds: list[PatrolRoundView]
    rounds_open: int
    findings: int
    repairs_opened: list[UUID]
    missed_checkpoints: int
    signed_off_by: str | None
    signed_off_at: datetime | None
    note: str | None


class PatrolDaySignOff(Answer):
    business_date: date
    rounds: int
    signed_off_by: str
    signed_off_at: datetime
    note: str | None


# -- requests and methods ----------------------------------------------------------------


class RoundRef(SiteRequest):
    round_id: UUID


class OnRound(RoundRef, Generic[P]):
    payload: P


class PatrolDayRef(SiteRequest):
    business_date: BusinessDate


class OnPatrolDay(PatrolDayRef, Generic[P]):
    payload: P


DRAW_PATROL_PLAN = Method(SERVICE, "DrawPatrolPlan", SiteCommand[DrawPatrolPlan], PatrolPlanView)
PATROL_PLANS = Method(SERVICE, "PatrolPlans", SiteRequest, list[PatrolPlanView], read=True)
START_PATROL_ROUND = Method(
    SERVICE, "StartPatrolRound", SiteCommand[StartPatrolRound], PatrolRoundView
)
RECORD_CHECKPOINT = Method(SERVICE, "RecordCheckpoint", OnRound[RecordCheckpoint], PatrolRoundView)
FINISH_PATROL_ROUND = Method(
    SERVICE, "FinishPatrolRound", OnRound[FinishPatrolRound], PatrolRoundView
)
GET_PATROL_ROUND = Method(SERVICE, "GetPatrolRound", RoundRef, PatrolRoundView, read=True)
PATROL_DAY = Method(SERVICE, "PatrolDay", PatrolDayRef, PatrolDayReview, read=True)
SIGN_OFF_PATROL_DAY = Method(
    SERVICE, "SignOffPatrolDay", OnPatrolDay[SignOffPatrolDay], PatrolDaySignOff
)
