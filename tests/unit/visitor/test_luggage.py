"""Luggage held at the desk by tag: a tag holds one deposit at a time, goes back
against the tag once, and is used again afterwards."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from runtime.errors import Conflict
from services.visitor.contract import contract_for
from services.visitor.luggage import LuggageTag

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SITE = uuid4()


def deposit(tag: LuggageTag, owner: str = "Huang Rong") -> object:
    return tag.deposit(owner_name=owner, pieces=2, description="black suitcase, garment bag",
                       deposited_by="Concierge Wu", at=NOW)  # fmt: skip


def test_a_tag_holds_one_deposit_at_a_time_and_is_used_again_after_collection() -> None:
    tag = LuggageTag(site_id=SITE, tag="L-012")
    first = deposit(tag)
    with pytest.raises(Conflict, match="holds Huang Rong's luggage"):
        deposit(tag, "Guo Jing")
    tag.collect(collected_by="Huang Rong", at=NOW)
    with pytest.raises(Conflict, match="holds no luggage"):
        tag.collect(collected_by="Huang Rong", at=NOW)
    second = deposit(tag, "Guo Jing")
    assert second != first and tag.held and tag.held["owner_name"] == "Guo Jing"
    published = [p for p in (contract_for(e) for e in tag.collect_events()) if p]
    assert [type(p).__name__ for p in published] == [
        "LuggageDeposited", "LuggageCollected", "LuggageDeposited",
    ]  # fmt: skip
    assert [p.deposit_id for p in published] == [first, first, second]  # type: ignore[attr-defined]
    assert tag.id == LuggageTag.create_id(SITE, "L-012") != LuggageTag.create_id(uuid4(), "L-012")
