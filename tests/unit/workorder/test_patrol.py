"""Patrols (seed 001 内部巡检程序: the manager's plan by zone and time, each checkpoint's
record, the missed ones shown, the day's review signed off by the manager once, after
the day's rounds)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from runtime.errors import Conflict, Invalid
from services.workorder.contract import contract_for
from services.workorder.patrol import PatrolDay, PatrolPlan, PatrolRound

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
DAY = date(2026, 11, 2)
SITE = uuid4()


def plan() -> PatrolPlan:
    return PatrolPlan.draw(
        site_id=SITE, zone="Lobby and B1", drawn_by="Manager Zhou", at=NOW,
        checkpoints=[{"checkpoint": "B1 pump room", "scheduled_at": "10:00"},
                     {"checkpoint": "Lobby doors", "scheduled_at": "09:00"}],
    )  # fmt: skip


def test_a_plan_names_each_checkpoint_once_in_the_order_of_their_times() -> None:
    assert [c["checkpoint"] for c in plan().checkpoints] == ["Lobby doors", "B1 pump room"]
    with pytest.raises(Invalid) as refused:
        PatrolPlan.draw(
            site_id=SITE, zone="Lobby", drawn_by="Zhou", at=NOW,
            checkpoints=[{"checkpoint": "Doors", "scheduled_at": "09:00"},
                         {"checkpoint": "doors", "scheduled_at": "10:00"}],
        )  # fmt: skip
    assert refused.value.field == "checkpoints"


def test_a_round_records_each_checkpoint_once_and_shows_the_missed_ones() -> None:
    patrol_round = PatrolRound.start(plan=plan(), business_date=DAY, patroller="Li", at=NOW)
    with pytest.raises(Invalid) as unknown:
        patrol_round.record(checkpoint="Roof", position=None, found=None, work_order_id=None,
                            at=NOW)  # fmt: skip
    assert unknown.value.field == "checkpoint"
    patrol_round.record(checkpoint="lobby DOORS", position="east door", found="hinge loose",
                        work_order_id=uuid4(), at=NOW)  # fmt: skip
    with pytest.raises(Conflict):
        patrol_round.record(checkpoint="Lobby doors", position=None, found=None,
                            work_order_id=None, at=NOW)  # fmt: skip
    with pytest.raises(Invalid) as unsaid:
        patrol_round.record(checkpoint="B1 pump room", position=None, found=None,
                            work_order_id=uuid4(), at=NOW)  # fmt: skip
    assert unsaid.value.field == "found"
    assert patrol_round.not_visited == ["B1 pump room"]
    patrol_round.finish(at=NOW + timedelta(hours=2))
    assert patrol_round.missed == ["B1 pump room"]
    with pytest.raises(Conflict):
        patrol_round.finish(at=NOW)
    with pytest.raises(Conflict):
        patrol_round.record(checkpoint="B1 pump room", position=None, found=None,
                            work_order_id=None, at=NOW)  # fmt: skip
    published = [contract_for(e) for e in patrol_round.collect_events()]
    assert [type(p).__name__ for p in published] == [
        "PatrolRoundStarted", "PatrolCheckpointRecorded", "PatrolRoundFinished",
    ]  # fmt: skip
    assert published[1].checkpoint == "Lobby doors"  # type: ignore[union-attr]
    assert published[2].missed == ["B1 pump room"]  # type: ignore[union-attr]


def test_the_day_is_signed_off_once_after_its_rounds() -> None:
    day = PatrolDay(site_id=SITE, business_date=DAY)
    with pytest.raises(Conflict, match="no patrol round"):
        day.sign_off(manager="Zhou", note=None, at=NOW)
    first, second = uuid4(), uuid4()
    day.round_begun(first)
    day.round_begun(second)
    day.round_ended(first)
    with pytest.raises(Conflict, match="not finished"):
        day.sign_off(manager="Zhou", note=None, at=NOW)
    day.round_ended(second)
    day.sign_off(manager="Zhou", note="pump room missed twice: see to it", at=NOW)
    with pytest.raises(Conflict, match="signed off by Zhou"):
        day.sign_off(manager="Wang", note=None, at=NOW)
    with pytest.raises(Conflict):
        day.round_begun(uuid4())
    published = [p for p in map(contract_for, day.collect_events()) if p is not None]
    assert [type(p).__name__ for p in published] == ["PatrolDaySignedOff"]
    assert published[0].rounds == 2  # type: ignore[attr-defined]
