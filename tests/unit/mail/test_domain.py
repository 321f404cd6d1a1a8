from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from contracts import mail as published
from contracts import visitor as visitor_events
from runtime.errors import Conflict, ForeignSiteReference, Invalid
from services.mail.contract import contract_for
from services.mail.domain import ItemStatus, MailDirectory, MailItem
from services.mail.reactions import unit_of_site

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def item(unit: str | None = "12A", urgent: bool = False) -> MailItem:
    return MailItem.receive(site_id=uuid4(), kind="parcel", carrier="SF", tracking_number="SF1",
                            recipient_unit=unit, recipient_company=None, recipient_person="Han",
                            urgent=urgent, pages=None, at=NOW,
                            addressed_to=None if unit else "Mr. X")  # fmt: skip


def test_known_recipients_are_notified_at_intake() -> None:
    mail = item(urgent=True)
    events = [contract_for(e) for e in mail.collect_events()]
    assert [type(e).__name__ for e in events] == ["MailReceived", "RecipientNotified"]
    assert events[1].urgent is True  # type: ignore[union-attr]


def test_unknown_recipient_waits_for_lookup_then_archived_after_the_lookup_days() -> None:
    mail = item(unit=None)
    assert mail.status == ItemStatus.PENDING_LOOKUP
    assert mail.archive_if_unresolved(lookup=timedelta(days=3), at=NOW + timedelta(days=2)) is False
    assert mail.archive_if_unresolved(lookup=timedelta(days=3), at=NOW + timedelta(days=3)) is True
    assert mail.status == ItemStatus.ARCHIVED


def test_resolved_recipient_is_notified_and_can_collect() -> None:
    mail = item(unit=None)
    mail.resolve_recipient(unit="15C", company=None, person="Zhao", resolved_by="cs", at=NOW)
    mail.collect(signed_by="Zhao", on_behalf_of=None, at=NOW)
    with pytest.raises(Conflict, match="already collected"):
        mail.collect(signed_by="Zhao", on_behalf_of=None, at=NOW)
    with pytest.raises(Conflict):
        mail.archive(reason="moved_out", forwarded_to=None, at=NOW)


def test_reminders_follow_the_interval() -> None:
    mail = item()
    day = timedelta(hours=24)
    assert mail.remind(interval=day, at=NOW + timedelta(hours=23)) is False
    assert mail.remind(interval=day, at=NOW + timedelta(hours=24)) is True
    assert mail.remind(interval=day, at=NOW + timedelta(hours=30)) is False
    assert mail.reminders == 1


def test_the_directory_refuses_unknown_units() -> None:
    directory = MailDirectory(site_id=uuid4())
    directory.update(entries=[{"unit": "12A"}])
    assert directory.require_unit("12A", "recipient_unit") == {"unit": "12A"}
    with pytest.raises(Invalid) as err:
        directory.require_unit("99Z", "recipient_unit")
    assert err.value.field == "recipient_unit"


def test_a_moved_out_tenants_item_is_archived_after_the_lookup_days() -> None:
    mail = item()
    assert (
        mail.archive_after_move_out(lookup=timedelta(days=3), at=NOW + timedelta(days=1)) is False
    )
    assert mail.archive_after_move_out(lookup=timedelta(days=3), at=NOW + timedelta(days=3)) is True
    assert [type(contract_for(e)).__name__ for e in mail.collect_events()][-1] == "MailArchived"
    directory = MailDirectory(site_id=uuid4())
    directory.update(entries=[{"unit": "8B", "moved_out": True}, {"unit": "9C"}])
    assert directory.moved_out() == {"8B"}


def directory(*units: str, moved_out: str | None = None) -> MailDirectory:
    site = MailDirectory(site_id=uuid4())
    entries = [{"unit": u, "contact_email": f"{u}@t.example"} for u in units]
    if moved_out:
        entries.append({"unit": moved_out, "moved_out": True})
    if entries:
        site.update(entries=entries)
    return site


def test_the_directory_publishes_its_units_not_its_contacts() -> None:
    events = [contract_for(e) for e in directory("12A", "15C", moved_out="8B").collect_events()]
    assert events[0] is None  # opened: nothing to tell
    assert events[1] == published.MailDirectoryUpdated(
        site_id=events[1].site_id, units=["12A", "15C", "8B"], moved_out=["8B"],  # type: ignore[union-attr]
        occurred_at=events[1].occurred_at,  # type: ignore[union-attr]
    )  # fmt: skip
    assert "t.example" not in events[1].model_dump_json()  # type: ignore[union-attr]


def test_notices_look_up_units_only_in_the_events_own_site() -> None:
    site = directory("12A")
    mail = published.MailReminderSent(site_id=site.site_id, item_id=uuid4(), recipient_unit="12A",
                                      reminder=1, occurred_at=NOW)  # fmt: skip
    assert unit_of_site(site, "12A", mail)["contact_email"] == "12A@t.example"
    with pytest.raises(ForeignSiteReference, match="B-7"):
        unit_of_site(site, "B-7", mail)
    with pytest.raises(ForeignSiteReference):  # mail is only ever received for listed units
        unit_of_site(directory(), "12A", mail)
    host = visitor_events.HostNotified(site_id=site.site_id, visit_id=uuid4(), host_unit="B-7",
                                       host_name="Han", reason="arrival", occurred_at=NOW)  # fmt: skip
    with pytest.raises(ForeignSiteReference):
        unit_of_site(site, "B-7", host)
    assert unit_of_site(directory(), "B-7", host) == {}  # no directory yet: no contact


def test_a_proxy_signs_only_with_the_recipients_consent_by_phone() -> None:
    """Seed 002: 由他人代签的, 必须打电话征得收件本人的同意."""
    mail = item()
    mail.collect_events()
    with pytest.raises(Invalid) as raised:
        mail.collect(signed_by="Li (assistant)", on_behalf_of="Han", at=NOW)
    assert raised.value.field == "phone_consent"
    with pytest.raises(Invalid) as raised:
        mail.collect(signed_by="Li", on_behalf_of="Han", at=NOW, consent_phone="13800138000",
                     consent_given_at=NOW + timedelta(minutes=1))  # fmt: skip
    assert raised.value.field == "phone_consent"
    with pytest.raises(Invalid) as raised:
        mail.collect(signed_by="Han", on_behalf_of=None, at=NOW, consent_phone="13800138000",
                     consent_given_at=NOW)  # fmt: skip
    assert raised.value.field == "on_behalf_of"
    mail.collect(signed_by="Li (assistant)", on_behalf_of="Han", at=NOW,
                 consent_phone="13800138000", consent_given_at=NOW - timedelta(minutes=5))  # fmt: skip
    published_events = [contract_for(e) for e in mail.collect_events()]
    assert [type(e).__name__ for e in published_events] == [
        "MailProxyConsentRecorded", "MailCollected",
    ]  # fmt: skip
    assert published_events[0].phone == "13800138000"  # type: ignore[union-attr]


def test_a_refused_courier_item_is_published_with_why_when_and_who() -> None:
    from services.mail.domain import RefusedDelivery

    refused = RefusedDelivery(site_id=uuid4(), kind="parcel", carrier="SF", tracking_number=None,
                              recipient_unit="15C", addressed_to=None, reason="damaged box",
                              refused_by="Wu", at=NOW)  # fmt: skip
    (event,) = [contract_for(e) for e in refused.collect_events()]
    assert isinstance(event, published.MailRefused)
    assert (event.reason, event.refused_by, event.occurred_at) == ("damaged box", "Wu", NOW)
