"""Front-desk domain: visits, the watchlist and switchboard messages (no I/O).

Rules cited from DOMAIN.md "Visitor (front desk)".
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import CorrelatedAggregate, SiteAggregate
from runtime.errors import Conflict, Invalid


class VisitStatus(StrEnum):
    EXPECTED = "expected"  # pre-registered by the host, not yet arrived
    AWAITING_HOST = "awaiting_host"  # unannounced, the desk is asking the host
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    DENIED = "denied"


class UnitStanding(StrEnum):
    """What the site's roster (the mail directory's units) says of a unit named at the desk."""

    NO_ROSTER = "no_roster"  # the site has no directory yet: nothing to check against
    LISTED = "listed"
    MOVED_OUT = "moved_out"
    NOT_LISTED = "not_listed"


def require_unit_of_site(unit: str, standing: UnitStanding, field: str) -> None:
    """A host (or a message's addressee) is a unit of the visit's own site, with a tenant.

    DOMAIN.md, cross-context flows: "every id it carries belongs to the same site", and
    "Tenant moved in/out -> mail directory, visitor hosts". Until a site has a directory
    the desk has no roster to hold its units to.
    """
    if standing == UnitStanding.NOT_LISTED:
        raise Invalid(f"unit {unit} is not a unit of this site", field=field)
    if standing == UnitStanding.MOVED_OUT:
        raise Invalid(f"the tenant of unit {unit} has moved out", field=field)


class Visit(SiteAggregate):
    """One visitor's (or party's) visit to a host at a site."""

    @event("Registered")
    def __init__(
        self,
        site_id: UUID,
        visitor_name: str,
        visitor_company: str | None,
        host_unit: str,
        host_name: str,
        purpose: str,
        party_size: int,
        pre_registered: bool,
        expected_from: datetime | None,
        expected_until: datetime | None,
        id_checked: bool,
        id_type: str | None,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.visitor_name = visitor_name
        self.visitor_company = visitor_company
        self.host_unit = host_unit
        self.host_name = host_name
        self.purpose = purpose
        self.party_size = party_size
        self.pre_registered = pre_registered
        self.expected_from = expected_from
        self.expected_until = expected_until
        self.id_checked = id_checked
        self.id_type = id_type
        self.registered_at = at
        self.status = VisitStatus.EXPECTED if pre_registered else VisitStatus.AWAITING_HOST
        self.checked_in_at: datetime | None = None
        self.checked_out_at: datetime | None = None
        self.overstayed_on: list[date] = []
        self.denial_reason: str | None = None

    @classmethod
    def pre_register(
        cls,
        *,
        site_id: UUID,
        visitor_name: str,
        visitor_company: str | None,
        host_unit: str,
        host_name: str,
        purpose: str,
        party_size: int,
        expected_from: datetime,
        expected_until: datetime,
        at: datetime,
    ) -> Visit:
        """Pre-registration by a host, with the expected date/time window."""
        if expected_until <= expected_from:
            raise Invalid("expected_until must be after expected_from", field="expected_until")
        return cls(
            site_id=site_id,
            visitor_name=visitor_name,
            visitor_company=visitor_company,
            host_unit=host_unit,
            host_name=host_name,
            purpose=purpose,
            party_size=party_size,
            pre_registered=True,
            expected_from=expected_from,
            expected_until=expected_until,
            id_checked=False,
            id_type=None,
            at=at,
        )

    @classmethod
    def arrive_unannounced(
        cls,
        *,
        site_id: UUID,
        visitor_name: str,
        visitor_company: str | None,
        host_unit: str,
        host_name: str,
        purpose: str,
        party_size: int,
        id_checked: bool,
        id_type: str | None,
        at: datetime,
    ) -> Visit:
        """Unannounced visitor: the desk asks the host first (the host may decline)."""
        visit = cls(
            site_id=site_id,
            visitor_name=visitor_name,
            visitor_company=visitor_company,
            host_unit=host_unit,
            host_name=host_name,
            purpose=purpose,
            party_size=party_size,
            pre_registered=False,
            expected_from=None,
            expected_until=None,
            id_checked=id_checked,
            id_type=id_type,
            at=at,
        )
        visit._notify_host(reason="approval_requested", at=at)
        return visit

    def _notify_host(self, reason: str, at: datetime) -> None:
        self._host_notified(
            reason=reason, host_unit=self.host_unit, host_name=self.host_name, at=at
        )

    @event("HostNotified")
    def _host_notified(self, reason: str, host_unit: str, host_name: str, at: datetime) -> None:
        self.host_notified_at = at

    def _facts(self) -> dict[str, Any]:
        """What a check-in event carries so consumers need no earlier event."""
        return {
            "visitor_name": self.visitor_name,
            "visitor_company": self.visitor_company,
            "host_unit": self.host_unit,
            "host_name": self.host_name,
            "purpose": self.purpose,
            "party_size": self.party_size,
            "pre_registered": self.pre_registered,
        }

    def check_in(self, *, id_checked: bool, id_type: str | None, at: datetime) -> None:
        """A pre-registered visitor arrives: check in, then the host is notified."""
        if self.status != VisitStatus.EXPECTED:
            raise Conflict(f"visit is {self.status}; only an expected visit can check in")
        self._checked_in(**self._facts(), id_checked=id_checked, id_type=id_type, at=at)
        self._notify_host(reason="arrival", at=at)

    def host_decides(self, *, approve: bool, reason: str | None, at: datetime) -> None:
        """The host answers the desk's call: approve checks the visitor in, decline denies."""
        if self.status != VisitStatus.AWAITING_HOST:
            raise Conflict(f"visit is {self.status}; the host was not asked")
        if approve:
            self._checked_in(
                **self._facts(), id_checked=self.id_checked, id_type=self.id_type, at=at
            )
        else:
            self._denied(reason=f"host declined: {reason}" if reason else "host declined", at=at)

    def deny(self, *, reason: str, at: datetime) -> None:
        """The desk turns the visitor away (no ID, wrong host, ...)."""
        if self.status not in (VisitStatus.EXPECTED, VisitStatus.AWAITING_HOST):
            raise Conflict(f"visit is {self.status}; only a visit not yet in can be denied")
        self._denied(reason=reason, at=at)

    @event("CheckedIn")
    def _checked_in(
        self,
        visitor_name: str,
        visitor_company: str | None,
        host_unit: str,
        host_name: str,
        purpose: str,
        party_size: int,
        pre_registered: bool,
        id_checked: bool,
        id_type: str | None,
        at: datetime,
    ) -> None:
        self.status = VisitStatus.CHECKED_IN
        self.id_checked = id_checked
        self.id_type = id_type
        self.checked_in_at = at

    @event("Denied")
    def _denied(self, reason: str, at: datetime) -> None:
        self.status = VisitStatus.DENIED
        self.denial_reason = reason

    def check_out(self, *, at: datetime) -> None:
        """Check-out; only a visitor who is in the building can leave it."""
        if self.status != VisitStatus.CHECKED_IN:
            raise Conflict(f"visit is {self.status}; only a checked-in visitor can check out")
        self._checked_out(at=at)

    @event("CheckedOut")
    def _checked_out(self, at: datetime) -> None:
        self.status = VisitStatus.CHECKED_OUT
        self.checked_out_at = at

    def flag_overstay(self, *, business_date: date, at: datetime) -> bool:
        """Visitors still in the building at end of day are flagged, once per day."""
        if self.status != VisitStatus.CHECKED_IN or business_date in self.overstayed_on:
            return False
        self._overstayed(business_date=business_date, at=at)
        return True

    @event("Overstayed")
    def _overstayed(self, business_date: date, at: datetime) -> None:
        self.overstayed_on.append(business_date)


