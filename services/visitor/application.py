"""Visitor application: front-desk commands against the event store."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from contracts import visitor_api as api
from runtime.clock import clock
from runtime.errors import Conflict, NotFound
from runtime.settings import ServiceSettings
from runtime.sites import site_timezone
from services.visitor.building_notice import BuildingNotice
from services.visitor.building_services import BuildingServiceDesk
from services.visitor.call_register import CallRecord
from services.visitor.desk_day import DeskDay
from services.visitor.domain import (
    GROUP_SCOPE,
    PhoneMessage,
    UnitStanding,
    Visit,
    Watchlist,
    require_unit_of_site,
)
from services.visitor.luggage import LuggageTag
from services.visitor.reception_standard import ReceptionStandard
from services.visitor.vip_reception import VipReception
from services.visitor.watchlist_alert import WatchlistAlert


class VisitorSettings(ServiceSettings):
    visitor_grpc_port: int = 50061
    # Key for hashing ID numbers compared against the watchlist (never stored in clear).
    visitor_id_hash_key: str = "concierge-local-id-hash-key"


class VisitorApplication(BuildingServiceDesk):
    """The desk's commands; the building services' come from `BuildingServiceDesk`."""

    name = "visitor"

    def __init__(self, settings: VisitorSettings) -> None:
        super().__init__(settings, settings.schema_name("visitor"))
        self._id_key = settings.visitor_id_hash_key.encode()

    # -- visits -------------------------------------------------------------------------

    def pre_register(self, site_id: UUID, cmd: api.PreRegisterVisit, host: UnitStanding,
                     correlation_id: str) -> Visit:  # fmt: skip
        """`host`: what the site's roster says of the host unit."""

        def command() -> Visit:
            require_unit_of_site(cmd.host_unit, host, "host_unit")
            visit = Visit.pre_register(
                site_id=site_id,
                visitor_name=cmd.visitor_name,
                visitor_company=cmd.visitor_company,
                host_unit=cmd.host_unit,
                host_name=cmd.host_name,
                purpose=cmd.purpose,
                party_size=cmd.party_size,
                expected_from=cmd.expected_from,
                expected_until=cmd.expected_until,
                at=clock.now(),
            )
            self.save(visit)
            return visit

        return self.run(correlation_id, command)

    def register_arrival(self, site_id: UUID, cmd: api.RegisterArrival, host: UnitStanding,
                         correlation_id: str) -> Visit:  # fmt: skip
        def command() -> Visit:
            require_unit_of_site(cmd.host_unit, host, "host_unit")
            self._refuse_watchlisted(site_id, cmd.visitor_name, cmd.id_number, cmd.host_unit)
            visit = Visit.arrive_unannounced(
                site_id=site_id,
                visitor_name=cmd.visitor_name,
                visitor_company=cmd.visitor_company,
                host_unit=cmd.host_unit,
                host_name=cmd.host_name,
                purpose=cmd.purpose,
                party_size=cmd.party_size,
                id_checked=cmd.id_checked,
                id_type=cmd.id_type.value if cmd.id_type else None,
                at=clock.now(),
            )
            self.save(visit)
            return visit

        return self.run(correlation_id, command)

    def check_in(
        self, site_id: UUID, visit_id: UUID, cmd: api.CheckIn, correlation_id: str
    ) -> Visit:
        def change(visit: Visit) -> None:
            self._refuse_watchlisted(
                site_id, visit.visitor_name, cmd.id_number, visit.host_unit, visit.id
            )
            visit.check_in(
                id_checked=cmd.id_checked,
                id_type=cmd.id_type.value if cmd.id_type else None,
                at=clock.now(),
            )

        return self._on_visit(site_id, visit_id, correlation_id, change)

    def host_decides(
        self, site_id: UUID, visit_id: UUID, cmd: api.HostDecision, correlation_id: str
    ) -> Visit:
        return self._on_visit(
            site_id, visit_id, correlation_id,
            lambda v: v.host_decides(approve=cmd.approve, reason=cmd.reason, at=clock.now()),
        )  # fmt: skip

    def deny(self, site_id: UUID, visit_id: UUID, cmd: api.DenyVisit, correlation_id: str) -> Visit:
        return self._on_visit(
            site_id, visit_id, correlation_id, lambda v: v.deny(reason=cmd.reason, at=clock.now())
        )

    def check_out(self, site_id: UUID, visit_id: UUID, correlation_id: str) -> Visit:
        return self._on_visit(
            site_id, visit_id, correlation_id, lambda v: v.check_out(at=clock.now())
        )

    def _on_visit(
        self, site_id: UUID, visit_id: UUID, correlation_id: str, change: Callable[[Visit], None]
    ) -> Visit:
        """Load a visit of the site, apply one change, save it; the saved visit."""

        def command() -> Visit:
            visit = self.visit(site_id, visit_id)
            change(visit)
            self.save(visit)
            return visit

        return self.run(correlation_id, command)

    def flag_overstays(
        self, site_id: UUID, visit_ids: list[UUID], business_date: date, correlation_id: str
    ) -> int:
        """Flag each still-checked-in visit of `visit_ids`; saved in one transaction."""

        def command() -> int:
            now = clock.now()
            flagged = [
                visit
                for visit in (self.visit(site_id, visit_id) for visit_id in visit_ids)
                if visit.flag_overstay(business_date=business_date, at=now)
            ]
            if flagged:
                self.save(*flagged)
            return len(flagged)

        return self.run(correlation_id, command)

    def visit(self, site_id: UUID, visit_id: UUID) -> Visit:
        return self.load_at_site(visit_id, site_id, Visit, "visit")

    # -- watchlist ----------------------------------------------------------------------

    def add_watchlist_entry(
        self, site_id: UUID, cmd: api.AddWatchlistEntry, correlation_id: str
    ) -> str:
        scope = GROUP_SCOPE if cmd.scope == api.WatchlistScope.GROUP else str(site_id)

        def command() -> str:
            watchlist = self._watchlist(scope) or Watchlist(scope=scope)
            entry_id = str(uuid4())
            watchlist.add_entry(
                entry_id=entry_id,
                name=cmd.name,
                id_hash=self._id_hash(cmd.id_number),
                reason=cmd.reason,
                at=clock.now(),
            )
            self.save(watchlist)
            return entry_id

        # The first two entries of a scope at once both open its watchlist: the loser
        # runs again and adds to it instead of answering "changed at the same time".
        return self.run(correlation_id, command, retries=3)

    def _watchlist(self, scope: str) -> Watchlist | None:
        try:
            return self.repository.get(Watchlist.create_id(scope))  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return None

    def _refuse_watchlisted(self, site_id: UUID, name: str, id_number: str | None,
                            host_unit: str, visit_id: UUID | None = None) -> None:  # fmt: skip
        """A watchlist match (site or group-wide) blocks check-in and alerts the site's
        supervisor, and the group's for a group-wide entry. The alert is saved on its own:
        the refused command itself stores nothing."""
        id_hash = self._id_hash(id_number)
        matched = {
            scope
            for scope in (str(site_id), GROUP_SCOPE)
            if (watchlist := self._watchlist(scope)) and watchlist.match(name, id_hash)
        }
        if matched:
            alert = WatchlistAlert.raise_for(
                site_id=site_id, group_wide=GROUP_SCOPE in matched, visitor_name=name,
                host_unit=host_unit, visit_id=visit_id, at=clock.now(),
            )  # fmt: skip
            self.save(alert)
            raise Conflict(
                "visitor matches the watchlist; check-in blocked, the supervisor is alerted",
                field="visitor_name",
            )

    def acknowledge_watchlist_alert(self, site_id: UUID, alert_id: UUID,
                                    cmd: api.AcknowledgeWatchlistAlert,
                                    correlation_id: str) -> WatchlistAlert:  # fmt: skip
        def command() -> WatchlistAlert:
            alert = self.watchlist_alert(site_id, alert_id)
            alert.acknowledge(
                acknowledged_by=cmd.acknowledged_by, action=cmd.action, at=clock.now()
            )
            self.save(alert)
            return alert

        return self.run(correlation_id, command)

    def watchlist_alert(self, site_id: UUID, alert_id: UUID) -> WatchlistAlert:
        return self.load_at_site(alert_id, site_id, WatchlistAlert, "watchlist alert")

    def _id_hash(self, id_number: str | None) -> str | None:
        if not id_number:
            return None
        normalised = "".join(id_number.split()).upper().encode()
        return hmac.new(self._id_key, normalised, hashlib.sha256).hexdigest()

    # -- switchboard --------------------------------------------------------------------

    def take_phone_message(self, site_id: UUID, cmd: api.TakePhoneMessage, addressee: UnitStanding,
                           correlation_id: str) -> UUID:  # fmt: skip
        def command() -> UUID:
            require_unit_of_site(cmd.for_unit, addressee, "for_unit")
            message = PhoneMessage(
                site_id=site_id,
                caller_name=cmd.caller_name,
                caller_company=cmd.caller_company,
                caller_phone=cmd.caller_phone,
                reason=cmd.reason,
                for_unit=cmd.for_unit,
                for_person=cmd.for_person,
                at=clock.now(),
            )
            self.save(message)
            return message.id

        return self.run(correlation_id, command)

    def deliver_phone_message(
        self, site_id: UUID, message_id: UUID, cmd: api.DeliverPhoneMessage, correlation_id: str
    ) -> None:
        def command() -> None:
            message = self.load_at_site(message_id, site_id, PhoneMessage, "phone message")
            message.deliver(acknowledged_by=cmd.acknowledged_by, at=clock.now())
            self.save(message)

        self.run(correlation_id, command)

    # -- call register ------------------------------------------------------------------

    def record_call(self, site_id: UUID, cmd: api.RecordCall, correlation_id: str) -> CallRecord:
        def command() -> CallRecord:
            call = CallRecord.answer(
                site_id=site_id,
                caller_name=cmd.caller_name,
                caller_company=cmd.caller_company,
                caller_number=cmd.caller_number,
                reason=cmd.reason,
                category=cmd.category.value,
                important=cmd.important,
                passed_to=cmd.passed_to,
                at=clock.now(),
            )
            self.save(call)
            return call

        return self.run(correlation_id, command)

    def on_call(self, site_id: UUID, call_id: UUID, correlation_id: str,
                change: Callable[[CallRecord], None]) -> CallRecord:  # fmt: skip
        """Load a call of the site, apply one step (sign for, follow up, complete), save."""
        return self.change_at_site(correlation_id, call_id, site_id, CallRecord, "call", change)

    def call(self, site_id: UUID, call_id: UUID) -> CallRecord:
        return self.load_at_site(call_id, site_id, CallRecord, "call")

    # -- the desk's day -----------------------------------------------------------------

    def open_desk(self, site_id: UUID, day: date, cmd: api.OpenDesk,
                  correlation_id: str) -> DeskDay:  # fmt: skip
        def command() -> DeskDay:
            self._require_begun(site_id, day)
            if (opened := self._desk_day(site_id, day)) is not None:
                raise Conflict(f"the desk was opened already by {opened.opened_by}")
            desk_day = DeskDay.open(
                site_id=site_id,
                business_date=day,
                opened_by=cmd.opened_by,
                checks=cmd.checks.model_dump(),
                note=cmd.note,
                at=clock.now(),
            )
            self.save(desk_day)
            return desk_day

        return self.run(correlation_id, command)

    def on_desk_day(self, site_id: UUID, day: date, correlation_id: str,
                    change: Callable[[DeskDay], None]) -> DeskDay:  # fmt: skip
        """Load an opened desk day of the site, apply one step, save it."""

        def command() -> DeskDay:
            desk_day = self._desk_day(site_id, day)
            if desk_day is None:
                raise Conflict(f"the desk is not opened for {day}; open it with its checks first")
            change(desk_day)
            self.save(desk_day)
            return desk_day

        return self.run(correlation_id, command)

    def desk_day(self, site_id: UUID, day: date) -> DeskDay:
        desk_day = self._desk_day(site_id, day)
        if desk_day is None:
            raise NotFound(f"no desk day {day} at this site")
        return desk_day

    def carried_over(self, site_id: UUID, day: date) -> list[str]:
        """What the day before closed with for `day` (seed 002: "合理做好第二天的工作安排")."""
        before = self._desk_day(site_id, day - timedelta(days=1))
        return list(before.for_tomorrow) if before else []

    def _desk_day(self, site_id: UUID, day: date) -> DeskDay | None:
        try:
            desk_day: DeskDay = self.repository.get(DeskDay.create_id(site_id, day))
        except AggregateNotFoundError:
            return None
        return desk_day

    @staticmethod
    def _require_begun(site_id: UUID, day: date) -> None:
        """A desk day is opened on or after its date in the site's zone, never ahead."""
        if day > clock.today(site_timezone(site_id)):
            raise Conflict(f"{day} has not begun at this site")

    # -- VIP reception ------------------------------------------------------------------

    def plan_vip_reception(self, site_id: UUID, cmd: api.PlanVipReception, host: UnitStanding,
                           correlation_id: str) -> tuple[VipReception, Visit]:  # fmt: skip
        """Pre-register the visit and plan its reception, saved together."""

        def command() -> tuple[VipReception, Visit]:
            require_unit_of_site(cmd.host_unit, host, "host_unit")
            now = clock.now()
            visit = Visit.pre_register(
                site_id=site_id,
                visitor_name=cmd.visitor_name,
                visitor_company=cmd.visitor_company,
                host_unit=cmd.host_unit,
                host_name=cmd.host_name,
                purpose=cmd.purpose,
                party_size=cmd.party_size,
                expected_from=cmd.expected_from,
                expected_until=cmd.expected_until,
                at=now,
            )
            reception = VipReception.plan(
                site_id=site_id,
                visit_id=visit.id,
                guest_name=cmd.visitor_name,
                guest_company=cmd.visitor_company,
                host_unit=cmd.host_unit,
                host_name=cmd.host_name,
                expected_from=cmd.expected_from,
                level=cmd.level.value,
                escorts=cmd.escorts,
                meeting_room=cmd.meeting_room,
                room_setup=[item.value for item in cmd.room_setup],
                pickup_place=cmd.pickup.place if cmd.pickup else None,
                pickup_at=cmd.pickup.at if cmd.pickup else None,
                at=now,
            )
            self.save(visit, reception)
            return reception, visit

        return self.run(correlation_id, command)

    def confirm_vip_reception(self, site_id: UUID, visit_id: UUID, cmd: api.ConfirmVipReception,
                              correlation_id: str) -> tuple[VipReception, Visit]:  # fmt: skip
        def command() -> tuple[VipReception, Visit]:
            reception = self.vip_reception(site_id, visit_id)
            reception.confirm(
                confirmed_by=cmd.confirmed_by, confirmed_with=cmd.confirmed_with, at=clock.now()
            )
            self.save(reception)
            return reception, self.visit(site_id, visit_id)

        return self.run(correlation_id, command)

    def vip_reception(self, site_id: UUID, visit_id: UUID) -> VipReception:
        return self.load_at_site(
            VipReception.create_id(visit_id), site_id, VipReception, "VIP reception"
        )

    # -- luggage held at the desk -------------------------------------------------------

    def deposit_luggage(self, site_id: UUID, cmd: api.DepositLuggage,
                        correlation_id: str) -> LuggageTag:  # fmt: skip
        def command() -> LuggageTag:
            tag = self._luggage_tag(site_id, cmd.tag) or LuggageTag(site_id=site_id, tag=cmd.tag)
            tag.deposit(owner_name=cmd.owner_name, pieces=cmd.pieces,
                        description=cmd.description, deposited_by=cmd.deposited_by,
                        at=clock.now())  # fmt: skip
            self.save(tag)
            return tag

        # Two first deposits under one new tag: the loser runs again and finds it held.
        return self.run(correlation_id, command, retries=1)

    def collect_luggage(self, site_id: UUID, tag: str, cmd: api.CollectLuggage,
                        correlation_id: str) -> LuggageTag:  # fmt: skip
        def command() -> LuggageTag:
            luggage = self.luggage_tag(site_id, tag)
            luggage.collect(collected_by=cmd.collected_by, at=clock.now())
            self.save(luggage)
            return luggage

        return self.run(correlation_id, command)

    def luggage_tag(self, site_id: UUID, tag: str) -> LuggageTag:
        """A tag of the site that has held luggage, else NotFound."""
        luggage = self._luggage_tag(site_id, tag)
        if luggage is None or luggage.last is None:
            raise NotFound(f"tag {tag} has held no luggage at this site")
        return luggage

    def _luggage_tag(self, site_id: UUID, tag: str) -> LuggageTag | None:
        try:
            luggage: LuggageTag = self.repository.get(LuggageTag.create_id(site_id, tag))
        except AggregateNotFoundError:
            return None
        return luggage

    # -- the standard reception time ----------------------------------------------------

    def set_reception_standard(self, site_id: UUID, cmd: api.SetReceptionStandard,
                               correlation_id: str) -> ReceptionStandard:  # fmt: skip
        def command() -> ReceptionStandard:
            standard = self.reception_standard(site_id)
            standard.set_minutes(minutes=cmd.standard_minutes, set_by=cmd.set_by, at=clock.now())
            self.save(standard)
            return standard

        return self.run(correlation_id, command, retries=1)

    def reception_standard(self, site_id: UUID) -> ReceptionStandard:
        """The site's standard (the default until the site sets one)."""
        try:
            standard: ReceptionStandard = self.repository.get(ReceptionStandard.create_id(site_id))
        except AggregateNotFoundError:
            return ReceptionStandard(site_id=site_id)
        return standard

    # -- building notices ---------------------------------------------------------------

    def issue_building_notice(self, site_id: UUID, cmd: api.IssueBuildingNotice,
                              correlation_id: str) -> BuildingNotice:  # fmt: skip
        def command() -> BuildingNotice:
            notice = BuildingNotice(site_id=site_id, subject=cmd.subject, content=cmd.content,
                                    issued_by=cmd.issued_by, at=clock.now())  # fmt: skip
            self.save(notice)
            return notice

        return self.run(correlation_id, command)

    def deliver_building_notice(self, site_id: UUID, notice_id: UUID,
                                cmd: api.DeliverBuildingNotice, unit: UnitStanding,
                                correlation_id: str) -> BuildingNotice:  # fmt: skip
        """`unit`: what the site's roster says of the unit told (when one is named)."""

        def command() -> BuildingNotice:
            if cmd.unit is not None:
                require_unit_of_site(cmd.unit, unit, "unit")
            notice = self.building_notice(site_id, notice_id)
            notice.tell(channel=cmd.channel.value, unit=cmd.unit, recipient=cmd.recipient,
                        by=cmd.by, at=clock.now())  # fmt: skip
            self.save(notice)
            return notice

        return self.run(correlation_id, command)

    def building_notice(self, site_id: UUID, notice_id: UUID) -> BuildingNotice:
        return self.load_at_site(notice_id, site_id, BuildingNotice, "building notice")
