"""What leaves the mail service: the register's events, and the units of the directory
(its contacts stay inside)."""

from __future__ import annotations

from typing import Any

from contracts import mail as published
from contracts import topics
from contracts.base import ContractEvent
from services.mail.delivery_round import DeliveryRound
from services.mail.domain import MailDirectory, MailItem, RefusedDelivery

TOPIC = topics.MAIL


def contract_for(e: Any) -> ContractEvent | None:
    if isinstance(e, MailDirectory.Updated):
        entries = e.entries
        return published.MailDirectoryUpdated(
            site_id=e.site_id, units=[entry["unit"] for entry in entries],
            moved_out=[entry["unit"] for entry in entries if entry.get("moved_out")],
            occurred_at=e.timestamp,
        )  # fmt: skip
    if isinstance(e, RefusedDelivery.Refused):
        return published.MailRefused(
            site_id=e.site_id, item_id=e.originator_id, occurred_at=e.at, kind=e.kind,
            carrier=e.carrier, tracking_number=e.tracking_number,
            recipient_unit=e.recipient_unit, addressed_to=e.addressed_to, reason=e.reason,
            refused_by=e.refused_by,
        )  # fmt: skip
    if isinstance(e, DeliveryRound.Event):
        return _round(e)
    if not isinstance(e, MailItem.Event):
        return None
    common = {"site_id": e.site_id, "item_id": e.originator_id, "occurred_at": e.at}
    match e:
        case MailItem.Received():
            return published.MailReceived(
                **common, kind=e.kind, carrier=e.carrier, tracking_number=e.tracking_number,
                recipient_unit=e.recipient_unit, recipient_company=e.recipient_company,
                recipient_person=e.recipient_person, urgent=e.urgent, pages=e.pages,
            )  # fmt: skip
        case MailItem.RecipientUnknown():
            return published.MailRecipientUnknown(**common, addressed_to=e.addressed_to)
        case MailItem.RecipientResolved():
            return published.MailRecipientResolved(
                **common, recipient_unit=e.recipient_unit, recipient_company=e.recipient_company,
                recipient_person=e.recipient_person, resolved_by=e.resolved_by,
            )  # fmt: skip
        case MailItem.RecipientNotified():
            return published.RecipientNotified(
                **common, recipient_unit=e.recipient_unit, recipient_person=e.recipient_person,
                urgent=e.urgent, kind=e.kind,
            )  # fmt: skip
        case MailItem.ReminderSent():
            return published.MailReminderSent(
                **common, recipient_unit=e.recipient_unit, reminder=e.reminder
            )
        case MailItem.Collected():
            return published.MailCollected(
                **common, signed_by=e.signed_by, by_proxy=e.by_proxy, on_behalf_of=e.on_behalf_of
            )
        case MailItem.ProxyConsented():
            return published.MailProxyConsentRecorded(
                **common, recipient=e.recipient, phone=e.phone, given_at=e.given_at
            )
        case MailItem.Archived():
            return published.MailArchived(**common, reason=e.reason, forwarded_to=e.forwarded_to)
        case MailItem.OutForDelivery():
            return published.MailOutForDelivery(**common, round_id=e.round_id,
                                                recipient_unit=e.recipient_unit)  # fmt: skip
        case MailItem.DeliveredToUnit():
            return published.MailDeliveredToUnit(**common, round_id=e.round_id,
                                                 recipient_unit=e.recipient_unit,
                                                 delivered_by=e.delivered_by)  # fmt: skip
        case MailItem.LeftAtDesk():
            return published.MailLeftAtDesk(**common, round_id=e.round_id,
                                            recipient_unit=e.recipient_unit)  # fmt: skip
    return None


def _round(e: Any) -> ContractEvent | None:
    match e:
        case DeliveryRound.Planned():
            return published.DeliveryRoundPlanned(
                site_id=e.site_id, round_id=e.originator_id, business_date=e.business_date,
                stops=[published.RoundStop(**stop) for stop in e.stops],
                planned_by=e.planned_by, occurred_at=e.at,
            )  # fmt: skip
        case DeliveryRound.StopRecorded():
            return published.DeliveryRoundStopRecorded(
                site_id=e.site_id, round_id=e.originator_id, business_date=e.business_date,
                unit=e.unit, outcome=e.outcome, delivered_by=e.delivered_by,
                item_ids=e.item_ids, newspapers=e.newspapers, occurred_at=e.at,
            )  # fmt: skip
    return None
