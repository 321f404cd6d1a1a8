"""Notices to tenants, from the events on Kafka: mail arrived or a reminder is due
(`concierge.mail.v1`), a visitor is at the desk (`concierge.visitor.v1`). Contacts come
from the mail directory; delivery goes through the configured notifier adapter."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts import mail as mail_events
from contracts import visitor as visitor_events
from contracts.envelope import Envelope
from runtime.notify import Notification, Notifier
from services.mail.application import MailApplication

ITEM_NAMES = {
    mail_events.MailKind.LETTER: "A letter",
    mail_events.MailKind.PARCEL: "A parcel",
    mail_events.MailKind.NEWSPAPER: "A newspaper",
    mail_events.MailKind.FAX: "A fax",
    mail_events.MailKind.REGISTERED: "A registered item",
    mail_events.MailKind.EXPRESS: "An express item",
}


class TenantNotices:
    name = "mail_tenant_notices"
    tables: tuple[str, ...] = ()

    def __init__(self, app: MailApplication, notifier: Notifier) -> None:
        self.app = app
        self.notifier = notifier

    async def setup(self, conn: asyncpg.Connection) -> None:
        return None

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            notice = await asyncio.to_thread(self._notice, envelope)
            if notice is not None:
                await asyncio.to_thread(self.notifier.send, notice)

    def _notice(self, envelope: Envelope) -> Notification | None:
        e: Any = envelope.data
        match e:
            case mail_events.RecipientNotified():
                unit, person, urgent = e.recipient_unit, e.recipient_person, e.urgent
                subject = f"{ITEM_NAMES[e.kind]} is waiting for you at the front desk"
            case mail_events.MailReminderSent():
                unit, person, urgent = e.recipient_unit, None, False
                subject = f"Reminder {e.reminder}: mail is waiting for you at the front desk"
            case visitor_events.HostNotified():
                unit, person, urgent = e.host_unit, e.host_name, True
                subject = ("A visitor asks to see you" if e.reason == "approval_requested"
                           else "Your visitor has arrived")  # fmt: skip
            case _:
                return None
        contact = self.app.directory(e.site_id).units.get(unit, {})
        return Notification(
            site_id=str(e.site_id), unit=unit, to_name=person or contact.get("contact_name"),
            to_email=contact.get("contact_email"), subject=subject,
            body=f"{subject}. Unit {unit}.", urgent=urgent,
            correlation_id=envelope.correlation_id,
        )  # fmt: skip
