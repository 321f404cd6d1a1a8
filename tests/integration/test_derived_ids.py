"""Aggregates whose id follows from something else (a complaint's work order, a site's
policy, a scope's watchlist): two commands creating one at the same time meet as a
version conflict in the event store. The loser must get the domain's answer, not the
generic "changed at the same time".

Each test lets a rival application (another replica on the same store) save the same
aggregate just before the first one saves: the race, made deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest

from contracts import feedback_api, visitor_api, workorder_api
from runtime.errors import Conflict
from services.feedback.application import FeedbackApplication, FeedbackSettings
from services.visitor.application import VisitorApplication, VisitorSettings
from services.visitor.domain import GROUP_SCOPE, Watchlist
from services.workorder.application import WorkOrderApplication, WorkOrderSettings
from services.workorder.domain import ComplaintOnRecord, SitePolicy, WorkOrder


def rival_saves_first(app: Any, rival: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> list:
    """`rival` runs once, right before `app` first saves; its result is returned in a list."""
    done: list = []
    save = app.save

    def save_after_rival(*aggregates: Any, **kwargs: Any) -> Any:
        if not done:
            done.append(rival())
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(app, "save", save_after_rival)
    return done


@pytest.fixture
def settings(infra) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "database_url": infra.database_url,
        "kafka_bootstrap_servers": infra.kafka,
        "concierge_namespace": f"{infra.namespace}ids_",
    }


@pytest.fixture
def replicas(settings: dict[str, str]) -> Iterator[Callable[[type, type], tuple[Any, Any]]]:
    """Two applications of one kind on one store (closed afterwards: the database is
    shared, its connections are not to be held)."""
    opened: list[Any] = []

    def two(application: type, settings_class: type) -> tuple[Any, Any]:
        opened.extend(application(settings_class(**settings)) for _ in range(2))
        return opened[-2], opened[-1]

    yield two
    for app in opened:
        app.close()


def test_a_second_report_for_a_complaint_at_the_same_time_names_the_first(
    replicas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = replicas(WorkOrderApplication, WorkOrderSettings)
    site, complaint = uuid4(), uuid4()
    record = ComplaintOnRecord(site_id=site, category="noise", status="registered")
    cmd = workorder_api.ReportRepair(
        source="complaint", category="plumbing", location="15F", content="leak",
        reporter="desk", complaint_id=complaint,
    )  # fmt: skip
    rival = rival_saves_first(first, lambda: second.report(site, cmd, record, None), monkeypatch)
    with pytest.raises(Conflict) as refused:
        first.report(site, cmd, record, None)
    assert f"complaint {complaint} already has work order {rival[0].id}" in refused.value.message
    assert refused.value.field == "complaint_id"


def test_a_sites_first_work_order_settings_at_the_same_time_both_apply(
    replicas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = replicas(WorkOrderApplication, WorkOrderSettings)
    site = uuid4()
    rival_saves_first(
        first,
        lambda: second.configure_site(
            site, workorder_api.ConfigureSite(site_code="HZ01", sla_hours={"low": 100}), None
        ),
        monkeypatch,
    )
    first.configure_site(
        site, workorder_api.ConfigureSite(site_code="HZ02", sla_hours={"high": 10}), None
    )
    policy = second.repository.get(SitePolicy.create_id(site))
    assert (policy.site_code, policy.sla_hours) == ("HZ02", {"low": 100, "high": 10})


def test_a_sites_first_feedback_settings_at_the_same_time_both_apply(
    replicas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = replicas(FeedbackApplication, FeedbackSettings)
    site = uuid4()
    rival_saves_first(
        first,
        lambda: second.configure(site, feedback_api.ConfigureFeedback(reply_within_hours=4), None),
        monkeypatch,
    )
    first.configure(site, feedback_api.ConfigureFeedback(reply_within_hours=8), None)
    assert second._policy(site).reply_within_hours == 8  # type: ignore[union-attr]


def test_the_first_watchlist_entries_at_the_same_time_are_both_kept(
    replicas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = replicas(VisitorApplication, VisitorSettings)
    site = uuid4()
    entry = visitor_api.AddWatchlistEntry(name="Mallory Black", reason="trespass", scope="group")
    rival = rival_saves_first(
        first, lambda: second.add_watchlist_entry(site, entry, "c"), monkeypatch
    )
    mine = first.add_watchlist_entry(site, entry, "c")
    watchlist: Watchlist = second.repository.get(Watchlist.create_id(GROUP_SCOPE))
    assert {rival[0], mine} <= set(watchlist.entries)


def test_orders_under_the_earlier_complaint_ids_are_found_and_a_hijack_is_not(
    replicas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stores from before work-order ids named the site hold orders under the earlier
    id: a replay of their complaints finds them (no second order), and one of another
    site there (a report that named this site's complaint) is not this complaint's."""
    app, _ = replicas(WorkOrderApplication, WorkOrderSettings)
    site_a, site_b, complaint, hijacked = uuid4(), uuid4(), uuid4(), uuid4()
    with monkeypatch.context() as before_the_site_in_ids:
        before_the_site_in_ids.setattr(
            WorkOrder,
            "create_id",
            classmethod(lambda cls, site_id, complaint_id: WorkOrder.earlier_id(complaint_id)),
        )
        earlier = app.open_from_complaint(site_a, complaint, "15C", "Zhou", "leak", None)
        app.open_from_complaint(site_b, hijacked, "15C", "Zhou", "leak", None)
    assert earlier == WorkOrder.earlier_id(complaint)

    assert app.open_from_complaint(site_a, complaint, "15C", "Zhou", "leak", None) == earlier
    record = ComplaintOnRecord(site_id=site_a, category="repair", status="registered")
    cmd = workorder_api.ReportRepair(
        source="complaint", category="plumbing", location="15F", content="leak",
        reporter="desk", complaint_id=complaint,
    )  # fmt: skip
    with pytest.raises(Conflict, match=f"already has work order {earlier}"):
        app.report(site_a, cmd, record, None)

    own = app.open_from_complaint(site_a, hijacked, "15C", "Zhou", "leak", None)
    assert own == WorkOrder.create_id(site_a, hijacked) != WorkOrder.earlier_id(hijacked)
    assert app.repository.get(own).site_id == site_a
