"""VIP reception (no I/O): the reception plan of a pre-registered visit and its
confirmation the day before.

Seed 002, 接待的流程和规范服务:
"了解来宾信息情况 ... 来访人数和时间及客户是否需要接送";
"行政部确定接待规格、接待地点及陪同人员名单" (level, meeting place, escorts);
"接待会议室布置: 季节水果、纸巾、瓶装水 ... 会议室坐位安排" (the room's set-up);
"提前一天与要来访的客户确定好来访时间及地点和人数 ... 让来宾确认收到" (confirmation the
day before); "如需本公司接送的客户,要在到达目的地前10分钟与来访客户联系" (pick-up).
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid


class VipReception(SiteAggregate):
    """The reception plan of one visit: one per visit, found by the visit's id."""

    @classmethod
    def create_id(cls, visit_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:visitor:vip-reception:{visit_id}")

    @classmethod
    def plan(
        cls,
        *,
        site_id: UUID,
        visit_id: UUID,
        guest_name: str,
        guest_company: str | None,
        host_unit: str,
        host_name: str,
        expected_from: datetime,
        level: str,
        escorts: list[str],
        meeting_room: str | None,
        room_setup: list[str],
        pickup_place: str | None,
        pickup_at: datetime | None,
        at: datetime,
    ) -> VipReception:
        """The level, escorts and meeting place are fixed before the guest comes (seed 002
        "确定接待规格、接待地点及陪同人员名单"): at least one escort; a room set-up needs a
        room; a pick-up names its place and a time before the guest is due."""
        if not escorts:
            raise Invalid("a VIP reception names at least one escort", field="escorts")
        if room_setup and not meeting_room:
            raise Invalid("a room set-up needs a meeting room", field="meeting_room")
        if (pickup_place is None) != (pickup_at is None):
            raise Invalid("a pick-up names both its place and its time", field="pickup")
        if pickup_at is not None and pickup_at > expected_from:
            raise Invalid("the pick-up is before the guest is due", field="pickup")
        return cls(
            site_id=site_id,
            visit_id=visit_id,
            guest_name=guest_name,
            guest_company=guest_company,
            host_unit=host_unit,
            host_name=host_name,
            expected_from=expected_from,
            level=level,
            escorts=escorts,
            meeting_room=meeting_room,
            room_setup=room_setup,
            pickup_place=pickup_place,
            pickup_at=pickup_at,
            at=at,
        )

    @event("Planned")
    def __init__(
        self,
        site_id: UUID,
        visit_id: UUID,
        guest_name: str,
        guest_company: str | None,
        host_unit: str,
        host_name: str,
        expected_from: datetime,
        level: str,
        escorts: list[str],
        meeting_room: str | None,
        room_setup: list[str],
        pickup_place: str | None,
        pickup_at: datetime | None,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.visit_id = visit_id
        self.guest_name = guest_name
        self.guest_company = guest_company
        self.host_unit = host_unit
        self.host_name = host_name
        self.expected_from = expected_from
        self.level = level
        self.escorts = escorts
        self.meeting_room = meeting_room
        self.room_setup = room_setup
        self.pickup_place = pickup_place
        self.pickup_at = pickup_at
        self.planned_at = at
        self.confirmed_by: str | None = None
        self.confirmed_with: str | None = None
        self.confirmed_at: datetime | None = None

    def confirm(self, *, confirmed_by: str, confirmed_with: str, at: datetime) -> None:
        """The desk confirms time, place and party with the guest ahead of the visit
        (seed 002 "提前一天 ... 确定好来访时间及地点和人数"), once, before the guest is due."""
        if self.confirmed_at is not None:
            raise Conflict(f"the visit was confirmed already by {self.confirmed_by}")
        if at >= self.expected_from:
            raise Conflict("the guest is due already; confirm ahead of the visit")
        self._confirmed(
            visit_id=self.visit_id, confirmed_by=confirmed_by, confirmed_with=confirmed_with, at=at
        )

    @event("Confirmed")
    def _confirmed(
        self, visit_id: UUID, confirmed_by: str, confirmed_with: str, at: datetime
    ) -> None:
        self.confirmed_by = confirmed_by
        self.confirmed_with = confirmed_with
        self.confirmed_at = at
