"""Notices to tenants, from the events on Kafka: mail arrived or a reminder is due
(`concierge.mail.v1`), a visitor is at the desk (`concierge.visitor.v1`). Contacts come
from the directory of the event's own site; delivery goes through the configured
notifier adapter. A unit that is not in that directory is refused
(ForeignSiteReference), never looked up elsewhere."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from contracts import mail as mail_events
from contracts import tenancy as tenancy_events
from contracts import visitor as visitor_events
from contracts.envelope import Envelope
from runtime.errors import ForeignSiteReference
from runtime.notify import Notification, Notifier
from runtime.reaction import CommandReaction
from services.mail.application import MailApplication
from services.mail.domain import MailDirectory

ITEM_NAMES = {
    mail_events.MailKind.LETTER: "A letter",
    mail_events.MailKind.PARCEL: "A parcel",
    mail_events.MailKind.NEWSPAPER: "A newspaper",
    mail_events.MailKind.FAX: "A fax",
    mail_events.MailKind.REGISTERED: "A registered item",
    mail_events.MailKind.EXPRESS: "An express item",
}


class TenantNotices(CommandReaction[MailApplication]):
    name = "mail_tenant_notices"

    def __init__(self, app: MailApplication, notifier: Notifier) -> None:
        super().__init__(app)
        self.notifier = notifier

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        # Every notice is worked out before any is sent: a refused message fails the batch
        # before its neighbours' notices went out, so their replay sends them once.
        notices = [await asyncio.to_thread(self._notice, envelope) for envelope in envelopes]
        for notice in notices:
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
        contact = unit_of_site(self.app.directory(e.site_id), unit, e)
        return Notification(
            site_id=str(e.site_id), unit=unit, to_name=person or contact.get("contact_name"),
            to_email=contact.get("contact_email"), subject=subject,
            body=f"{subject}. Unit {unit}.", urgent=urgent,
            correlation_id=envelope.correlation_id,
        )  # fmt: skip


def unit_of_site(directory: MailDirectory, unit: str, e: Any) -> dict[str, Any]:
    """The directory entry of the unit an event names, at the event's site.

    Mail is received and resolved only for units in the site's directory, and a front
    desk names only its own site's units as hosts once the site has a directory (entries
    are never removed): a unit that is not there was never this site's, and nobody is
    notified. A visit at a site without a directory yet has no roster to check and no
    contact to give.
    """
    if isinstance(e, visitor_events.HostNotified) and not directory.units:
        return {}
    entry = directory.units.get(unit)
    if entry is None:
        raise ForeignSiteReference(
            f"{type(e).__name__} of site {e.site_id} names unit {unit}, which is not in"
            " that site's directory"
        )
    return entry


class DirectoryFromTenancy(CommandReaction[MailApplication]):
    """The mail directory follows the tenancy roster (`concierge.tenancy.v1`): a move-in
    enters the unit with its tenant and contact, a change of details updates them, a
    move-out marks the unit moved out with the forwarding address the tenant left, so the
    sweep forwards their mail there (or archives it after the lookup days)."""

    name = "mail_directory_from_tenancy"

    async def apply_batch(self, conn: asyncpg.Connection, envelopes: list[Envelope]) -> None:
        for envelope in envelopes:
            fields = directory_fields(envelope.data)
            if fields is not None:
                e: Any = envelope.data
                await asyncio.to_thread(
                    self.app.follow_tenant, e.site_id, e.unit, fields, envelope.correlation_id
                )


def directory_fields(e: Any) -> dict[str, Any] | None:
    """A unit's directory entry as a tenancy event sets it, or None for other events."""
    match e:
        case tenancy_events.TenantMovedIn() | tenancy_events.TenantDetailsChanged():
            return {
                "company": e.name_zh if e.kind is tenancy_events.TenantKind.COMPANY else None,
                "contact_name": e.contact.name, "contact_email": e.contact.email,
                **({"moved_out": False, "forwarding_address": None}
                   if isinstance(e, tenancy_events.TenantMovedIn) else {}),
            }  # fmt: skip
        case tenancy_events.TenantMovedOut():
            return {"moved_out": True, "forwarding_address": e.forwarding_address}
    return None
