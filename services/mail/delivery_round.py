"""The day's mail and newspaper round to the units (no I/O).

Seed 002 (上班后): "每天报纸书刊的分发工作" (the papers are handed out every day); seed 000
(禮賓員, 郵件收發): "每天定時接收信件、包裹等郵件物品 ... 根據郵件收件人信息,及時將郵件分類整理,
並送至相應部門或人員手中" (mail sorted and taken to each recipient); seed 001 (邮件分拣室):
"负责邮件分拣、投递及管理工作"; seed 002 on what the round could not hand over: "对于当班次
未派送成功的快件, 要交给公司操作人员作留仓件扫描" (back to the desk, kept for pickup).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid

DELIVERED, NOT_AT_HOME = "delivered", "not_at_home"


class DeliveryRound(SiteAggregate):
    """A site's round of one local day: each unit's register items and newspapers, and
    at each unit whether they were delivered or nobody was in, by whom and when."""

    @classmethod
    def create_id(cls, site_id: UUID, business_date: date) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:mail:round:{site_id}:{business_date}")

    @event("Planned")
    def __init__(self, site_id: UUID, business_date: date, stops: list[dict[str, Any]],
                 planned_by: str, at: datetime) -> None:  # fmt: skip
        self.site_id = site_id
        self.business_date = business_date
        self.planned_by = planned_by
        self.planned_at = at
        self.stops: dict[str, dict[str, Any]] = {
            stop["unit"]: {**stop, "outcome": None, "delivered_by": None, "at": None}
            for stop in stops
        }

    def record(self, *, unit: str, outcome: str, delivered_by: str, at: datetime) -> dict[str, Any]:
        """Record the round at one unit, once: delivered, or nobody in (its items go back
        to the desk). The stop as planned."""
        stop = self.stops.get(unit)
        if stop is None:
            raise Invalid(f"unit {unit} is not on the round of {self.business_date}", field="unit")
        if stop["outcome"] is not None:
            raise Conflict(f"the round's stop at {unit} was recorded: {stop['outcome']}")
        self._recorded(unit=unit, outcome=outcome, delivered_by=delivered_by,
                       business_date=self.business_date, item_ids=stop["item_ids"],
                       newspapers=stop["newspapers"], at=at)  # fmt: skip
        return stop

    @event("StopRecorded")
    def _recorded(self, unit: str, outcome: str, delivered_by: str, business_date: date,
                  item_ids: list[UUID], newspapers: list[str], at: datetime) -> None:  # fmt: skip
        self.stops[unit].update(outcome=outcome, delivered_by=delivered_by, at=at)
