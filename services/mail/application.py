"""Mail application: the register, lookups, pickups, reminders and archives."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from contracts import mail_api as api
from runtime.clock import clock
from runtime.errors import Conflict, Invalid, NotFound
from runtime.eventstore import ServiceApplication
from runtime.settings import ServiceSettings
from runtime.sites import site_timezone
from services.mail.delivery_round import DELIVERED, DeliveryRound
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

    def plan_round(self, site_id: UUID, business_date: date, cmd: api.PlanDeliveryRound,
                   cid: str | None) -> DeliveryRound:  # fmt: skip
        """The site's round of today (once a day): each stop a unit of the directory, its
        register items awaiting pickup for that unit, which go out for delivery."""

        def command() -> DeliveryRound:
            now = clock.now()
            today = clock.today(site_timezone(site_id))
            if business_date != today:
                raise Conflict(f"a round goes out on the site's today, {today}")
            if self._round_or_none(site_id, business_date) is not None:
                raise Conflict(f"the round of {business_date} is already planned")
            round_id = DeliveryRound.create_id(site_id, business_date)
            directory, items = self.directory(site_id), []
            for n, stop in enumerate(cmd.stops):
                directory.require_unit(stop.unit, f"stops.{n}.unit")
                for item_id in stop.item_ids:
                    item = self._item_for(site_id, item_id, stop.unit, f"stops.{n}.item_ids")
                    item.take_on_round(round_id=round_id, at=now)
                    items.append(item)
            planned = DeliveryRound(
                site_id=site_id, business_date=business_date, planned_by=cmd.planned_by,
                stops=[stop.model_dump(mode="json") for stop in cmd.stops], at=now,
            )  # fmt: skip
            self.save(planned, *items)
            return planned

        return self.run(cid, command)

    def record_round_stop(self, site_id: UUID, business_date: date, cmd: api.RecordRoundStop,
                          cid: str | None) -> DeliveryRound:  # fmt: skip
        """The round at one unit: delivered (its items handed over), or nobody in (its
        items back at the desk, awaiting pickup)."""

        def command() -> DeliveryRound:
            now, delivery_round = clock.now(), self._round_or_none(site_id, business_date)
            if delivery_round is None:
                raise NotFound(f"no round on {business_date}")
            stop = delivery_round.record(unit=cmd.unit, outcome=cmd.outcome.value,
                                         delivered_by=cmd.delivered_by, at=now)  # fmt: skip
            items = [self.item(site_id, UUID(str(i))) for i in stop["item_ids"]]
            for item in items:
                if cmd.outcome.value == DELIVERED:
                    item.deliver_on_round(round_id=delivery_round.id,
                                          delivered_by=cmd.delivered_by, at=now)  # fmt: skip
                else:
                    item.leave_at_desk(round_id=delivery_round.id, at=now)
            self.save(delivery_round, *items)
            return delivery_round

        return self.run(cid, command)

    def _item_for(self, site_id: UUID, item_id: UUID, unit: str, field: str) -> MailItem:
        try:
            item = self.item(site_id, item_id)
        except NotFound:
            raise Invalid(f"item {item_id} is not in this site's register", field=field) from None
        if item.recipient_unit != unit:
            raise Invalid(f"item {item_id} is for unit {item.recipient_unit}, not {unit}",
                          field=field)  # fmt: skip
        return item

    def _round_or_none(self, site_id: UUID, business_date: date) -> DeliveryRound | None:
        try:
            found = self.repository.get(DeliveryRound.create_id(site_id, business_date))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, DeliveryRound) and found.site_id == site_id else None

    def delivery_round(self, site_id: UUID, business_date: date) -> DeliveryRound:
        found = self._round_or_none(site_id, business_date)
        if found is None:
            raise NotFound(f"no round on {business_date}")
        return found

    def item(self, site_id: UUID, item_id: UUID) -> MailItem:
        return self.load_at_site(item_id, site_id, MailItem, "mail item")

    def directory(self, site_id: UUID) -> MailDirectory:
        try:
            return self.repository.get(MailDirectory.create_id(site_id))  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return MailDirectory(site_id=site_id)
