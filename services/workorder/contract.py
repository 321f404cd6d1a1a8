"""What leaves the work-order service: domain events mapped to published contracts.

Number series and site policy events stay inside; each work-order event maps to one
published event, and so does each patrol event but a patrol day's bookkeeping of its
rounds (only its sign-off leaves).
"""

from __future__ import annotations

from typing import Any

from contracts import topics
from contracts import workorder as published
from contracts.base import ContractEvent
from services.workorder.domain import WorkOrder
from services.workorder.hygiene import CleaningArea, HygieneInspection
from services.workorder.incident import Drill, Incident
from services.workorder.patrol import PatrolDay, PatrolPlan, PatrolRound

TOPIC = topics.WORKORDER


def contract_for(e: Any) -> ContractEvent | None:
    """The published form of a domain event, or None for internal events."""
    if isinstance(e, PatrolPlan.Event | PatrolRound.Event):
        return patrol_contract(e)
    if isinstance(e, Incident.Event | Drill.Event):
        return incident_contract(e)
    if isinstance(e, CleaningArea.Event | HygieneInspection.Event):
        return hygiene_contract(e)
    if isinstance(e, PatrolDay.SignedOff):
        return published.PatrolDaySignedOff(
            site_id=e.site_id, occurred_at=e.at, patrol_day_id=e.originator_id,
            business_date=e.business_date, signed_off_by=e.manager, rounds=e.rounds, note=e.note,
        )  # fmt: skip
    if not isinstance(e, WorkOrder.Event):
        return None
    common = {"site_id": e.site_id, "work_order_id": e.originator_id, "occurred_at": e.at}
    match e:
        case WorkOrder.Reported():
            return published.RepairReported(
                **common, source=e.source, category=e.category,
                department=WorkOrder.department_of(e.category), location=e.location,
                unit=e.unit, tenant=e.tenant, content=e.content, reporter=e.reporter,
                complaint_id=e.complaint_id,
                patrol_round_id=getattr(e, "patrol_round_id", None),  # absent before patrols
            )  # fmt: skip
        case WorkOrder.Dispatched():
            return published.RepairDispatched(
                **common, number=e.number, team=e.team, technician=e.technician,
                urgency=e.urgency, paid=e.paid, deadline=e.deadline,
            )  # fmt: skip
        case WorkOrder.Started():
            return published.RepairStarted(**common, technician=e.technician)
        case WorkOrder.Completed():
            return published.RepairCompleted(
                **common, result=e.result, labour_hours=e.labour_hours,
                materials=e.materials, fee=e.fee, completed_late=e.late,
            )  # fmt: skip
        case WorkOrder.Verified():
            return published.RepairVerified(
                **common, number=e.number, verifier=e.verifier, method=e.method,
                unit=e.unit, tenant=e.tenant, paid=e.paid, fee=e.fee,
                complaint_id=e.complaint_id,
            )  # fmt: skip
        case WorkOrder.Reopened():
            return published.RepairReopened(**common, verifier=e.verifier, reason=e.reason)
        case WorkOrder.Voided():
            return published.WorkOrderVoided(**common, number=e.number, reason=e.reason)
    return None


def patrol_contract(e: Any) -> ContractEvent | None:
    common = {"site_id": e.site_id, "occurred_at": e.at}
    match e:
        case PatrolPlan.Drawn():
            return published.PatrolPlanDrawn(
                **common, plan_id=e.originator_id, zone=e.zone, checkpoints=e.checkpoints,
                drawn_by=e.drawn_by,
            )  # fmt: skip
        case PatrolRound.Started():
            return published.PatrolRoundStarted(
                **common, round_id=e.originator_id, plan_id=e.plan_id, zone=e.zone,
                business_date=e.business_date, patroller=e.patroller, checkpoints=e.checkpoints,
            )  # fmt: skip
        case PatrolRound.CheckpointRecorded():
            return published.PatrolCheckpointRecorded(
                **common, round_id=e.originator_id, business_date=e.business_date,
                checkpoint=e.checkpoint, position=e.position, found=e.found,
                work_order_id=e.work_order_id,
            )  # fmt: skip
        case PatrolRound.Finished():
            return published.PatrolRoundFinished(
                **common, round_id=e.originator_id, business_date=e.business_date, missed=e.missed
            )
    return None


def incident_contract(e: Any) -> ContractEvent | None:
    common = {"site_id": e.site_id, "occurred_at": e.at}
    match e:
        case Incident.Reported():
            return published.IncidentReported(
                **common, incident_id=e.originator_id, kind=e.kind, place=e.place,
                description=e.description, happened_at=e.happened_at, reported_by=e.reported_by,
            )  # fmt: skip
        case Incident.ActionTaken():
            return published.IncidentActionTaken(
                **common, incident_id=e.originator_id, action=e.action, taken_by=e.by
            )
        case Incident.FollowedUp():
            return published.IncidentFollowUpRecorded(
                **common, incident_id=e.originator_id, follow_up=e.follow_up, recorded_by=e.by
            )
        case Incident.Closed():
            return published.IncidentClosed(
                **common, incident_id=e.originator_id, summary=e.summary, closed_by=e.by
            )
        case Drill.Recorded():
            return published.DrillRecorded(
                **common, drill_id=e.originator_id, kind=e.kind, held_on=e.held_on,
                participants=e.participants, duration_minutes=e.duration_minutes,
                findings=e.findings, recorded_by=e.recorded_by,
            )  # fmt: skip
    return None


def hygiene_contract(e: Any) -> ContractEvent | None:
    common = {"site_id": e.site_id, "occurred_at": e.at}
    match e:
        case CleaningArea.Registered():
            return published.CleaningAreaRegistered(
                **common, area_id=e.originator_id, name=e.name, vendor=e.vendor,
                registered_on=e.registered_on,
            )  # fmt: skip
        case CleaningArea.VendorChanged():
            return published.CleaningVendorChanged(
                **common, area_id=e.originator_id, vendor=e.vendor
            )
        case HygieneInspection.Made():
            return published.HygieneInspected(
                **common, inspection_id=e.originator_id, area_id=e.area_id, area=e.area,
                vendor=e.vendor, level=e.level, inspected_on=e.inspected_on,
                inspector=e.inspector, items=e.items, overall_score=e.overall_score,
                note=e.note,
            )  # fmt: skip
    return None
