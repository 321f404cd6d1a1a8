"""Mail application: the register, lookups, pickups, reminders and archives."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from contracts import mail_api as api
from runtime.clock import clock
from runtime.eventstore import ServiceApplication
from runtime.settings import ServiceSettings
from services.mail.domain import MailDirectory, MailItem, RefusedDelivery


class MailSettings(ServiceSettings):
    mail_grpc_port: int = 50065


class MailApplication(ServiceApplication):
    name = "mail"

    def __init__(self, settings: MailSettings) -> None:
        super().__init__(settings, settings.schema_name("mail"))

    def update_directory(self, site_id: UUID, cmd: api.UpdateDirectory, cid: str | None) -> int:
        def command() -> int:
            directory = self.directory(site_id)
            directory.update(entries=[entry.model_dump(mode="json") for entry in cmd.entries])
            self.save(directory)
            return len(directory.units)

        return self.run(cid, command, retries=3)

    def configure(self, site_id: UUID, cmd: api.ConfigureMail, cid: str | None) -> None:
        def command() -> None:
            directory = self.directory(site_id)
            directory.configure(reminder_hours=cmd.reminder_hours, lookup_days=cmd.lookup_days)
            self.save(directory)

        self.run(cid, command, retries=3)

    def receive(self, site_id: UUID, cmd: api.ReceiveMail, cid: str | None) -> MailItem:
        def command() -> MailItem:
            if cmd.recipient_unit is not None:
                self.directory(site_id).require_unit(cmd.recipient_unit, "recipient_unit")
            item = MailItem.receive(
                site_id=site_id, kind=cmd.kind.value, carrier=cmd.carrier,
                tracking_number=cmd.tracking_number, recipient_unit=cmd.recipient_unit,
                recipient_company=cmd.recipient_company, recipient_person=cmd.recipient_person,
                urgent=cmd.urgent, pages=cmd.pages, at=clock.now(),
                addressed_to=cmd.addressed_to,
            )  # fmt: skip
            self.save(item)
            return item

        return self.run(cid, command)

    def refuse(self, site_id: UUID, cmd: api.RefuseMail, cid: str | None) -> RefusedDelivery:
        def command() -> RefusedDelivery:
            if cmd.recipient_unit is not None:
                self.directory(site_id).require_unit(cmd.recipient_unit, "recipient_unit")
            refused = RefusedDelivery(
                site_id=site_id, kind=cmd.kind.value, carrier=cmd.carrier,
                tracking_number=cmd.tracking_number, recipient_unit=cmd.recipient_unit,
                addressed_to=cmd.addressed_to, reason=cmd.reason, refused_by=cmd.refused_by,
                at=clock.now(),
            )  # fmt: skip
            self.save(refused)
            return refused

        return self.run(cid, command)

    def resolve(self, site_id: UUID, item_id: UUID, cmd: api.ResolveRecipient, actor: str,
                cid: str | None) -> MailItem:  # fmt: skip
        def command() -> MailItem:
            self.directory(site_id).require_unit(cmd.recipient_unit, "recipient_unit")
            item = self.item(site_id, item_id)
            item.resolve_recipient(unit=cmd.recipient_unit, company=cmd.recipient_company,
                                   person=cmd.recipient_person, resolved_by=actor,
                                   at=clock.now())  # fmt: skip
            self.save(item)
            return item

        return self.run(cid, command)

    def collect(
        self, site_id: UUID, item_id: UUID, cmd: api.CollectMail, cid: str | None
    ) -> MailItem:
        def command() -> MailItem:
            item = self.item(site_id, item_id)
            consent = cmd.phone_consent
            item.collect(
                signed_by=cmd.signed_by, on_behalf_of=cmd.on_behalf_of, at=clock.now(),
                consent_phone=consent.phone if consent else None,
                consent_given_at=consent.given_at if consent else None,
            )  # fmt: skip
            self.save(item)
            return item

        return self.run(cid, command)

    def archive(
        self, site_id: UUID, item_id: UUID, cmd: api.ArchiveMail, cid: str | None
    ) -> MailItem:
        def command() -> MailItem:
            item = self.item(site_id, item_id)
            item.archive(reason=cmd.reason, forwarded_to=cmd.forwarded_to, at=clock.now())
            self.save(item)
            return item

        return self.run(cid, command)

    def sweep(self, site_id: UUID, awaiting: list[UUID], pending: list[UUID],
              cid: str | None) -> dict[str, int]:  # fmt: skip
        """Reminders for items not collected after the site's interval; items whose
        recipient is still unknown, or has moved out, are archived after the lookup days."""

        def command() -> dict[str, int]:
            now, directory = clock.now(), self.directory(site_id)
            interval = timedelta(hours=directory.reminder_hours)
            lookup = timedelta(days=directory.lookup_days)
            items: dict[Any, MailItem] = self.load_many([*awaiting, *pending])
            ours = [i for i in items.values() if i.site_id == site_id]
            moved_out = directory.moved_out()
            archived = [
                i for i in ours
                if i.archive_if_unresolved(lookup=lookup, at=now)
                or (i.recipient_unit in moved_out
                    and i.archive_after_move_out(
                        lookup=lookup, at=now,
                        forwarding_address=directory.forwarding_address(i.recipient_unit)))
            ]  # fmt: skip
            reminded = [i for i in ours if i.recipient_unit not in moved_out
                        and i.remind(interval=interval, at=now)]  # fmt: skip
            if reminded or archived:
                self.save(*reminded, *archived)
            return {"reminders": len(reminded), "archived": len(archived)}

        return self.run(cid, command, retries=3)

    def follow_tenant(self, site_id: UUID, unit: str, fields: dict[str, Any],
                      cid: str | None) -> bool:  # fmt: skip
        """One unit's directory entry changed from the tenancy roster (idempotent)."""

        def command() -> bool:
            directory = self.directory(site_id)
            changed = directory.follow_tenant(unit, **fields)
            if changed:
                self.save(directory)
            return changed

        return self.run(cid, command, retries=5)

    def item(self, site_id: UUID, item_id: UUID) -> MailItem:
        return self.load_at_site(item_id, site_id, MailItem, "mail item")

    def directory(self, site_id: UUID) -> MailDirectory:
        try:
            return self.repository.get(MailDirectory.create_id(site_id))  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return MailDirectory(site_id=site_id)
