"""A site's standard reception time (no I/O): the time from a visitor's arrival at the
desk to being served (checked in or turned away) that the monthly statistic is held to.

Seed 004 (前台文员的客户接待流程标准计划), 评估标准: "接待效率:每月统计客户接待时间,与标准
接待时间进行对比,评估接待效率"; its risk 4: "接待流程执行不力,导致客户等待时间过长". The
seed names no figure, so each site sets its own; until it does, DEFAULT_MINUTES.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate

DEFAULT_MINUTES = 10


class ReceptionStandard(SiteAggregate):
    """One per site, found by the site's id."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:visitor:reception-standard:{site_id}")

    @event("Created")
    def __init__(self, site_id: UUID) -> None:
        self.site_id = site_id
        self.minutes = DEFAULT_MINUTES

    @event("Set")
    def set_minutes(self, minutes: int, set_by: str, at: datetime) -> None:
        """The site's standard from now on (the statistic compares every month with the
        standard in force when it is read)."""
        self.minutes = minutes
