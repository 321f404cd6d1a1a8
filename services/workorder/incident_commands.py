"""Emergency commands of the work-order application: the incident log and the drill
records (rules in services.workorder.incident)."""

from __future__ import annotations

from uuid import UUID

from contracts import incident_api as api
from runtime.clock import clock
from runtime.sites import site_timezone
from services.workorder.incident import Drill, Incident
from services.workorder.store import WorkOrderStore


class IncidentCommands(WorkOrderStore):
    def report_incident(self, site_id: UUID, cmd: api.ReportIncident, cid: str | None) -> Incident:
        def command() -> Incident:
            incident = Incident.report(
                site_id=site_id,
                kind=cmd.kind.value,
                place=cmd.place,
                description=cmd.description,
                happened_at=cmd.happened_at,
                reported_by=cmd.reported_by,
                at=clock.now(),
            )
            self.save(incident)
            return incident

        return self.run(cid, command)

    def take_incident_action(
        self, site_id: UUID, incident_id: UUID, cmd: api.TakeIncidentAction, cid: str | None
    ) -> Incident:
        def command() -> Incident:
            incident = self.incident(site_id, incident_id)
            incident.take_action(action=cmd.action, by=cmd.by, at=clock.now())
            self.save(incident)
            return incident

        return self.run(cid, command)

    def record_incident_follow_up(
        self, site_id: UUID, incident_id: UUID, cmd: api.RecordIncidentFollowUp, cid: str | None
    ) -> Incident:
        def command() -> Incident:
            incident = self.incident(site_id, incident_id)
            incident.follow_up(follow_up=cmd.follow_up, by=cmd.by, at=clock.now())
            self.save(incident)
            return incident

        return self.run(cid, command)

    def close_incident(
        self, site_id: UUID, incident_id: UUID, cmd: api.CloseIncident, cid: str | None
    ) -> Incident:
        def command() -> Incident:
            incident = self.incident(site_id, incident_id)
            incident.close(summary=cmd.summary, by=cmd.by, at=clock.now())
            self.save(incident)
            return incident

        return self.run(cid, command)

    def record_drill(self, site_id: UUID, cmd: api.RecordDrill, cid: str | None) -> Drill:
        def command() -> Drill:
            drill = Drill.record(
                site_id=site_id,
                kind=cmd.kind.value,
                held_on=cmd.held_on,
                today=clock.today(site_timezone(site_id)),
                participants=cmd.participants,
                duration_minutes=cmd.duration_minutes,
                findings=cmd.findings,
                recorded_by=cmd.recorded_by,
                at=clock.now(),
            )
            self.save(drill)
            return drill

        return self.run(cid, command)

    def incident(self, site_id: UUID, incident_id: UUID) -> Incident:
        return self.load_at_site(incident_id, site_id, Incident, "incident")
