"""Patrol commands of the work-order application: plans, rounds, findings that open
repairs, and the manager's sign-off of the day (rules in services.workorder.patrol)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from contracts import patrol_api as api
from contracts.workorder import Source
from runtime.clock import clock, local_date
from runtime.sites import site_timezone
from services.workorder.domain import WorkOrder
from services.workorder.patrol import PatrolDay, PatrolPlan, PatrolRound
from services.workorder.store import WorkOrderStore


class PatrolCommands(WorkOrderStore):
    def draw_patrol_plan(
        self, site_id: UUID, cmd: api.DrawPatrolPlan, cid: str | None
    ) -> PatrolPlan:
        def command() -> PatrolPlan:
            plan = PatrolPlan.draw(
                site_id=site_id,
                zone=cmd.zone,
                checkpoints=[c.model_dump() for c in cmd.checkpoints],
                drawn_by=cmd.drawn_by,
                at=clock.now(),
            )
            self.save(plan)
            return plan

        return self.run(cid, command)

    def start_patrol_round(
        self, site_id: UUID, cmd: api.StartPatrolRound, cid: str | None
    ) -> PatrolRound:
        """A round of a plan of this site, on the site's business day; the day records it,
        so its sign-off waits for the round (rounds starting at once retry on the day)."""

        def command() -> PatrolRound:
            now = clock.now()
            plan = self.load_at_site(cmd.plan_id, site_id, PatrolPlan, "patrol plan")
            day = local_date(now, site_timezone(site_id))
            patrol_day = self._patrol_day(site_id, day)
            patrol_round = PatrolRound.start(
                plan=plan, business_date=day, patroller=cmd.patroller, at=now
            )
            patrol_day.round_begun(patrol_round.id)
            self.save(patrol_day, patrol_round)
            return patrol_round

        return self.run(cid, command, retries=10)

    def record_checkpoint(
        self, site_id: UUID, round_id: UUID, cmd: api.RecordCheckpoint, cid: str | None
    ) -> PatrolRound:
        """A checkpoint's record; a finding with a repair opens a work order with source
        `patrol` and the round as its origin, at the round's site, saved with the record
        (seed 001 "发觉问题立即报修", 巡检问题报修统计单)."""

        def command() -> PatrolRound:
            now = clock.now()
            patrol_round = self.patrol_round(site_id, round_id)
            order = None
            if cmd.repair is not None:  # the round refuses a repair without a finding
                name = patrol_round.checkpoint_named(cmd.checkpoint)
                order = WorkOrder(
                    site_id=site_id,
                    source=Source.PATROL.value,
                    category=cmd.repair.category.value,
                    location=f"{patrol_round.zone}: {cmd.position or name}",
                    unit=None,
                    tenant=None,
                    content=cmd.found or "",
                    reporter=patrol_round.patroller,
                    complaint_id=None,
                    at=now,
                    patrol_round_id=patrol_round.id,
                )
            patrol_round.record(
                checkpoint=cmd.checkpoint,
                position=cmd.position,
                found=cmd.found,
                work_order_id=order and order.id,
                at=now,
            )
            self.save(patrol_round, *([order] if order else []))
            return patrol_round

        return self.run(cid, command)

    def finish_patrol_round(
        self, site_id: UUID, round_id: UUID, cmd: api.FinishPatrolRound, cid: str | None
    ) -> PatrolRound:
        def command() -> PatrolRound:
            patrol_round = self.patrol_round(site_id, round_id)
            patrol_round.finish(at=clock.now())
            patrol_day = self._patrol_day(site_id, patrol_round.business_date)
            patrol_day.round_ended(patrol_round.id)
            self.save(patrol_round, patrol_day)
            return patrol_round

        return self.run(cid, command, retries=10)

    def sign_off_patrol_day(
        self, site_id: UUID, day: date, cmd: api.SignOffPatrolDay, manager: str, cid: str | None
    ) -> PatrolDay:
        def command() -> PatrolDay:
            patrol_day = self._patrol_day(site_id, day)
            patrol_day.sign_off(manager=manager, note=cmd.note, at=clock.now())
            self.save(patrol_day)
            return patrol_day

        return self.run(cid, command)

    def patrol_round(self, site_id: UUID, round_id: UUID) -> PatrolRound:
        return self.load_at_site(round_id, site_id, PatrolRound, "patrol round")

    def _patrol_day(self, site_id: UUID, day: date) -> PatrolDay:
        found = self._stored(PatrolDay.create_id(site_id, day))
        return found if found is not None else PatrolDay(site_id=site_id, business_date=day)
