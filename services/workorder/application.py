"""Work-order application: repair commands against the event store."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from contracts import workorder_api as api
from contracts.workorder import Category, Source, Urgency
from runtime.aggregate import continue_flow, current_correlation_id
from runtime.clock import clock, local_date
from runtime.errors import Conflict
from runtime.eventstore import KnownAggregates
from runtime.settings import ServiceSettings
from runtime.sites import site_timezone
from services.workorder.domain import (
    DEFAULT_SLA_HOURS,
    ComplaintOnRecord,
    NumberSeries,
    SitePolicy,
    WorkOrder,
    format_number,
    require_open_complaint,
)
from services.workorder.hygiene_commands import HygieneCommands
from services.workorder.incident_commands import IncidentCommands
from services.workorder.patrol_commands import PatrolCommands

CENT = Decimal("0.01")


class WorkOrderSettings(ServiceSettings):
    workorder_grpc_port: int = 50062


class WorkOrderApplication(PatrolCommands, IncidentCommands, HygieneCommands):
    name = "workorder"
    # A site's number series gains an event per dispatch; snapshots keep loading it cheap.
    snapshotting_intervals = {NumberSeries: 50}

    def __init__(self, settings: WorkOrderSettings) -> None:
        super().__init__(settings, settings.schema_name("workorder"))
        # Each site's policy and number series as its last dispatch here saved them.
        self._site_state = KnownAggregates()

    def report(self, site_id: UUID, cmd: api.ReportRepair, complaint: ComplaintOnRecord | None,
               correlation_id: str | None) -> WorkOrder:  # fmt: skip
        """Record a repair item. One from a complaint names an open complaint of this site
        (`complaint`: what the read model knows of it), and a complaint has one work order:
        a second report for it names the first."""

        def command() -> WorkOrder:
            if cmd.complaint_id is not None:
                require_open_complaint(cmd.complaint_id, site_id, complaint)
                self._refuse_second_order(site_id, cmd.complaint_id)
            order = WorkOrder(
                site_id=site_id,
                source=cmd.source.value,
                category=cmd.category.value,
                location=cmd.location,
                unit=cmd.unit,
                tenant=cmd.tenant,
                content=cmd.content,
                reporter=cmd.reporter,
                complaint_id=cmd.complaint_id,
                at=clock.now(),
            )
            self.save(order)
            return order

        # Two reports for one complaint at once: the loser runs again and is told which
        # order the complaint already has (not "changed at the same time").
        return self.run(correlation_id, command, retries=1)

    def _refuse_second_order(self, site_id: UUID, complaint_id: UUID) -> None:
        existing = self._order_for_complaint(site_id, complaint_id)
        if existing is not None:
            number = f" ({existing.number})" if existing.number else ""
            raise Conflict(
                f"complaint {complaint_id} already has work order {existing.id}{number}",
                field="complaint_id",
            )

    def _order_for_complaint(self, site_id: UUID, complaint_id: UUID) -> WorkOrder | None:
        """The complaint's work order at this site, under its id or the id orders had
        before ids named the site (one of another site there is not this complaint's)."""
        for order_id in (
            WorkOrder.create_id(site_id, complaint_id),
            WorkOrder.earlier_id(complaint_id),
        ):
            order = self._stored(order_id)
            if order is not None and order.site_id == site_id:
                return order
        return None

    def open_from_complaint(self, site_id: UUID, complaint_id: UUID, unit: str | None,
                            complainant: str, content: str, cid: str | None) -> UUID:  # fmt: skip
        """A repair complaint opens a work order linked to it, once; the order carries the
        complaint's correlation id through its whole life."""

        def command() -> UUID:
            existing = self._order_for_complaint(site_id, complaint_id)
            if existing is not None:
                return existing.id  # already opened by an earlier delivery (or by hand)
            order = WorkOrder(
                site_id=site_id, source=Source.COMPLAINT.value, category=Category.OTHER.value,
                location=f"unit {unit}" if unit else "see complaint", unit=unit, tenant=None,
                content=content, reporter=complainant, complaint_id=complaint_id,
                at=clock.now(), flow_id=current_correlation_id(),
            )  # fmt: skip
            self.save(order)
            return order.id

        return self.run(cid, command, retries=3)

    def dispatch(
        self, site_id: UUID, order_id: UUID, cmd: api.DispatchRepair, correlation_id: str | None
    ) -> WorkOrder:
        """Issue the next number of the site's year and dispatch, in one transaction.

        A concurrent dispatch that took the same number loses the version race on the
        number series; the command is then retried with fresh state.
        """

        def command() -> WorkOrder:
            now = clock.now()
            year = local_date(now, site_timezone(site_id)).year
            order, stored_policy, series = self._dispatch_state(site_id, order_id, year)
            policy = self._policy_or_defaults(site_id, stored_policy)
            seq = series.issue(order.id)
            order.dispatch(
                number=format_number(policy.site_code, year, seq),
                team=cmd.team,
                technician=cmd.technician,
                urgency=cmd.urgency,
                paid=cmd.paid,
                work_content=cmd.work_content,
                sla_hours=int(
                    policy.sla_hours.get(cmd.urgency.value, DEFAULT_SLA_HOURS[cmd.urgency])
                ),
                at=now,
            )
            self.save(series, order)
            self._site_state.keep(series, *([stored_policy] if stored_policy else []))
            return order

        return self.run(correlation_id, command, retries=20)

    def _dispatch_state(
        self, site_id: UUID, order_id: UUID, year: int
    ) -> tuple[WorkOrder, SitePolicy | None, NumberSeries]:
        """The order, the site's stored policy (None: the defaults apply) and its number
        series for `year`, with one query.

        The policy and the series as this process's last dispatch at the site saved them
        are brought up to date with the events stored since (another replica's dispatches
        and settings); a dispatch stored after this read makes the save lose the series'
        version check, and the command runs again. A series this process has not kept
        yet is read the usual way (from its latest snapshot).
        """
        policy_id, series_id = SitePolicy.create_id(site_id), NumberSeries.create_id(site_id, year)
        wanted = {order_id: None, policy_id: self._site_state.copy_of(policy_id)}
        kept_series = self._site_state.copy_of(series_id)
        if kept_series is not None:
            wanted[series_id] = kept_series
        current = self.load_current(wanted)
        order = self.at_site(current.get(order_id), order_id, site_id, WorkOrder, "work order")
        series = current.get(series_id) or self._series(site_id, year)
        return self._continuing(order), current.get(policy_id), series

    def start(
        self, site_id: UUID, order_id: UUID, cmd: api.StartRepair, cid: str | None
    ) -> WorkOrder:
        def command() -> WorkOrder:
            order = self.order(site_id, order_id)
            order.start(technician=cmd.technician, at=clock.now())
            self.save(order)
            return order

        return self.run(cid, command)

    def complete(
        self, site_id: UUID, order_id: UUID, cmd: api.CompleteRepair, cid: str | None
    ) -> WorkOrder:
        def command() -> WorkOrder:
            order = self.order(site_id, order_id)
            order.complete(
                result=cmd.result,
                labour_hours=cmd.labour_hours,
                materials=[m.model_dump(mode="json") for m in cmd.materials],
                fee=cmd.fee.quantize(CENT),
                at=clock.now(),
            )
            self.save(order)
            return order

        return self.run(cid, command)

    def verify(
        self, site_id: UUID, order_id: UUID, cmd: api.VerifyRepair, verifier: str, cid: str | None
    ) -> WorkOrder:
        def command() -> WorkOrder:
            order = self.order(site_id, order_id)
            order.verify(
                passed=cmd.passed, verifier=verifier, method=cmd.method, notes=cmd.notes,
                at=clock.now(),
            )  # fmt: skip
            self.save(order)
            return order

        return self.run(cid, command)

    def void(
        self, site_id: UUID, order_id: UUID, cmd: api.VoidWorkOrder, cid: str | None
    ) -> WorkOrder:
        def command() -> WorkOrder:
            order = self.order(site_id, order_id)
            order.void(reason=cmd.reason, at=clock.now())
            self.save(order)
            return order

        return self.run(cid, command)

    def configure_site(self, site_id: UUID, cmd: api.ConfigureSite, cid: str | None) -> None:
        sla = {u.value: h for u, h in cmd.sla_hours.items()}

        def command() -> None:
            policy = self._stored_policy(site_id)
            if policy is None:
                policy = SitePolicy(site_id=site_id, site_code=cmd.site_code, sla_hours=sla)
            else:
                policy.change(site_code=cmd.site_code, sla_hours={**policy.sla_hours, **sla})
            self.save(policy)

        # A site's first two settings at once both create the policy: the loser runs
        # again as a change instead of answering "changed at the same time".
        self.run(cid, command, retries=3)

    def order(self, site_id: UUID, order_id: UUID) -> WorkOrder:
        """The order; if a flow (a complaint) opened it, later commands continue that flow's
        correlation id, so one id follows the complaint to its resolution."""
        return self._continuing(self.load_at_site(order_id, site_id, WorkOrder, "work order"))

    @staticmethod
    def _continuing(order: WorkOrder) -> WorkOrder:
        if order.flow_id:
            continue_flow(order.flow_id)
        return order

    def policy(self, site_id: UUID) -> SitePolicy:
        """The site's policy, or the defaults (code from the site id, standard SLAs)."""
        return self._policy_or_defaults(site_id, self._stored_policy(site_id))

    @staticmethod
    def _policy_or_defaults(site_id: UUID, stored: SitePolicy | None) -> SitePolicy:
        return stored or SitePolicy(
            site_id=site_id,
            site_code=SitePolicy.default_code(site_id),
            sla_hours={u.value: h for u, h in DEFAULT_SLA_HOURS.items()},
        )

    def sla_hours(self, site_id: UUID) -> dict[str, int]:
        policy = self.policy(site_id)
        return {u.value: policy.sla_for(u) for u in Urgency}

    def _stored_policy(self, site_id: UUID) -> SitePolicy | None:
        return self._stored(SitePolicy.create_id(site_id))

    def _series(self, site_id: UUID, year: int) -> NumberSeries:
        return self._stored(NumberSeries.create_id(site_id, year)) or NumberSeries(
            site_id=site_id, year=year
        )
