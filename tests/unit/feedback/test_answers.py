"""Complaints answered as seed 001 says: the first answer the same local day, progress
reports, a written reply before a letter complaint closes, internal feedback
acknowledged once; and what older stored events still publish."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from contracts import feedback as published
from runtime.errors import Conflict
from services.feedback.answers import answer_due, is_late
from services.feedback.contract import contract_for
from services.feedback.domain import Complaint, ComplaintStatus, FeedbackPolicy

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai


def complaint(channel: str = "phone", **fields: object) -> Complaint:
    return Complaint(site_id=uuid4(), channel=channel, complainant="Zhou", unit="15C",
                     company=None, contact_phone=None, category="noise", content="drilling",
                     deadline=NOW + timedelta(hours=7), at=NOW, **fields)  # type: ignore[arg-type]  # fmt: skip


def test_the_first_answer_is_due_by_the_local_midnight_ending_its_day() -> None:
    due = answer_due(received=NOW, received_on=date(2026, 11, 2), zone="Asia/Shanghai", hours=None)
    assert due == datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
    box = answer_due(received=NOW, received_on=date(2026, 10, 30), zone="Asia/Shanghai", hours=None)
    assert box == datetime(2026, 10, 30, 16, 0, tzinfo=UTC)  # the day the box was emptied
    assert answer_due(received=NOW, received_on=date(2026, 11, 2), zone="Asia/Shanghai",
                      hours=48) == NOW + timedelta(hours=48)  # fmt: skip


def test_late_means_no_answer_before_the_deadline() -> None:
    deadline = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
    late = dict(deadline=deadline, anonymous=False)
    assert not is_late(**late, answered_at=None, now=deadline - timedelta(seconds=1))
    assert is_late(**late, answered_at=None, now=deadline)
    assert not is_late(**late, answered_at=deadline - timedelta(seconds=1), now=NOW)
    assert is_late(**late, answered_at=deadline, now=NOW)
    assert not is_late(deadline=deadline, anonymous=True, answered_at=None, now=deadline)


def test_progress_reports_until_closed_the_first_being_the_answer() -> None:
    c = complaint()
    c.inform(channel="phone", message="engineer booked", by="Li", at=NOW)
    c.inform(channel="in_person", message="on site", by="Wang", at=NOW + timedelta(hours=1))
    assert c.answered_at == NOW and [u["by"] for u in c.updates] == ["Li", "Wang"]
    events = [contract_for(e) for e in c.collect_events()][1:]
    assert [(type(e).__name__, e.first) for e in events] == [  # type: ignore[union-attr]
        ("ComplainantInformed", True), ("ComplainantInformed", False)
    ]  # fmt: skip
    c.resolve(resolution="done", work_order_id=None, at=NOW)
    c.reply(channel="phone", message="done", at=NOW)
    with pytest.raises(Conflict, match="open complaint"):
        c.inform(channel="phone", message="again", by="Li", at=NOW)


def test_a_letter_complaint_needs_a_written_reply_before_it_closes() -> None:
    c = complaint("letter")
    c.resolve(resolution="fixed", work_order_id=None, at=NOW)
    with pytest.raises(Conflict, match="written reply"):
        c.reply(channel="phone", message="fixed", at=NOW)
    assert c.status == ComplaintStatus.RESOLVED
    c.reply(channel="email", message="fixed", at=NOW, by="Li")
    assert c.status == ComplaintStatus.REPLIED and c.written_reply


def test_an_anonymous_note_has_nobody_to_inform() -> None:
    c = complaint("suggestion_box", anonymous=True)
    with pytest.raises(Conflict, match="anonymous"):
        c.inform(channel="phone", message="x", by="Li", at=NOW)


def test_internal_feedback_needs_the_cause_and_is_acknowledged_once() -> None:
    c = complaint()
    with pytest.raises(Conflict, match="investigate"):
        c.give_internal_feedback(department="engineering", content="x", by="Li", at=NOW)
    c.investigate(cause="property", notes="valve", at=NOW)
    assert c.give_internal_feedback(department="engineering", content="x", by="Li", at=NOW) == 1
    c.acknowledge_internal_feedback(number=1, by="Chen", at=NOW)
    with pytest.raises(Conflict, match="already"):
        c.acknowledge_internal_feedback(number=1, by="Chen", at=NOW)
    with pytest.raises(Conflict, match="no internal feedback 2"):
        c.acknowledge_internal_feedback(number=2, by="Chen", at=NOW)
    acknowledged = contract_for(c.collect_events()[-1])
    assert isinstance(acknowledged, published.InternalFeedbackAcknowledged)
    assert acknowledged.department == "engineering"


def test_new_channels_publish_the_nearest_old_one_beside_themselves() -> None:
    registered = contract_for(complaint("email").collect_events()[0])
    assert isinstance(registered, published.ComplaintRegistered)
    assert (registered.channel, registered.intake_channel) == ("app", "email")
    box = contract_for(complaint("suggestion_box").collect_events()[0])
    assert (box.channel, box.intake_channel) == ("letter", "suggestion_box")  # type: ignore[union-attr]


def test_an_event_stored_before_the_new_fields_still_publishes() -> None:
    event = complaint().collect_events()[0]
    for name in ("anonymous", "location", "contact_email", "received_on"):
        del event.__dict__[name]
    registered = contract_for(event)
    assert isinstance(registered, published.ComplaintRegistered)
    assert registered.anonymous is False and registered.received_on is None


def test_a_site_sets_hours_per_channel_over_its_hours_for_all() -> None:
    policy = FeedbackPolicy(site_id=uuid4(), reply_within_hours=4,
                            answer_within_hours={"letter": 48})  # fmt: skip
    assert (policy.hours_for("letter"), policy.hours_for("phone")) == (48, 4)
