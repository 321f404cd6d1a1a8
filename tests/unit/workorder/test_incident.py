"""Emergencies (seed 001 "遇有紧急事故 ... 疏导用户撤离,做好事后善后工作"; seed 003 應急演練,
後期恢復與總結): the incident log with actions appended, follow-up and closure; drills."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from runtime.errors import Conflict, Invalid
from services.workorder.contract import contract_for
from services.workorder.incident import Drill, Incident

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
SITE = uuid4()


def an_incident() -> Incident:
    return Incident.report(
        site_id=SITE, kind="lift_entrapment", place="Lift 3, between 9F and 10F",
        description="two people trapped", happened_at=NOW - timedelta(minutes=5),
        reported_by="Amy (front desk)", at=NOW,
    )  # fmt: skip


def test_an_incident_is_logged_after_it_happened() -> None:
    with pytest.raises(Invalid) as refused:
        Incident.report(site_id=SITE, kind="fire", place="B2", description="smoke",
                        happened_at=NOW + timedelta(minutes=1), reported_by="Amy", at=NOW)  # fmt: skip
    assert refused.value.field == "happened_at"


def test_actions_are_appended_and_a_closed_incident_is_kept_as_it_was() -> None:
    incident = an_incident()
    with pytest.raises(Conflict, match="actions"):
        incident.close(summary="done", by="Supervisor Wu", at=NOW)
    incident.take_action(action="lift company called", by="Amy", at=NOW)
    incident.take_action(action="people out at 09:20", by="Lao Zhang", at=NOW)
    incident.follow_up(follow_up="lift 3 out of service until inspected", by="Wu", at=NOW)
    incident.close(summary="released unhurt after 15 minutes", by="Supervisor Wu", at=NOW)
    assert [a["action"] for a in incident.actions] == ["lift company called", "people out at 09:20"]
    for step in (
        lambda: incident.take_action(action="x", by="y", at=NOW),
        lambda: incident.follow_up(follow_up="x", by="y", at=NOW),
        lambda: incident.close(summary="x", by="y", at=NOW),
    ):
        with pytest.raises(Conflict):
            step()
    published = [contract_for(e) for e in incident.collect_events()]
    assert [type(p).__name__ for p in published] == [
        "IncidentReported", "IncidentActionTaken", "IncidentActionTaken",
        "IncidentFollowUpRecorded", "IncidentClosed",
    ]  # fmt: skip


def test_a_drill_is_recorded_once_held_with_each_participant_once() -> None:
    today = date(2026, 11, 2)
    args = {"site_id": SITE, "kind": "evacuation", "today": today, "duration_minutes": 25,
            "findings": "stair B door sticks", "recorded_by": "Wu", "at": NOW}  # fmt: skip
    with pytest.raises(Invalid) as ahead:
        Drill.record(held_on=today + timedelta(days=1), participants=["Li"], **args)
    assert ahead.value.field == "held_on"
    with pytest.raises(Invalid) as twice:
        Drill.record(held_on=today, participants=["Li", "li"], **args)
    assert twice.value.field == "participants"
    drill = Drill.record(held_on=today, participants=["Li", "Wang"], **args)
    (published,) = [contract_for(e) for e in drill.collect_events()]
    assert type(published).__name__ == "DrillRecorded"
    assert published.participants == ["Li", "Wang"]  # type: ignore[union-attr]
