"""The front desk's day (no I/O): the opening checks, the shift handovers with their open
items acknowledged by name, and the closing checks.

Seed 002, 前台接待工作流程与规范:
"一、上班后: ... 2.整理、清洁前台周边工作环境卫生 ... 3.检查办公设备是否正常运行;
4.茶、水提前准备" (the opening checks);
"三、下班前: 1.提前检查、督促各部门将所属办公室门窗、办公设备、电源等的及时关闭;
2.检查公司公共办公区域相关设施、设备等安全问题; ... 4.小结当日工作情况,合理做好第二天的
工作安排" (the closing checks, the day's summary and tomorrow's items).
Seed 000, 安全管理: "嚴格執行相關保管和交接制度" (the handover between shifts).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid, NotFound


def require_note_on_failure(checks: dict[str, bool], note: str | None) -> None:
    """A check that failed is written down: what was wrong and what was done."""
    failed = [name for name, passed in checks.items() if not passed]
    if failed and not note:
        raise Invalid(f"say what was wrong with: {', '.join(failed)}", field="note")


class DeskDay(SiteAggregate):
    """One business day of one site's front desk, from its opening checks to its closing.
    Every event names the day, so consumers file it without replaying the aggregate."""

    @classmethod
    def create_id(cls, site_id: UUID, business_date: date) -> UUID:
        """One desk day per site and local date, found by both."""
        return uuid5(NAMESPACE_URL, f"concierge:visitor:desk-day:{site_id}:{business_date}")

    @classmethod
    def open(
        cls,
        *,
        site_id: UUID,
        business_date: date,
        opened_by: str,
        checks: dict[str, bool],
        note: str | None,
        at: datetime,
    ) -> DeskDay:
        """The desk opens the day with its opening checks, every item answered
        (seed 002 "上班后"); a day is opened once (the application finds it by its id)."""
        require_note_on_failure(checks, note)
        return cls(
            site_id=site_id,
            business_date=business_date,
            opened_by=opened_by,
            checks=checks,
            note=note,
            at=at,
        )

    @event("Opened")
    def __init__(
        self,
        site_id: UUID,
        business_date: date,
        opened_by: str,
        checks: dict[str, bool],
        note: str | None,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.business_date = business_date
        self.opened_by = opened_by
        self.opened_at = at
        self.opening_checks = checks
        self.opening_note = note
        self.handovers: list[dict[str, Any]] = []
        self.closed_by: str | None = None
        self.closed_at: datetime | None = None
        self.closing_checks: dict[str, bool] | None = None
        self.closing_note: str | None = None
        self.summary: str | None = None
        self.for_tomorrow: list[str] = []

    def hand_over(
        self,
        *,
        from_shift: str,
        to_shift: str,
        handed_over_by: str,
        open_items: list[str],
        at: datetime,
    ) -> int:
        """A shift hands its open items to the next (seed 000 "交接制度"). The shift that
        hands over is the one that took over last, and only after it acknowledged what it
        was given; not after the day was closed. Returns the handover's number."""
        self._require_not_closed()
        if from_shift == to_shift:
            raise Invalid("a shift hands over to another shift", field="to_shift")
        if self.handovers:
            last = self.handovers[-1]
            if last["acknowledged_by"] is None:
                raise Conflict(
                    f"handover {last['number']} to the {last['to_shift']} shift is not "
                    "acknowledged yet"
                )
            if last["to_shift"] != from_shift:
                raise Conflict(f"the {last['to_shift']} shift is on duty, not {from_shift}")
        number = len(self.handovers) + 1
        self._handed_over(
            business_date=self.business_date,
            number=number,
            from_shift=from_shift,
            to_shift=to_shift,
            handed_over_by=handed_over_by,
            open_items=open_items,
            at=at,
        )
        return number

    @event("HandedOver")
    def _handed_over(
        self,
        business_date: date,
        number: int,
        from_shift: str,
        to_shift: str,
        handed_over_by: str,
        open_items: list[str],
        at: datetime,
    ) -> None:
        self.handovers.append(
            {
                "number": number,
                "from_shift": from_shift,
                "to_shift": to_shift,
                "handed_over_by": handed_over_by,
                "handed_over_at": at,
                "open_items": open_items,
                "acknowledged_by": None,
                "acknowledged_at": None,
            }
        )

    def acknowledge(self, *, number: int, acknowledged_by: str, at: datetime) -> None:
        """The incoming shift acknowledges the handover and its open items by name, once."""
        if not 1 <= number <= len(self.handovers):
            raise NotFound(f"handover {number} of {self.business_date} not found")
        handover = self.handovers[number - 1]
        if handover["acknowledged_by"] is not None:
            raise Conflict(f"handover {number} was acknowledged by {handover['acknowledged_by']}")
        self._acknowledged(
            business_date=self.business_date, number=number, acknowledged_by=acknowledged_by, at=at
        )

    @event("HandoverAcknowledged")
    def _acknowledged(
        self, business_date: date, number: int, acknowledged_by: str, at: datetime
    ) -> None:
        self.handovers[number - 1] |= {"acknowledged_by": acknowledged_by, "acknowledged_at": at}

    def close(
        self,
        *,
        closed_by: str,
        checks: dict[str, bool],
        note: str | None,
        summary: str,
        for_tomorrow: list[str],
        at: datetime,
    ) -> None:
        """The closing checks, the day's summary and tomorrow's items (seed 002 "下班前"),
        once, after every handover was acknowledged."""
        self._require_not_closed()
        if self.handovers and self.handovers[-1]["acknowledged_by"] is None:
            raise Conflict(f"handover {len(self.handovers)} is not acknowledged yet")
        require_note_on_failure(checks, note)
        self._closed(
            business_date=self.business_date,
            closed_by=closed_by,
            checks=checks,
            note=note,
            summary=summary,
            for_tomorrow=for_tomorrow,
            at=at,
        )

    @event("Closed")
    def _closed(
        self,
        business_date: date,
        closed_by: str,
        checks: dict[str, bool],
        note: str | None,
        summary: str,
        for_tomorrow: list[str],
        at: datetime,
    ) -> None:
        self.closed_by = closed_by
        self.closed_at = at
        self.closing_checks = checks
        self.closing_note = note
        self.summary = summary
        self.for_tomorrow = for_tomorrow

    def _require_not_closed(self) -> None:
        if self.closed_by is not None:
            raise Conflict(f"the desk was closed for {self.business_date} by {self.closed_by}")