def name_key(name: str) -> str:
    """A person's name reduced for matching: case, width and spacing ignored."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(folded.split())


GROUP_SCOPE = "group"


class Watchlist(CorrelatedAggregate):
    """Per site (and one group-wide): a match blocks check-in and alerts the supervisor.

    Entries keep a name key and, when known, a keyed hash of the ID number; never the
    ID number itself.
    """

    @classmethod
    def create_id(cls, scope: str) -> UUID:
        """One watchlist per scope (a site id, or "group"), found by its scope."""
        return uuid5(NAMESPACE_URL, f"concierge:visitor:watchlist:{scope}")

    @event("Opened")
    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.entries: dict[str, dict[str, str | None]] = {}

    @event("EntryAdded")
    def add_entry(
        self, entry_id: str, name: str, id_hash: str | None, reason: str, at: datetime
    ) -> None:
        self.entries[entry_id] = {"name_key": name_key(name), "id_hash": id_hash, "reason": reason}

    def remove_entry(self, entry_id: str, at: datetime) -> None:
        if entry_id not in self.entries:
            raise Conflict("no such watchlist entry")
        self._entry_removed(entry_id=entry_id, at=at)

    @event("EntryRemoved")
    def _entry_removed(self, entry_id: str, at: datetime) -> None:
        del self.entries[entry_id]

    def match(self, name: str, id_hash: str | None) -> str | None:
        """The reason of the first entry matching this person, or None."""
        key = name_key(name)
        for entry in self.entries.values():
            if entry["name_key"] == key or (id_hash and entry["id_hash"] == id_hash):
                return entry["reason"]
        return None


class PhoneMessage(SiteAggregate):
    """A switchboard message: caller, company, phone, reason, for whom."""

    @event("Taken")
    def __init__(
        self,
        site_id: UUID,
        caller_name: str,
        caller_company: str | None,
        caller_phone: str,
        reason: str,
        for_unit: str,
        for_person: str,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.caller_name = caller_name
        self.caller_company = caller_company
        self.caller_phone = caller_phone
        self.reason = reason
        self.for_unit = for_unit
        self.for_person = for_person
        self.taken_at = at
        self.delivered_at: datetime | None = None
        self.acknowledged_by: str | None = None

    def deliver(self, *, acknowledged_by: str, at: datetime) -> None:
        """Messages are delivered once and acknowledged by the person who took them."""
        if self.delivered_at is not None:
            raise Conflict("message was already delivered")
        self._delivered(acknowledged_by=acknowledged_by, at=at)

    @event("Delivered")
    def _delivered(self, acknowledged_by: str, at: datetime) -> None:
        self.delivered_at = at
        self.acknowledged_by = acknowledged_by
