"""Watchlist alerts (no I/O): a watchlist match at the desk is reported to the
supervisors, besides blocking the check-in.

DOMAIN.md, Visitor: "Watchlist per site (and group-wide): a match blocks check-in and
alerts the supervisor." Seed 000, 安全管理: "關注前臺區域人員動態,發現異常行為或可疑人員
及時報告上級領導,並採取相應措施" (report to the superiors and act).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict

SITE_SUPERVISOR = "site_supervisor"
GROUP_SUPERVISOR = "group_supervisor"


def supervisors_to_alert(group_wide: bool) -> list[str]:
    """The site's supervisor always; the group's too when the entry is group-wide."""
    return [SITE_SUPERVISOR, GROUP_SUPERVISOR] if group_wide else [SITE_SUPERVISOR]


class WatchlistAlert(SiteAggregate):
    """One watchlist match at a site's desk, open until a supervisor acknowledges it."""

    @event("Raised")
    def __init__(
        self,
        site_id: UUID,
        group_wide: bool,
        visitor_name: str,
        host_unit: str,
        visit_id: UUID | None,
        notify: list[str],
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.group_wide = group_wide
        self.visitor_name = visitor_name
        self.host_unit = host_unit
        self.visit_id = visit_id
        self.notify = notify
        self.raised_at = at
        self.acknowledged_by: str | None = None
        self.action: str | None = None
        self.acknowledged_at: datetime | None = None

    @classmethod
    def raise_for(
        cls,
        *,
        site_id: UUID,
        group_wide: bool,
        visitor_name: str,
        host_unit: str,
        visit_id: UUID | None,
        at: datetime,
    ) -> WatchlistAlert:
        """A match alerts the site's supervisor, and the group's for a group-wide entry."""
        return cls(
            site_id=site_id,
            group_wide=group_wide,
            visitor_name=visitor_name,
            host_unit=host_unit,
            visit_id=visit_id,
            notify=supervisors_to_alert(group_wide),
            at=at,
        )

    def acknowledge(self, *, acknowledged_by: str, action: str, at: datetime) -> None:
        """A supervisor takes the alert and says what was done ("採取相應措施"), once."""
        if self.acknowledged_by is not None:
            raise Conflict(f"the alert was acknowledged by {self.acknowledged_by}")
        self._acknowledged(acknowledged_by=acknowledged_by, action=action, at=at)

    @event("Acknowledged")
    def _acknowledged(self, acknowledged_by: str, action: str, at: datetime) -> None:
        self.acknowledged_by = acknowledged_by
        self.action = action
        self.acknowledged_at = at
