"""Hygiene commands of the work-order application: cleaning areas and their vendors, and
inspections (rules in services.workorder.hygiene)."""

from __future__ import annotations

from uuid import UUID

from contracts import hygiene_api as api
from runtime.clock import clock
from runtime.sites import site_timezone
from services.workorder.hygiene import CleaningArea, HygieneInspection, Level
from services.workorder.store import WorkOrderStore


class HygieneCommands(WorkOrderStore):
    def register_cleaning_area(
        self, site_id: UUID, cmd: api.RegisterCleaningArea, cid: str | None
    ) -> CleaningArea:
        def command() -> CleaningArea:
            area = CleaningArea(
                site_id=site_id,
                name=cmd.name,
                vendor=cmd.vendor,
                registered_on=clock.today(site_timezone(site_id)),
                at=clock.now(),
            )
            self.save(area)
            return area

        return self.run(cid, command)

    def change_cleaning_vendor(
        self, site_id: UUID, area_id: UUID, cmd: api.ChangeCleaningVendor, cid: str | None
    ) -> CleaningArea:
        def command() -> CleaningArea:
            area = self.cleaning_area(site_id, area_id)
            area.change_vendor(vendor=cmd.vendor, at=clock.now())
            self.save(area)
            return area

        return self.run(cid, command)

    def inspect_hygiene(
        self, site_id: UUID, cmd: api.InspectHygiene, cid: str | None
    ) -> HygieneInspection:
        """An inspection of an area of this site (another site's is not found)."""

        def command() -> HygieneInspection:
            area = self.cleaning_area(site_id, cmd.area_id)
            inspection = HygieneInspection.inspect(
                area=area,
                level=Level(cmd.level.value),
                inspected_on=cmd.inspected_on,
                today=clock.today(site_timezone(site_id)),
                inspector=cmd.inspector,
                items=[i.model_dump() for i in cmd.items],
                note=cmd.note,
                at=clock.now(),
            )
            self.save(inspection)
            return inspection

        return self.run(cid, command)

    def cleaning_area(self, site_id: UUID, area_id: UUID) -> CleaningArea:
        return self.load_at_site(area_id, site_id, CleaningArea, "cleaning area")
