"""A dispatch keeps the site's policy and number series between commands (read with the
order in one query, `WorkOrderApplication._dispatch_state`). Kept copies are never used
stale: what another replica stored since is read and applied, and a dispatch it stores
between that read and the save makes the save lose its version check; the dispatch then
runs again with the next number, never saved over the other one.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import workorder_api as api
from runtime.clock import local_date
from runtime.sites import site_timezone
from services.workorder.application import WorkOrderApplication, WorkOrderSettings
from services.workorder.domain import NumberSeries, SitePolicy, WorkOrder
from tests.integration.test_derived_ids import replicas, rival_saves_first, settings

__all__ = ["replicas", "settings"]  # fixtures of this module's tests

REPORT = api.ReportRepair(source="tenant_phone", category="plumbing", location="12F",
                          content="leak", reporter="desk")  # fmt: skip
NORMAL = api.DispatchRepair(team="engineering", urgency="normal")


def dispatched(app: WorkOrderApplication, site: UUID) -> WorkOrder:
    order = app.report(site, REPORT, None, None)
    return app.dispatch(site, order.id, NORMAL, None)


def numbers_issued(app: WorkOrderApplication, site: UUID, year: int) -> list[tuple[int, UUID]]:
    events = app.events_of(NumberSeries.create_id(site, year))
    return [(e.seq, e.work_order_id) for e in events if type(e).__name__ == "Issued"]


def test_a_dispatch_applies_what_another_replica_stored_since(replicas: Any) -> None:
    first, other = replicas(WorkOrderApplication, WorkOrderSettings)
    site = uuid4()
    one = dispatched(first, site)  # `first` keeps the site's series
    year = local_date(one.reported_at, site_timezone(site)).year
    assert one.number == f"WO-{SitePolicy.default_code(site)}-{year}-00001"
    other.configure_site(site, api.ConfigureSite(site_code="HZ01", sla_hours={"normal": 10}), None)
    two = dispatched(other, site)
    three = dispatched(first, site)
    assert (two.number, three.number) == (f"WO-HZ01-{year}-00002", f"WO-HZ01-{year}-00003")
    assert three.deadline is not None and three.deadline - three.reported_at >= timedelta(hours=10)
    assert three.deadline - three.reported_at < timedelta(hours=11)
    other.configure_site(site, api.ConfigureSite(site_code="HZ02"), None)  # `first` keeps HZ01
    four = dispatched(first, site)
    assert four.number == f"WO-HZ02-{year}-00004"
    issued = [(1, one.id), (2, two.id), (3, three.id), (4, four.id)]
    assert numbers_issued(first, site, year) == issued


def test_a_dispatch_losing_the_race_runs_again_never_saved_over_the_other(
    replicas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, other = replicas(WorkOrderApplication, WorkOrderSettings)
    site = uuid4()
    one = dispatched(first, site)
    year = local_date(one.reported_at, site_timezone(site)).year
    rivals_order = other.report(site, REPORT, None, None)
    mine = first.report(site, REPORT, None, None)

    def rival() -> WorkOrder:  # after `first` read the series, before it saves
        other.configure_site(site, api.ConfigureSite(site_code="HZ09"), None)
        return other.dispatch(site, rivals_order.id, NORMAL, None)

    done = rival_saves_first(first, rival, monkeypatch)
    three = first.dispatch(site, mine.id, NORMAL, None)
    assert done[0].number == f"WO-HZ09-{year}-00002"
    assert three.number == f"WO-HZ09-{year}-00003"  # run again: the rival's policy too
    assert numbers_issued(other, site, year) == [(1, one.id), (2, rivals_order.id), (3, mine.id)]
    assert other.order(site, mine.id).number == three.number
    assert other.order(site, rivals_order.id).number == done[0].number


def test_one_query_reads_what_the_repository_reads(replicas: Any) -> None:
    first, _ = replicas(WorkOrderApplication, WorkOrderSettings)
    site = uuid4()
    order = dispatched(first, site)
    first.start(site, order.id, api.StartRepair(technician="Li Wei"), None)
    first.configure_site(site, api.ConfigureSite(site_code="HZ01"), None)
    first.configure_site(site, api.ConfigureSite(site_code="HZ02"), None)
    policy_id = SitePolicy.create_id(site)
    older = first.repository.get(policy_id, version=1)
    current = first.load_current({order.id: None, policy_id: older, uuid4(): None})
    assert set(current) == {order.id, policy_id}  # an id without events is left out
    for aggregate_id, aggregate in current.items():
        assert vars(aggregate) == vars(first.repository.get(aggregate_id))


def test_replicas_dispatching_at_once_issue_each_number_once(replicas: Any) -> None:
    """Two replicas, two threads each, one site: every order gets its own number, the
    numbers run 1..n without a gap, and each order's number is the one its site issued it."""
    first, other = replicas(WorkOrderApplication, WorkOrderSettings)
    site = uuid4()
    orders = [first.report(site, REPORT, None, None).id for _ in range(20)]
    apps = [first, other] * 2

    def dispatch_each(n: int) -> None:
        for order_id in orders[n::4]:
            apps[n].dispatch(site, order_id, NORMAL, None)

    threads = [threading.Thread(target=dispatch_each, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = {order_id: other.order(site, order_id).number for order_id in orders}
    reported = other.order(site, orders[0]).reported_at
    year = local_date(reported, site_timezone(site)).year
    issued = numbers_issued(other, site, year)
    assert [seq for seq, _ in issued] == list(range(1, 21))
    code = SitePolicy.default_code(site)
    assert {order_id: f"WO-{code}-{year}-{seq:05d}" for seq, order_id in issued} == numbers
