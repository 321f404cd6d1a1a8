"""The mail room: register, notice, pickup by signature, unknown recipients (no I/O).

Rules cited from DOMAIN.md "Mail and parcels". Items are never opened, read or lent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid


class ItemStatus(StrEnum):
    PENDING_LOOKUP = "pending_lookup"  # recipient unknown; customer service looks it up
    AWAITING_PICKUP = "awaiting_pickup"
    COLLECTED = "collected"
    ARCHIVED = "archived"
    OUT_FOR_DELIVERY = "out_for_delivery"  # on the day's round to its unit
    DELIVERED = "delivered"  # handed over at the unit on the round


class MailItem(SiteAggregate):
    """One item in the register, from intake to pickup (or archive)."""

    @event("Received")
    def __init__(
        self,
        site_id: UUID,
        kind: str,
        carrier: str | None,
        tracking_number: str | None,
        recipient_unit: str | None,
        recipient_company: str | None,
        recipient_person: str | None,
        urgent: bool,
        pages: int | None,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.kind = kind
        self.urgent = urgent
        self.recipient_unit = recipient_unit
        self.recipient_person = recipient_person
        self.received_at = at
        self.status = ItemStatus.AWAITING_PICKUP if recipient_unit else ItemStatus.PENDING_LOOKUP
        self.last_notice_at: datetime | None = None
        self.reminders = 0

    @classmethod
    def receive(cls, *, addressed_to: str | None, **fields: Any) -> MailItem:
        """Log the item; a known recipient is notified at once (urgent items flagged), an
        unknown one is marked for lookup."""
        item = cls(**fields)
        if item.recipient_unit:
            item._notify(item.received_at)
        else:
            item._recipient_unknown(addressed_to=addressed_to or "", at=item.received_at)
        return item

    @event("RecipientUnknown")
    def _recipient_unknown(self, addressed_to: str, at: datetime) -> None:
        self.status = ItemStatus.PENDING_LOOKUP

    def _notify(self, at: datetime) -> None:
        assert self.recipient_unit is not None  # notified only once the recipient is known
        self._notified(recipient_unit=self.recipient_unit, recipient_person=self.recipient_person,
                       urgent=self.urgent, kind=self.kind, at=at)  # fmt: skip

    @event("RecipientNotified")
    def _notified(self, recipient_unit: str, recipient_person: str | None, urgent: bool,
                  kind: str, at: datetime) -> None:  # fmt: skip
        self.last_notice_at = at

    def resolve_recipient(self, *, unit: str, company: str | None, person: str | None,
                          resolved_by: str, at: datetime) -> None:  # fmt: skip
        """Customer service finds the recipient; the recipient is then notified."""
        if self.status != ItemStatus.PENDING_LOOKUP:
            raise Conflict(f"item is {self.status}; only an item pending lookup is resolved")
        self._resolved(recipient_unit=unit, recipient_company=company, recipient_person=person,
                       resolved_by=resolved_by, at=at)  # fmt: skip
        self._notify(at)

    @event("RecipientResolved")
    def _resolved(
        self,
        recipient_unit: str,
        recipient_company: str | None,
        recipient_person: str | None,
        resolved_by: str,
        at: datetime,
    ) -> None:
        self.status = ItemStatus.AWAITING_PICKUP
        self.recipient_unit = recipient_unit
        self.recipient_person = recipient_person

    def remind(self, *, interval: timedelta, at: datetime) -> bool:
        """Remind the recipient of an item not collected after the site's interval."""
        if self.status != ItemStatus.AWAITING_PICKUP:
            return False
        if self.last_notice_at is not None and at - self.last_notice_at < interval:
            return False
        assert self.recipient_unit is not None  # awaiting pickup: the recipient is known
        self._reminded(recipient_unit=self.recipient_unit, reminder=self.reminders + 1, at=at)
        return True

    @event("ReminderSent")
    def _reminded(self, recipient_unit: str, reminder: int, at: datetime) -> None:
        self.reminders = reminder
        self.last_notice_at = at

    def collect(self, *, signed_by: str, on_behalf_of: str | None, at: datetime,
                consent_phone: str | None = None,
                consent_given_at: datetime | None = None) -> None:  # fmt: skip
        """Pickup needs a signature: the recipient's, or a named proxy's. A proxy signs only
        once the recipient agreed by phone, before the pickup (seed 002: "对于收件客户本人
        不在的快件而需由他人代签的, ... 必须打电话征得收件本人的同意")."""
        if self.status == ItemStatus.COLLECTED:
            raise Conflict("item was already collected")
        if self.status != ItemStatus.AWAITING_PICKUP:
            raise Conflict(f"item is {self.status}; it cannot be collected")
        consented = consent_phone is not None and consent_given_at is not None
        if on_behalf_of is None and consented:
            raise Invalid("a phone consent is for a proxy pickup: name on_behalf_of",
                          field="on_behalf_of")  # fmt: skip
        if on_behalf_of is not None:
            if not consented:
                raise Invalid("a proxy signs only with the recipient's consent by phone",
                              field="phone_consent")  # fmt: skip
            assert consent_phone is not None and consent_given_at is not None
            if consent_given_at > at:
                raise Invalid("the recipient's consent comes before the pickup",
                              field="phone_consent")  # fmt: skip
            self._proxy_consented(recipient=on_behalf_of, phone=consent_phone,
                                  given_at=consent_given_at, at=at)  # fmt: skip
        self._collected(signed_by=signed_by, by_proxy=on_behalf_of is not None,
                        on_behalf_of=on_behalf_of, at=at)  # fmt: skip

    @event("ProxyConsented")
    def _proxy_consented(self, recipient: str, phone: str, given_at: datetime,
                         at: datetime) -> None:  # fmt: skip
        self.proxy_consent = {"phone": phone, "given_at": given_at}

    @event("Collected")
    def _collected(self, signed_by: str, by_proxy: bool, on_behalf_of: str | None,
                   at: datetime) -> None:  # fmt: skip
        self.status = ItemStatus.COLLECTED

    def take_on_round(self, *, round_id: UUID, at: datetime) -> None:
        """An item awaiting pickup goes out on the day's round to its own unit (seed 000:
        "根據郵件收件人信息,及時將郵件分類整理,並送至相應部門或人員手中")."""
        if self.status != ItemStatus.AWAITING_PICKUP:
            raise Conflict(f"item {self.id} is {self.status}; only an item awaiting pickup"
                           " goes on a round")  # fmt: skip
        assert self.recipient_unit is not None  # awaiting pickup: the recipient is known
        self._out_for_delivery(round_id=round_id, recipient_unit=self.recipient_unit, at=at)

    @event("OutForDelivery")
    def _out_for_delivery(self, round_id: UUID, recipient_unit: str, at: datetime) -> None:
        self.status = ItemStatus.OUT_FOR_DELIVERY

    def deliver_on_round(self, *, round_id: UUID, delivered_by: str, at: datetime) -> None:
        """Handed over at its unit on the round, by `delivered_by` (the register's signer)."""
        assert self.status == ItemStatus.OUT_FOR_DELIVERY and self.recipient_unit is not None
        self._delivered(round_id=round_id, recipient_unit=self.recipient_unit,
                        delivered_by=delivered_by, at=at)  # fmt: skip

    @event("DeliveredToUnit")
    def _delivered(self, round_id: UUID, recipient_unit: str, delivered_by: str,
                   at: datetime) -> None:  # fmt: skip
        self.status = ItemStatus.DELIVERED

    def leave_at_desk(self, *, round_id: UUID, at: datetime) -> None:
        """Nobody in at the unit: the item is back at the desk, awaiting pickup (seed 002:
        "对于当班次未派送成功的快件 ... 作留仓件")."""
        assert self.status == ItemStatus.OUT_FOR_DELIVERY and self.recipient_unit is not None
        self._left_at_desk(round_id=round_id, recipient_unit=self.recipient_unit, at=at)

    @event("LeftAtDesk")
    def _left_at_desk(self, round_id: UUID, recipient_unit: str, at: datetime) -> None:
        self.status = ItemStatus.AWAITING_PICKUP

    def archive(self, *, reason: str, forwarded_to: str | None, at: datetime) -> None:
        """Moved-out tenants' items are forwarded or archived; a collected item is done."""
        if self.status not in (ItemStatus.PENDING_LOOKUP, ItemStatus.AWAITING_PICKUP):
            raise Conflict(f"item is {self.status}; it cannot be archived")
        if reason == "forwarded" and not forwarded_to:
            raise Invalid("a forwarded item needs the address", field="forwarded_to")
        self._archived(reason=reason, forwarded_to=forwarded_to, at=at)

    def archive_if_unresolved(self, *, lookup: timedelta, at: datetime) -> bool:
        """Still unresolved after the lookup days (3 by default): archived."""
        if self.status != ItemStatus.PENDING_LOOKUP or at - self.received_at < lookup:
            return False
        self._archived(reason="unresolved", forwarded_to=None, at=at)
        return True

    def archive_after_move_out(
        self, *, lookup: timedelta, at: datetime, forwarding_address: str | None = None
    ) -> bool:
        """DOMAIN.md "Tenant moved out -> forwarded or archived after 3 days": an item for a
        tenant who left a forwarding address at the move-out is forwarded there at once;
        otherwise it is archived once the lookup days have passed."""
        if self.status != ItemStatus.AWAITING_PICKUP:
            return False
        if forwarding_address is not None:
            self._archived(reason="forwarded", forwarded_to=forwarding_address, at=at)
            return True
        if at - self.received_at < lookup:
            return False
        self._archived(reason="moved_out", forwarded_to=None, at=at)
        return True

    @event("Archived")
    def _archived(self, reason: str, forwarded_to: str | None, at: datetime) -> None:
        self.status = ItemStatus.ARCHIVED


