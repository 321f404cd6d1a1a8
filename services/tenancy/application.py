"""Tenancy application: move-in, details, notice, move-out, fit-out permits and tenant
files against the event store. Every id a command names is loaded at the command's
site: another site's object answers like a missing one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from contracts import tenancy_api as api
from runtime.clock import clock
from runtime.errors import Conflict, Invalid, NotFound
from runtime.eventstore import ServiceApplication
from runtime.settings import ServiceSettings
from services.tenancy.domain import (
    FitOutPermit,
    Tenancy,
    TenancyStatus,
    TenantFile,
    UnitOccupancy,
)

A = TypeVar("A")


class TenancySettings(ServiceSettings):
    tenancy_grpc_port: int = 50066


def _dump(items: list[Any]) -> list[dict[str, Any]]:
    return [item.model_dump() for item in items]


def _details(cmd: api.TenantDetails) -> dict[str, Any]:
    return {
        "kind": cmd.kind.value, "name_zh": cmd.name_zh, "name_en": cmd.name_en,
        "contact": cmd.contact.model_dump(),
        "emergency_contact": cmd.emergency_contact.model_dump() if cmd.emergency_contact else None,
    }  # fmt: skip


class TenancyApplication(ServiceApplication):
    name = "tenancy"

    def __init__(self, settings: TenancySettings) -> None:
        super().__init__(settings, settings.schema_name("tenancy"))

    # ---------------------------------------------------------------- tenancies

    def move_in(self, site_id: UUID, cmd: api.MoveIn, cid: str | None) -> Tenancy:
        """A unit takes one tenant at a time: the tenancy and the unit's occupancy are
        saved together, so two move-ins into one unit cannot both succeed."""

        def command() -> Tenancy:
            tenancy = Tenancy.move_in(
                site_id=site_id, unit=cmd.unit, **_details(cmd), moved_in_on=cmd.moved_in_on,
                billing_starts_on=cmd.billing_starts_on, checklist=_dump(cmd.checklist),
                meter_readings=_dump(cmd.meter_readings), keys_issued=_dump(cmd.keys_issued),
                at=clock.now(),
            )  # fmt: skip
            occupancy = self._occupancy(site_id, cmd.unit)
            occupancy.occupy(tenancy.id)
            self.save(tenancy, occupancy)
            return tenancy

        return self.run(cid, command)

    def change_details(self, site_id: UUID, tenancy_id: UUID, cmd: api.TenantDetails,
                       cid: str | None) -> Tenancy:  # fmt: skip
        return self._on(self.tenancy, site_id, tenancy_id, cid,
                        lambda t: t.change_details(**_details(cmd), at=clock.now()))  # fmt: skip

    def give_notice(self, site_id: UUID, tenancy_id: UUID, cmd: api.GiveNotice,
                    cid: str | None) -> Tenancy:  # fmt: skip
        return self._on(self.tenancy, site_id, tenancy_id, cid,
                        lambda t: t.give_notice(notice_on=cmd.notice_on,
                                                moving_out_on=cmd.moving_out_on,
                                                at=clock.now()))  # fmt: skip

    def move_out(self, site_id: UUID, tenancy_id: UUID, cmd: api.MoveOut,
                 cid: str | None) -> Tenancy:  # fmt: skip
        """The move-out frees the unit for the next tenant in the same transaction."""

        def command() -> Tenancy:
            tenancy = self.tenancy(site_id, tenancy_id)
            tenancy.move_out(
                moved_out_on=cmd.moved_out_on, meter_readings=_dump(cmd.meter_readings),
                inspection=[f.model_dump(mode="json") for f in cmd.inspection],
                keys_returned=_dump(cmd.keys_returned), forwarding_address=cmd.forwarding_address,
                settlement_reference=cmd.settlement_reference, at=clock.now(),
            )  # fmt: skip
            occupancy = self._occupancy(site_id, tenancy.unit)
            occupancy.vacate(tenancy.id)
            self.save(tenancy, occupancy)
            return tenancy

        return self.run(cid, command)

    def tenancy(self, site_id: UUID, tenancy_id: UUID) -> Tenancy:
        return self.load_at_site(tenancy_id, site_id, Tenancy, "tenancy")

    def history(self, site_id: UUID, tenancy_id: UUID) -> list[Any]:
        """A tenancy's events, oldest first (the master record's history)."""
        self.tenancy(site_id, tenancy_id)
        return self.events_of(tenancy_id)

    def _occupancy(self, site_id: UUID, unit: str) -> UnitOccupancy:
        try:
            return self.repository.get(UnitOccupancy.create_id(site_id, unit))  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return UnitOccupancy(site_id=site_id, unit=unit)

    # ---------------------------------------------------------------- fit-out permits

    def apply_fit_out(self, site_id: UUID, cmd: api.ApplyFitOut, cid: str | None) -> FitOutPermit:
        """A fit-out is applied for by a tenant of the site who has not moved out."""

        def command() -> FitOutPermit:
            try:
                tenancy = self.tenancy(site_id, cmd.tenancy_id)
            except NotFound:
                raise Invalid(f"tenancy {cmd.tenancy_id} is not a tenancy of this site",
                              field="tenancy_id") from None  # fmt: skip
            if tenancy.status is TenancyStatus.MOVED_OUT:
                raise Conflict(f"tenancy {tenancy.id} has moved out; it applies for no fit-out")
            permit = FitOutPermit.apply(
                site_id=site_id, tenancy_id=tenancy.id, unit=tenancy.unit, plans=cmd.plans,
                contractor=cmd.contractor, contractor_phone=cmd.contractor_phone,
                starts_on=cmd.starts_on, ends_on=cmd.ends_on, deposit=cmd.deposit, at=clock.now(),
            )  # fmt: skip
            self.save(permit)
            return permit

        return self.run(cid, command)

    def approve_fit_out(self, site_id: UUID, permit_id: UUID, department: str, approver: str,
                        cid: str | None) -> FitOutPermit:  # fmt: skip
        return self._on(self.permit, site_id, permit_id, cid,
                        lambda p: p.approve(department=department, approver=approver,
                                            at=clock.now()))  # fmt: skip

    def inspect_fit_out(self, site_id: UUID, permit_id: UUID, cmd: api.InspectFitOut,
                        cid: str | None) -> FitOutPermit:  # fmt: skip
        findings = [f.model_dump(mode="json") for f in cmd.findings]
        return self._on(self.permit, site_id, permit_id, cid,
                        lambda p: p.inspect(inspector=cmd.inspector, findings=findings,
                                            at=clock.now()))  # fmt: skip

    def complete_fit_out(self, site_id: UUID, permit_id: UUID, cmd: api.CompleteFitOut,
                         cid: str | None) -> FitOutPermit:  # fmt: skip
        return self._on(
            self.permit,
            site_id,
            permit_id,
            cid,
            lambda p: p.complete(accepted_by=cmd.accepted_by, at=clock.now()),
        )

    def settle_fit_out_deposit(
        self, site_id: UUID, permit_id: UUID, cmd: api.SettleFitOutDeposit, cid: str | None
    ) -> FitOutPermit:
        return self._on(self.permit, site_id, permit_id, cid,
                        lambda p: p.settle_deposit(deductions=_dump(cmd.deductions),
                                                   at=clock.now()))  # fmt: skip

    def permit(self, site_id: UUID, permit_id: UUID) -> FitOutPermit:
        return self.load_at_site(permit_id, site_id, FitOutPermit, "fit-out permit")

    # ---------------------------------------------------------------- tenant files

    def file_document(self, site_id: UUID, cmd: api.FileDocument, cid: str | None) -> TenantFile:
        """A file number is filed once per site."""

        def command() -> TenantFile:
            file_id = TenantFile.create_id(site_id, cmd.number)
            try:
                self.repository.get(file_id)
            except AggregateNotFoundError:
                pass
            else:
                raise Conflict(f"file {cmd.number} is already filed at this site")
            tenant_file = TenantFile(
                site_id=site_id, number=cmd.number, title=cmd.title, pages=cmd.pages,
                filed_on=cmd.filed_on, filed_by=cmd.filed_by, category=cmd.category,
                unit=cmd.unit, at=clock.now(),
            )  # fmt: skip
            self.save(tenant_file)
            return tenant_file

        return self.run(cid, command)

    def borrow_file(self, site_id: UUID, file_id: UUID, cmd: api.BorrowFile,
                    cid: str | None) -> TenantFile:  # fmt: skip
        def borrow(f: TenantFile) -> None:
            f.borrow(borrower=cmd.borrower, borrowed_on=cmd.borrowed_on,
                     due_back_on=cmd.due_back_on, at=clock.now())  # fmt: skip

        return self._on(self.tenant_file, site_id, file_id, cid, borrow)

    def return_file(self, site_id: UUID, file_id: UUID, cmd: api.ReturnFile,
                    cid: str | None) -> TenantFile:  # fmt: skip
        return self._on(
            self.tenant_file,
            site_id,
            file_id,
            cid,
            lambda f: f.give_back(returned_on=cmd.returned_on, at=clock.now()),
        )

    def tenant_file(self, site_id: UUID, file_id: UUID) -> TenantFile:
        return self.load_at_site(file_id, site_id, TenantFile, "tenant file")

    def _on(self, load: Callable[[UUID, UUID], A], site_id: UUID, aggregate_id: UUID,
            cid: str | None, change: Callable[[A], object]) -> A:  # fmt: skip
        """Load an aggregate of the site, apply one step, save it; the saved aggregate."""

        def command() -> A:
            aggregate = load(site_id, aggregate_id)
            change(aggregate)
            self.save(aggregate)  # type: ignore[arg-type]
            return aggregate

        return self.run(cid, command)
