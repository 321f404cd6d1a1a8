"""The work-order service's hygiene methods (issue 12 item 8): cleaning areas and their
vendors, inspections at the manual's intervals with scores, the overdue inspections and
each cleaning vendor's monthly score."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from contracts.fields import BusinessDate, Label, Name, Period, Text
from contracts.methods import Answer, Method, SiteCommand, SiteRequest
from contracts.workorder import InspectionLevel
from contracts.workorder_api import SERVICE, Command

# -- commands ---------------------------------------------------------------------------


class RegisterCleaningArea(Command):
    name: Label
    vendor: Annotated[Name, Field(description="The cleaning vendor (外委清洁企业) of the area.")]


class ChangeCleaningVendor(Command):
    vendor: Name


class ScoredItem(Command):
    item: Label
    score: Annotated[int, Field(ge=0, le=100)]


class InspectHygiene(Command):
    area_id: UUID
    level: InspectionLevel
    inspected_on: BusinessDate
    inspector: Name
    items: list[ScoredItem] = Field(min_length=1, max_length=50)
    note: Text | None = None


# -- answers -----------------------------------------------------------------------------


class CleaningAreaView(Answer):
    area_id: UUID
    site_id: UUID
    name: str
    vendor: str
    registered_on: date


class ScoredItemView(BaseModel):
    item: str
    score: int


class HygieneInspectionView(Answer):
    inspection_id: UUID
    site_id: UUID
    area_id: UUID
    area: str
    vendor: str
    level: InspectionLevel
    inspected_on: date
    inspector: str
    items: list[ScoredItemView]
    overall_score: Decimal
    note: str | None
    recorded_at: datetime


class OverdueInspection(Answer):
    """An area's inspection at a level not made by its due date (never inspected at that
    level: due from the area's registration)."""

    area_id: UUID
    area: str
    vendor: str
    level: InspectionLevel
    last_inspected_on: date | None
    due_on: date
    days_overdue: int


class OverdueInspections(Answer):
    as_of: date
    overdue: list[OverdueInspection]


class VendorScore(Answer):
    vendor: str
    inspections: int
    areas: int
    average_score: Decimal
    lowest_score: Decimal


class VendorScores(Answer):
    """Seed 001 内务主管: "每个月按时向部门经理提供对外委企业考评结果": each vendor's
    inspections in the month (of the areas it cleaned then), and their average score."""

    period: str
    vendors: list[VendorScore]


# -- requests and methods ----------------------------------------------------------------


class AreaRef(SiteRequest):
    area_id: UUID


class OnArea(AreaRef):
    payload: ChangeCleaningVendor


class InspectionQuery(SiteRequest):
    period: Period | None = None
    area_id: UUID | None = None


class PeriodQuery(SiteRequest):
    period: Period


REGISTER_CLEANING_AREA = Method(
    SERVICE, "RegisterCleaningArea", SiteCommand[RegisterCleaningArea], CleaningAreaView
)
CHANGE_CLEANING_VENDOR = Method(SERVICE, "ChangeCleaningVendor", OnArea, CleaningAreaView)
CLEANING_AREAS = Method(SERVICE, "CleaningAreas", SiteRequest, list[CleaningAreaView], read=True)
INSPECT_HYGIENE = Method(
    SERVICE, "InspectHygiene", SiteCommand[InspectHygiene], HygieneInspectionView
)
HYGIENE_INSPECTIONS = Method(
    SERVICE, "HygieneInspections", InspectionQuery, list[HygieneInspectionView], read=True
)
OVERDUE_INSPECTIONS = Method(
    SERVICE, "OverdueInspections", SiteRequest, OverdueInspections, read=True
)
VENDOR_SCORES = Method(SERVICE, "VendorScores", PeriodQuery, VendorScores, read=True)
