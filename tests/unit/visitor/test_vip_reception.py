"""VIP reception (seed 002 接待的流程和规范服务): level, escorts, room and set-up, pick-up,
confirmation ahead of the visit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from runtime.errors import Conflict, Invalid
from services.visitor.contract import contract_for
from services.visitor.vip_reception import VipReception

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DUE = NOW + timedelta(days=1)
SITE, VISIT = uuid4(), uuid4()


def plan(**overrides: Any) -> VipReception:
    fields: dict[str, Any] = {
        "site_id": SITE, "visit_id": VISIT, "guest_name": "Huang Rong",
        "guest_company": "Peach Island Catering", "host_unit": "12A", "host_name": "Han Meimei",
        "expected_from": DUE, "level": "executive", "escorts": ["Liu Yang", "Zhao Lei"],
        "meeting_room": "Meeting room 2", "room_setup": ["tea", "seasonal_fruit"],
        "pickup_place": "Hongqiao station", "pickup_at": DUE - timedelta(hours=1), "at": NOW,
        **overrides,
    }  # fmt: skip
    return VipReception.plan(**fields)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"escorts": []}, "escorts"),
        ({"meeting_room": None}, "meeting_room"),
        ({"pickup_at": None}, "pickup"),
        ({"pickup_place": None}, "pickup"),
        ({"pickup_at": DUE + timedelta(minutes=1)}, "pickup"),
    ],
)
def test_a_plan_names_escorts_a_room_for_its_setup_and_a_pickup_before_the_guest_is_due(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as raised:
        plan(**overrides)
    assert raised.value.field == field


def test_a_reception_is_confirmed_once_ahead_of_the_visit() -> None:
    reception = plan(meeting_room=None, room_setup=[], pickup_place=None, pickup_at=None)
    with pytest.raises(Conflict, match="due already"):
        reception.confirm(confirmed_by="Liu", confirmed_with="Ms Huang", at=DUE)
    reception.confirm(confirmed_by="Liu Yang", confirmed_with="Ms Huang", at=NOW)
    with pytest.raises(Conflict, match="confirmed already by Liu Yang"):
        reception.confirm(confirmed_by="Liu", confirmed_with="Ms Huang", at=NOW)
    published = [contract_for(e) for e in reception.collect_events()]
    assert [type(p).__name__ for p in published] == [
        "VipReceptionPlanned",
        "VipReceptionConfirmed",
    ]
    assert all(p is not None and p.visit_id == VISIT for p in published)  # type: ignore[attr-defined]
    assert reception.id == VipReception.create_id(VISIT)
