from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from runtime.errors import Conflict
from services.feedback.contract import contract_for
from services.feedback.domain import Complaint, ComplaintStatus, SurveyResponse, is_satisfied

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def complaint() -> Complaint:
    return Complaint(site_id=uuid4(), channel="phone", complainant="Zhou", unit="15C", company=None,
                     contact_phone=None, category="noise", content="drilling", deadline=NOW, at=NOW)  # fmt: skip


def test_handling_from_registration_to_reply() -> None:
    c = complaint()
    c.investigate(cause="third_party", notes="renovation", at=NOW)
    c.escalate(escalated_to="manager", reason="repeat", at=NOW)
    assert c.resolve(resolution="limited hours", work_order_id=None, at=NOW) is True
    assert c.resolve(resolution="again", work_order_id=None, at=NOW) is False
    c.reply(channel="phone", message="done", at=NOW)
    assert c.status == ComplaintStatus.REPLIED
    assert [type(contract_for(e)).__name__ for e in c.collect_events()] == [
        "ComplaintRegistered", "ComplaintInvestigated", "ComplaintEscalated",
        "ComplaintResolved", "ComplaintReplied",
    ]  # fmt: skip


def test_a_rejected_complaint_is_answered_but_never_resolved() -> None:
    c = complaint()
    c.reject(reason="not our building", at=NOW)
    with pytest.raises(Conflict):
        c.resolve(resolution="x", work_order_id=None, at=NOW)
    with pytest.raises(Conflict):
        c.investigate(cause="tenant", notes="x", at=NOW)
    c.reply(channel="letter", message="outside our remit", at=NOW)


def test_reopen_only_after_an_answer() -> None:
    c = complaint()
    with pytest.raises(Conflict):
        c.reopen(reason="x", at=NOW)
    c.resolve(resolution="fixed", work_order_id=None, at=NOW)
    c.reopen(reason="still noisy", at=NOW)
    assert (c.status, c.reopen_count, c.resolved_at) == (ComplaintStatus.REOPENED, 1, None)
    c.investigate(cause="property", notes="our fan", at=NOW)


def test_satisfied_means_an_average_of_four_or_more() -> None:
    assert is_satisfied({"a": 4, "b": 4}) and is_satisfied({"a": 5, "b": 3})
    assert not is_satisfied({"a": 4, "b": 3})
    response = SurveyResponse(
        site_id=uuid4(), unit=None, quarter="2026-Q4", scores={"a": 5}, at=NOW
    )
    assert contract_for(response.collect_events()[0]).satisfied is True  # type: ignore[union-attr]
