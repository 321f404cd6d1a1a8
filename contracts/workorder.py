"""Published events of the work-order (repairs) context, topic `concierge.workorder.v1`.

Categories, sources and urgencies are part of the published language: BI groups by
them and the billing context reads `paid`/`fee` of verified repairs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from contracts.base import AwareDatetime, ContractEvent


class Source(StrEnum):
    TENANT_PHONE = "tenant_phone"
    TENANT_APP = "tenant_app"
    PATROL = "patrol"
    COMPLAINT = "complaint"


class Category(StrEnum):
    ELECTRICAL = "electrical"
    PLUMBING = "plumbing"
    HVAC = "hvac"
    CIVIL = "civil"
    ELEVATOR = "elevator"
    FIRE_SAFETY = "fire_safety"
    CLEANING = "cleaning"
    OTHER = "other"


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class Material(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    quantity: Decimal
    cost: Decimal


class WorkOrderEvent(ContractEvent):
    context: ClassVar[str] = "workorder"

    work_order_id: UUID
    occurred_at: AwareDatetime


class RepairReported(WorkOrderEvent):
    source: Source
    category: Category
    department: str
    location: str
    unit: str | None
    tenant: str | None
    content: str
    reporter: str
    complaint_id: UUID | None
    patrol_round_id: UUID | None = None  # the patrol round whose finding opened it


class RepairDispatched(WorkOrderEvent):
    number: str
    team: str
    technician: str | None
    urgency: Urgency
    paid: bool
    deadline: AwareDatetime


class RepairStarted(WorkOrderEvent):
    technician: str


class RepairCompleted(WorkOrderEvent):
    result: str
    labour_hours: Decimal
    materials: list[Material]
    fee: Decimal
    completed_late: bool


class RepairVerified(WorkOrderEvent):
    number: str
    verifier: str
    method: str
    unit: str | None
    tenant: str | None
    paid: bool
    fee: Decimal
    complaint_id: UUID | None


class RepairReopened(WorkOrderEvent):
    verifier: str
    reason: str


class WorkOrderVoided(WorkOrderEvent):
    number: str | None
    reason: str


# -- patrols (issue 12 item 7) ------------------------------------------------------------


class OperationsEvent(ContractEvent):
    """An event of building operations (patrols, incidents, hygiene): keyed by its own
    aggregate, not by a work order."""

    context: ClassVar[str] = "workorder"

    occurred_at: AwareDatetime


class PatrolCheckpoint(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    checkpoint: str
    scheduled_at: str  # local time of day, HH:MM


class PatrolPlanDrawn(OperationsEvent):
    plan_id: UUID
    zone: str
    checkpoints: list[PatrolCheckpoint]
    drawn_by: str


class PatrolRoundStarted(OperationsEvent):
    round_id: UUID
    plan_id: UUID
    zone: str
    business_date: date
    patroller: str
    checkpoints: list[PatrolCheckpoint]


class PatrolCheckpointRecorded(OperationsEvent):
    round_id: UUID
    business_date: date
    checkpoint: str
    position: str | None
    found: str | None
    work_order_id: UUID | None  # the repair the finding opened


class PatrolRoundFinished(OperationsEvent):
    round_id: UUID
    business_date: date
    missed: list[str]


class PatrolDaySignedOff(OperationsEvent):
    patrol_day_id: UUID
    business_date: date
    signed_off_by: str
    rounds: int
    note: str | None


PATROL_EVENTS: tuple[type[OperationsEvent], ...] = (
    PatrolPlanDrawn,
    PatrolRoundStarted,
    PatrolCheckpointRecorded,
    PatrolRoundFinished,
    PatrolDaySignedOff,
)

# -- emergencies (issue 12 item 9) -------------------------------------------------------


class IncidentKind(StrEnum):
    FIRE = "fire"
    FLOODING = "flooding"
    LIFT_ENTRAPMENT = "lift_entrapment"
    POWER_CUT = "power_cut"
    GAS = "gas"
    OTHER = "other"


class DrillKind(StrEnum):
    FIRE = "fire"
    EVACUATION = "evacuation"
    FLOODING = "flooding"
    LIFT_ENTRAPMENT = "lift_entrapment"
    POWER_CUT = "power_cut"
    GAS = "gas"
    OTHER = "other"


class IncidentReported(OperationsEvent):
    incident_id: UUID
    kind: IncidentKind
    place: str
    description: str
    happened_at: AwareDatetime
    reported_by: str


class IncidentActionTaken(OperationsEvent):
    incident_id: UUID
    action: str
    taken_by: str


class IncidentFollowUpRecorded(OperationsEvent):
    incident_id: UUID
    follow_up: str
    recorded_by: str


class IncidentClosed(OperationsEvent):
    incident_id: UUID
    summary: str
    closed_by: str


class DrillRecorded(OperationsEvent):
    drill_id: UUID
    kind: DrillKind
    held_on: date
    participants: list[str]
    duration_minutes: int
    findings: str
    recorded_by: str


INCIDENT_EVENTS: tuple[type[OperationsEvent], ...] = (
    IncidentReported,
    IncidentActionTaken,
    IncidentFollowUpRecorded,
    IncidentClosed,
    DrillRecorded,
)

# -- hygiene (issue 12 item 8) ------------------------------------------------------------


class InspectionLevel(StrEnum):
    TEAM = "team"
    AREA = "area"
    DEPARTMENT = "department"


class InspectionItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    item: str
    score: int  # 0..100


class CleaningAreaRegistered(OperationsEvent):
    area_id: UUID
    name: str
    vendor: str
    registered_on: date


class CleaningVendorChanged(OperationsEvent):
    area_id: UUID
    vendor: str


class HygieneInspected(OperationsEvent):
    inspection_id: UUID
    area_id: UUID
    area: str
    vendor: str
    level: InspectionLevel
    inspected_on: date
    inspector: str
    items: list[InspectionItem]
    overall_score: Decimal
    note: str | None


HYGIENE_EVENTS: tuple[type[OperationsEvent], ...] = (
    CleaningAreaRegistered,
    CleaningVendorChanged,
    HygieneInspected,
)

EVENTS: tuple[type[ContractEvent], ...] = (
    RepairReported,
    RepairDispatched,
    RepairStarted,
    RepairCompleted,
    RepairVerified,
    RepairReopened,
    WorkOrderVoided,
    *PATROL_EVENTS,
    *INCIDENT_EVENTS,
    *HYGIENE_EVENTS,
)
