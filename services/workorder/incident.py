"""Emergencies (no I/O): the incident log (what happened where and when, the actions
taken, the follow-up, the closure) and the drill records.

Seed 001, 客务主管: "8遇有紧急事故,负责处理紧急事项,并做好善后工作。如火灾、水 等事项应
立即进行妥善处理,并疏导用户撤离,做好事后善后工作" (handle the emergency, lead the tenants
out, and see to what follows it).
Seed 003, 應急管理: "應急演練 1.定期組織應急演練,檢驗應急預案的可行性和有效性" (regular
drills); "應急處置 ... 2.及時向上級報告事件情況" (report the incident);
"后期恢復與總結 1.事件處置完畢后,及時..." (the closure sums it up).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid


class Incident(SiteAggregate):
    """One emergency at a site, from its report to its closure."""

    @classmethod
    def report(
        cls,
        *,
        site_id: UUID,
        kind: str,
        place: str,
        description: str,
        happened_at: datetime,
        reported_by: str,
        at: datetime,
    ) -> Incident:
        """An incident is logged when it happened, which is not after it is logged."""
        if happened_at > at:
            raise Invalid(
                "an incident is logged after it happened, not before", field="happened_at"
            )
        return cls(
            site_id=site_id,
            kind=kind,
            place=place,
            description=description,
            happened_at=happened_at,
            reported_by=reported_by,
            at=at,
        )

    @event("Reported")
    def __init__(
        self,
        site_id: UUID,
        kind: str,
        place: str,
        description: str,
        happened_at: datetime,
        reported_by: str,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.kind = kind
        self.place = place
        self.description = description
        self.happened_at = happened_at
        self.reported_by = reported_by
        self.reported_at = at
        self.actions: list[dict[str, Any]] = []
        self.follow_ups: list[dict[str, Any]] = []
        self.closed_at: datetime | None = None
        self.closed_by: str | None = None
        self.summary: str | None = None

    def _require_open(self, field: str) -> None:
        if self.closed_at is not None:
            raise Conflict("the incident is closed; its log is kept as it was", field=field)

    def take_action(self, *, action: str, by: str, at: datetime) -> None:
        """Each action taken is appended, with who took it and when; none is rewritten."""
        self._require_open("action")
        self._action_taken(action=action, by=by, at=at)

    @event("ActionTaken")
    def _action_taken(self, action: str, by: str, at: datetime) -> None:
        self.actions.append({"action": action, "by": by, "at": at})

    def follow_up(self, *, follow_up: str, by: str, at: datetime) -> None:
        """What is to be seen to after the emergency (善后): repairs, tenants to call,
        insurers to tell."""
        self._require_open("follow_up")
        self._followed_up(follow_up=follow_up, by=by, at=at)

    @event("FollowedUp")
    def _followed_up(self, follow_up: str, by: str, at: datetime) -> None:
        self.follow_ups.append({"follow_up": follow_up, "by": by, "at": at})

    def close(self, *, summary: str, by: str, at: datetime) -> None:
        """Closed once, with the summary, after at least one action was logged."""
        self._require_open("summary")
        if not self.actions:
            raise Conflict("log the actions taken before closing the incident")
        self._closed(summary=summary, by=by, at=at)

    @event("Closed")
    def _closed(self, summary: str, by: str, at: datetime) -> None:
        self.closed_at = at
        self.closed_by = by
        self.summary = summary


class Drill(SiteAggregate):
    """A drill held at a site: its kind, date, who took part, how long, what it showed."""

    @classmethod
    def record(
        cls,
        *,
        site_id: UUID,
        kind: str,
        held_on: date,
        today: date,
        participants: list[str],
        duration_minutes: int,
        findings: str,
        recorded_by: str,
        at: datetime,
    ) -> Drill:
        """A drill is recorded once held (not for a later date), each participant once."""
        if held_on > today:
            raise Invalid("a drill is recorded once it was held, not ahead", field="held_on")
        if len({p.casefold() for p in participants}) != len(participants):
            raise Invalid("each participant is named once", field="participants")
        return cls(
            site_id=site_id,
            kind=kind,
            held_on=held_on,
            participants=participants,
            duration_minutes=duration_minutes,
            findings=findings,
            recorded_by=recorded_by,
            at=at,
        )

    @event("Recorded")
    def __init__(
        self,
        site_id: UUID,
        kind: str,
        held_on: date,
        participants: list[str],
        duration_minutes: int,
        findings: str,
        recorded_by: str,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.kind = kind
        self.held_on = held_on
        self.participants = participants
        self.duration_minutes = duration_minutes
        self.findings = findings
        self.recorded_by = recorded_by
        self.recorded_at = at
