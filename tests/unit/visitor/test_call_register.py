"""The switchboard's call register (seed 000): every call recorded, important calls
signed for, followed up and completed with a signature."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from runtime.errors import Conflict, Invalid
from services.visitor.call_register import CallRecord, CallStatus
from services.visitor.contract import contract_for

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
SITE = uuid4()


def answer(important: bool = True, passed_to: str | None = "Engineering") -> CallRecord:
    return CallRecord.answer(
        site_id=SITE,
        caller_name="Chen Jie",
        caller_company="Bank of Pudong",
        caller_number="+86 21 5555 0101",
        reason="lift out of order on 12F",
        category="repair",
        important=important,
        passed_to=passed_to,
        at=NOW,
    )


def test_an_ordinary_call_is_only_recorded() -> None:
    call = answer(important=False, passed_to=None)
    assert call.status == CallStatus.RECORDED
    for step in (
        lambda: call.sign_for(signed_by="Wang", at=NOW),
        lambda: call.follow_up(progress="x", by="Li", at=NOW),
        lambda: call.complete(result="x", signed_by="Wang", at=NOW),
    ):
        with pytest.raises(Conflict, match="only an important call"):
            step()


def test_an_important_call_names_whom_it_was_passed_to() -> None:
    with pytest.raises(Invalid) as raised:
        answer(important=True, passed_to=None)
    assert raised.value.field == "passed_to"


def test_an_important_call_is_signed_for_followed_up_and_completed_once() -> None:
    call = answer()
    assert call.status == CallStatus.AWAITING_SIGNATURE
    with pytest.raises(Conflict, match="not signed for"):
        call.complete(result="fixed", signed_by="Wang", at=NOW)
    call.sign_for(signed_by="Wang Wu", at=NOW + timedelta(minutes=5))
    with pytest.raises(Conflict, match="already signed for by Wang Wu"):
        call.sign_for(signed_by="Wang Wu", at=NOW)
    call.follow_up(progress="technician on the way", by="Li", at=NOW + timedelta(minutes=20))
    call.follow_up(progress="lift running again", by="Li", at=NOW + timedelta(hours=1))
    call.complete(result="caller told at 11:00", signed_by="Wang Wu", at=NOW + timedelta(hours=2))
    assert call.status == CallStatus.DONE and call.follow_ups[-1] == "lift running again"
    with pytest.raises(Conflict, match="done and signed"):
        call.follow_up(progress="again", by="Li", at=NOW)
    published = [contract_for(e) for e in call.collect_events()]
    assert [type(p).__name__ for p in published] == [
        "CallRecorded", "CallSignedFor", "CallFollowedUp", "CallFollowedUp", "CallCompleted",
    ]  # fmt: skip
    assert all(p is not None and p.site_id == SITE for p in published)
