"""Hygiene (no I/O): the cleaning areas and the vendor that cleans each, inspections at
the manual's intervals with a score per item and an overall score, and what is overdue.

Seed 001, 客服部卫生检验制度: "(三)包干区域要求清洁整齐,无烟头、无纸屑、无瓜果皮壳、无痰迹、
无杂物、废物堆放 ... (六)必需坚持班组每七天检验1次,管区半月检验1次,部门每个月检验一次"
(each area kept clean; the team inspects every seven days, the area every half month,
the department every month).
内务主管: "5做好对外委企业检验,督导工作,每个月按时向部门经理提供对外委企业考评结果,以利于
每个月费用支付" (each cleaning vendor's monthly score, for its monthly payment).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Invalid


class Level(StrEnum):
    TEAM = "team"  # 班组: every seven days
    AREA = "area"  # 管区: every half month
    DEPARTMENT = "department"  # 部门: every month


def add_month(day: date) -> date:
    """The same day a month later (the month's last day when it is shorter)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(level: Level, last: date) -> date:
    """When the next inspection at `level` is due after one on `last`: seven days for a
    team, half a month (15 days) for an area, a calendar month for the department."""
    if level == Level.TEAM:
        return last + timedelta(days=7)
    if level == Level.AREA:
        return last + timedelta(days=15)
    return add_month(last)


def overall_score(scores: list[int]) -> Decimal:
    """The inspection's overall score: the mean of its items' scores, to one place."""
    return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1"), ROUND_HALF_UP)


class CleaningArea(SiteAggregate):
    """An area someone is answerable for keeping clean (包干区域), and its cleaning vendor."""

    @event("Registered")
    def __init__(
        self, site_id: UUID, name: str, vendor: str, registered_on: date, at: datetime
    ) -> None:
        self.site_id = site_id
        self.name = name
        self.vendor = vendor
        self.registered_on = registered_on

    @event("VendorChanged")
    def change_vendor(self, vendor: str, at: datetime) -> None:
        """From now on the area's inspections count towards `vendor`'s score."""
        self.vendor = vendor


class HygieneInspection(SiteAggregate):
    """One inspection of one area at one level: a score per item and the overall score,
    counted towards the vendor who cleaned the area then."""

    @classmethod
    def inspect(
        cls,
        *,
        area: CleaningArea,
        level: Level,
        inspected_on: date,
        today: date,
        inspector: str,
        items: list[dict[str, object]],
        note: str | None,
        at: datetime,
    ) -> HygieneInspection:
        """An inspection is recorded once made (not for a later date), each item once."""
        if inspected_on > today:
            raise Invalid("an inspection is recorded once made, not ahead", field="inspected_on")
        names = [str(i["item"]).casefold() for i in items]
        if len(set(names)) != len(names):
            raise Invalid("each item is scored once", field="items")
        return cls(
            site_id=area.site_id,
            area_id=area.id,
            area=area.name,
            vendor=area.vendor,
            level=level.value,
            inspected_on=inspected_on,
            inspector=inspector,
            items=items,
            overall_score=overall_score([int(str(i["score"])) for i in items]),
            note=note,
            at=at,
        )

    @event("Made")
    def __init__(
        self,
        site_id: UUID,
        area_id: UUID,
        area: str,
        vendor: str,
        level: str,
        inspected_on: date,
        inspector: str,
        items: list[dict[str, object]],
        overall_score: Decimal,
        note: str | None,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.area_id = area_id
        self.area = area
        self.vendor = vendor
        self.level = level
        self.inspected_on = inspected_on
        self.inspector = inspector
        self.items = items
        self.overall_score = overall_score
        self.note = note
        self.recorded_at = at