class RefusedDelivery(SiteAggregate):
    """An item a courier brought that the desk refused to sign for, with the reason and
    the time, signed by who refused it (seed 002: "拒绝签收的, 验收人应在快递运单等有效单据
    上注明拒收的原因和时间, 并签名"). It never enters the desk's keeping."""

    @event("Refused")
    def __init__(self, site_id: UUID, kind: str, carrier: str, tracking_number: str | None,
                 recipient_unit: str | None, addressed_to: str | None, reason: str,
                 refused_by: str, at: datetime) -> None:  # fmt: skip
        self.site_id = site_id
        self.kind = kind
        self.carrier = carrier
        self.tracking_number = tracking_number
        self.recipient_unit = recipient_unit
        self.addressed_to = addressed_to
        self.reason = reason
        self.refused_by = refused_by
        self.refused_at = at


class MailDirectory(SiteAggregate):
    """Per site: the units mail is delivered to, their contacts, and who moved out."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:mail:directory:{site_id}")

    @event("Opened")
    def __init__(self, site_id: UUID, reminder_hours: int = 24, lookup_days: int = 3) -> None:
        self.site_id = site_id
        self.units: dict[str, dict[str, Any]] = {}
        self.reminder_hours = reminder_hours
        self.lookup_days = lookup_days

    @event("Updated")
    def update(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            self.units[entry["unit"]] = entry

    @event("Configured")
    def configure(self, reminder_hours: int, lookup_days: int) -> None:
        self.reminder_hours = reminder_hours
        self.lookup_days = lookup_days

    def moved_out(self) -> set[str]:
        return {unit for unit, entry in self.units.items() if entry.get("moved_out")}

    def follow_tenant(self, unit: str, **fields: Any) -> bool:
        """The directory follows the tenancy roster: a unit's entry changed as the tenancy
        context published it (tenant, contact, moved out, forwarding address). False when
        the entry is already so (a redelivered event changes nothing)."""
        entry = {**self.units.get(unit, {"unit": unit, "moved_out": False}), **fields}
        if self.units.get(unit) == entry:
            return False
        self.update(entries=[entry])
        return True

    def forwarding_address(self, unit: str) -> str | None:
        """Where a moved-out tenant's mail goes, if they left an address."""
        entry = self.units.get(unit) or {}
        return entry.get("forwarding_address") if entry.get("moved_out") else None

    def require_unit(self, unit: str, field: str) -> dict[str, Any]:
        """Mail goes only to units of the site; an unknown unit is refused."""
        entry = self.units.get(unit)
        if entry is None:
            raise Invalid(f"unit {unit} is not in this site's directory", field=field)
        return entry
