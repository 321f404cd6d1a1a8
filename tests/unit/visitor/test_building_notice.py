"""Building notices (seed 001: 以电话、信函、造访和张贴通知等形式将物业企业信息通知用户):
a unit told by phone, letter or visit is named; a posting names its place, no unit."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from runtime.errors import Invalid
from services.visitor.building_notice import BuildingNotice
from services.visitor.contract import contract_for

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_who_was_told_how_and_when() -> None:
    notice = BuildingNotice(site_id=uuid4(), subject="Water off on 12F",
                            content="Saturday 9:00-12:00", issued_by="CS Chen", at=NOW)  # fmt: skip
    with pytest.raises(Invalid) as raised:
        notice.tell(channel="phone", unit=None, recipient="Han Meimei", by="Liu", at=NOW)
    assert raised.value.field == "unit"
    with pytest.raises(Invalid):
        notice.tell(channel="posting", unit="12A", recipient="lobby", by="Liu", at=NOW)
    notice.tell(channel="phone", unit="12A", recipient="Han Meimei", by="Liu", at=NOW)
    notice.tell(channel="posting", unit=None, recipient="lobby notice board", by="Liu", at=NOW)
    assert [(d["channel"], d["unit"]) for d in notice.deliveries] == [
        ("phone", "12A"), ("posting", None),
    ]  # fmt: skip
    published = [contract_for(e) for e in notice.collect_events()]
    assert [type(p).__name__ for p in published] == [
        "BuildingNoticeIssued", "BuildingNoticeDelivered", "BuildingNoticeDelivered",
    ]  # fmt: skip
