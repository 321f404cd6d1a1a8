"""Patrols (no I/O): plans by zone, checkpoint and time; rounds recorded checkpoint by
checkpoint; the day's review signed off by the manager.

Seed 001, 内部巡检程序: "1客服部经理制订巡检计划、内容,如区域划分、时间安排等,详见客服部
巡检计划及各区域巡视检验表;2发觉问题具体巡视统计,要求有处理结果" (the manager draws the
plan by zone and time; every finding is recorded and has an outcome);
报修处理程序: "2巡检统计单应具体填写以下栏目:序号、巡检时间、区域、位置、报修时间" (a round's
record: time, area, position, when the repair was reported);
客服部经理: "11每日审核职员巡视统计表" and 客务主管: "4每日结清工程报修单,将巡视统计交至经理
审阅并存档" (the day's patrol records go to the manager, who reviews them daily).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid


class PatrolPlan(SiteAggregate):
    """The manager's plan for one zone: its checkpoints, each at a local time of day."""

    @classmethod
    def draw(
        cls,
        *,
        site_id: UUID,
        zone: str,
        checkpoints: list[dict[str, str]],
        drawn_by: str,
        at: datetime,
    ) -> PatrolPlan:
        """A plan names each checkpoint once (a round records each checkpoint once), in
        the order of their times."""
        names = [c["checkpoint"].casefold() for c in checkpoints]
        if len(set(names)) != len(names):
            raise Invalid("each checkpoint is named once in a plan", field="checkpoints")
        ordered = sorted(checkpoints, key=lambda c: c["scheduled_at"])
        return cls(site_id=site_id, zone=zone, checkpoints=ordered, drawn_by=drawn_by, at=at)

    @event("Drawn")
    def __init__(
        self,
        site_id: UUID,
        zone: str,
        checkpoints: list[dict[str, str]],
        drawn_by: str,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.zone = zone
        self.checkpoints = checkpoints
        self.drawn_by = drawn_by
        self.drawn_at = at


class PatrolRound(SiteAggregate):
    """One patroller's round of a plan on a business day. Every event names the day, so
    the day's review files it without replaying the round."""

    @classmethod
    def start(
        cls, *, plan: PatrolPlan, business_date: date, patroller: str, at: datetime
    ) -> PatrolRound:
        """A round follows its plan as it stood when the round began."""
        return cls(
            site_id=plan.site_id,
            plan_id=plan.id,
            zone=plan.zone,
            business_date=business_date,
            patroller=patroller,
            checkpoints=list(plan.checkpoints),
            at=at,
        )

    @event("Started")
    def __init__(
        self,
        site_id: UUID,
        plan_id: UUID,
        zone: str,
        business_date: date,
        patroller: str,
        checkpoints: list[dict[str, str]],
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.plan_id = plan_id
        self.zone = zone
        self.business_date = business_date
        self.patroller = patroller
        self.checkpoints = checkpoints
        self.started_at = at
        self.records: list[dict[str, Any]] = []
        self.finished_at: datetime | None = None
        self.missed: list[str] | None = None

    @property
    def not_visited(self) -> list[str]:
        """The plan's checkpoints this round has no record of yet, in the plan's order."""
        seen = {r["checkpoint"] for r in self.records}
        return [c["checkpoint"] for c in self.checkpoints if c["checkpoint"] not in seen]

    def checkpoint_named(self, name: str) -> str:
        """The plan's checkpoint called `name` (case aside), else Invalid."""
        for c in self.checkpoints:
            if c["checkpoint"].casefold() == name.casefold():
                return c["checkpoint"]
        raise Invalid(f"{name!r} is not a checkpoint of the {self.zone} plan", field="checkpoint")

    def record(
        self,
        *,
        checkpoint: str,
        position: str | None,
        found: str | None,
        work_order_id: UUID | None,
        at: datetime,
    ) -> None:
        """The patroller records a checkpoint once per round: the time, the position and
        what was found (nothing, or the problem; a problem may open a repair)."""
        if self.finished_at is not None:
            raise Conflict("the round is finished; start a new round", field="checkpoint")
        name = self.checkpoint_named(checkpoint)
        if name not in self.not_visited:
            raise Conflict(
                f"checkpoint {name!r} is already recorded on this round", field="checkpoint"
            )
        if work_order_id is not None and not found:
            raise Invalid("a repair is opened for what was found: say what", field="found")
        self._recorded(
            checkpoint=name,
            position=position,
            found=found,
            work_order_id=work_order_id,
            business_date=self.business_date,
            at=at,
        )

    @event("CheckpointRecorded")
    def _recorded(
        self,
        checkpoint: str,
        position: str | None,
        found: str | None,
        work_order_id: UUID | None,
        business_date: date,
        at: datetime,
    ) -> None:
        self.records.append(
            {
                "checkpoint": checkpoint,
                "position": position,
                "found": found,
                "work_order_id": work_order_id,
                "at": at,
            }
        )

    def finish(self, *, at: datetime) -> None:
        """A round ends once; the checkpoints it has no record of are missed, and stay
        shown on the round and on the day's review."""
        if self.finished_at is not None:
            raise Conflict("the round is already finished")
        self._finished(missed=self.not_visited, business_date=self.business_date, at=at)

    @event("Finished")
    def _finished(self, missed: list[str], business_date: date, at: datetime) -> None:
        self.finished_at = at
        self.missed = missed


class PatrolDay(SiteAggregate):
    """A site's patrols of one business day: the rounds begun and finished, and the
    manager's sign-off of the day's review (seed 001 "每日审核职员巡视统计表")."""

    @classmethod
    def create_id(cls, site_id: UUID, business_date: date) -> UUID:
        """One patrol day per site and local date, found by both."""
        return uuid5(NAMESPACE_URL, f"concierge:workorder:patrol-day:{site_id}:{business_date}")

    @event("Begun")
    def __init__(self, site_id: UUID, business_date: date) -> None:
        self.site_id = site_id
        self.business_date = business_date
        self.open_rounds: list[UUID] = []
        self.finished_rounds: list[UUID] = []
        self.signed_off_by: str | None = None
        self.signed_off_at: datetime | None = None
        self.note: str | None = None

    def round_begun(self, round_id: UUID) -> None:
        """A round of a signed-off day would escape the review: refused."""
        if self.signed_off_by is not None:
            raise Conflict(f"the patrols of {self.business_date} are signed off", field="plan_id")
        self._round_begun(round_id=round_id)

    @event("RoundBegun")
    def _round_begun(self, round_id: UUID) -> None:
        self.open_rounds.append(round_id)

    @event("RoundEnded")
    def round_ended(self, round_id: UUID) -> None:
        self.open_rounds.remove(round_id)
        self.finished_rounds.append(round_id)

    def sign_off(self, *, manager: str, note: str | None, at: datetime) -> None:
        """The manager signs the day's review once, after the day's rounds: every round
        begun that day finished, and at least one."""
        if self.signed_off_by is not None:
            raise Conflict(
                f"the patrols of {self.business_date} were signed off by {self.signed_off_by}"
            )
        if self.open_rounds:
            raise Conflict(
                f"{len(self.open_rounds)} round(s) of {self.business_date} are not finished yet"
            )
        if not self.finished_rounds:
            raise Conflict(f"no patrol round was made on {self.business_date}")
        self._signed_off(
            manager=manager,
            note=note,
            rounds=len(self.finished_rounds),
            business_date=self.business_date,
            at=at,
        )

    @event("SignedOff")
    def _signed_off(
        self, manager: str, note: str | None, rounds: int, business_date: date, at: datetime
    ) -> None:
        self.signed_off_by = manager
        self.signed_off_at = at
        self.note = note
