"""Building notices to tenants (no I/O): what the property tells its tenants, and who was
told, how and when.

Seed 001, 前台: "以电话、信函、造访和张贴通知等形式将物业企业信息通知用户并给解释"
(by phone, letter, visit or posting, and explain it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Invalid

POSTING = "posting"  # on a notice board: a place, not a unit, is "told"


class BuildingNotice(SiteAggregate):
    """One notice of a site and the record of each time it was passed on."""

    @event("Issued")
    def __init__(
        self, site_id: UUID, subject: str, content: str, issued_by: str, at: datetime
    ) -> None:
        self.site_id = site_id
        self.subject = subject
        self.content = content
        self.issued_by = issued_by
        self.issued_at = at
        self.deliveries: list[dict[str, Any]] = []

    def tell(
        self, *, channel: str, unit: str | None, recipient: str, by: str, at: datetime
    ) -> None:
        """A unit told by phone, letter or visit names the unit and the person told; a
        posting names the place it is posted, and no unit."""
        if channel == POSTING and unit is not None:
            raise Invalid("a posting names the place in recipient, not a unit", field="unit")
        if channel != POSTING and unit is None:
            raise Invalid(f"a notice by {channel} names the unit told", field="unit")
        self._told(channel=channel, unit=unit, recipient=recipient, by=by, at=at)

    @event("Told")
    def _told(self, channel: str, unit: str | None, recipient: str, by: str, at: datetime) -> None:
        self.deliveries.append(
            {"channel": channel, "unit": unit, "recipient": recipient, "by": by, "at": at}
        )
