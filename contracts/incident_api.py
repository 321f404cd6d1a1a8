"""The work-order service's emergency methods (issue 12 item 9): the incident log with
its actions, follow-up and closure, and the drill records. The evacuation list is the
gateway's: the incident beside the visitor service's "in the building now"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic
from uuid import UUID

from pydantic import BaseModel, Field

from contracts.fields import BusinessDate, BusinessDateTime, Label, Name, Text
from contracts.methods import Answer, Method, P, SiteCommand, SiteRequest
from contracts.visitor_api import VisitRow
from contracts.workorder import DrillKind, IncidentKind
from contracts.workorder_api import SERVICE, Command

# -- commands ---------------------------------------------------------------------------


class ReportIncident(Command):
    kind: IncidentKind
    place: Label
    description: Text
    happened_at: Annotated[BusinessDateTime, Field(description="When it happened (not later).")]
    reported_by: Name


class TakeIncidentAction(Command):
    action: Text
    by: Name


class RecordIncidentFollowUp(Command):
    follow_up: Text
    by: Name


class CloseIncident(Command):
    summary: Text
    by: Name


class RecordDrill(Command):
    kind: DrillKind
    held_on: BusinessDate
    participants: list[Name] = Field(min_length=1, max_length=500)
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    findings: Text
    recorded_by: Name


# -- answers -----------------------------------------------------------------------------


class IncidentActionView(BaseModel):
    action: str
    by: str
    at: datetime


class IncidentFollowUpView(BaseModel):
    follow_up: str
    by: str
    at: datetime


class IncidentView(Answer):
    incident_id: UUID
    site_id: UUID
    kind: IncidentKind
    place: str
    description: str
    happened_at: datetime
    reported_by: str
    reported_at: datetime
    actions: list[IncidentActionView]
    follow_ups: list[IncidentFollowUpView]
    closed_at: datetime | None
    closed_by: str | None
    summary: str | None


class DrillView(Answer):
    drill_id: UUID
    site_id: UUID
    kind: DrillKind
    held_on: date
    participants: list[str]
    duration_minutes: int
    findings: str
    recorded_by: str
    recorded_at: datetime


# -- requests and methods ----------------------------------------------------------------


class IncidentRef(SiteRequest):
    incident_id: UUID


class OnIncident(IncidentRef, Generic[P]):
    payload: P


class IncidentQuery(SiteRequest):
    open_only: bool = False


REPORT_INCIDENT = Method(SERVICE, "ReportIncident", SiteCommand[ReportIncident], IncidentView)
TAKE_INCIDENT_ACTION = Method(
    SERVICE, "TakeIncidentAction", OnIncident[TakeIncidentAction], IncidentView
)
RECORD_INCIDENT_FOLLOW_UP = Method(
    SERVICE, "RecordIncidentFollowUp", OnIncident[RecordIncidentFollowUp], IncidentView
)
CLOSE_INCIDENT = Method(SERVICE, "CloseIncident", OnIncident[CloseIncident], IncidentView)
GET_INCIDENT = Method(SERVICE, "GetIncident", IncidentRef, IncidentView, read=True)
INCIDENTS = Method(SERVICE, "Incidents", IncidentQuery, list[IncidentView], read=True)
RECORD_DRILL = Method(SERVICE, "RecordDrill", SiteCommand[RecordDrill], DrillView)
DRILLS = Method(SERVICE, "Drills", SiteRequest, list[DrillView], read=True)


class EvacuationList(BaseModel):
    """Who to lead out (seed 001 "疏导用户撤离"): the visitor service's "in the building
    now" at `as_of`, beside the open incident."""

    incident: IncidentView
    as_of: datetime
    people: int  # the visitors' parties, summed
    in_building: list[VisitRow]
