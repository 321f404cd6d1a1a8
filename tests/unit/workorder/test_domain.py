from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from contracts.workorder import Urgency
from runtime.errors import Conflict, Invalid
from services.workorder.contract import contract_for
from services.workorder.domain import (
    ComplaintOnRecord,
    NumberSeries,
    SitePolicy,
    Status,
    WorkOrder,
    format_number,
    require_open_complaint,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SITE = uuid4()


def reported(category: str = "plumbing", complaint_id=None) -> WorkOrder:  # type: ignore[no-untyped-def]
    return WorkOrder(
        site_id=SITE, source="complaint" if complaint_id else "tenant_phone", category=category,
        location="12F east washroom", unit="12A", tenant="Huaxin Trading", content="tap leaks",
        reporter="Amy (front desk)", complaint_id=complaint_id, at=NOW,
    )  # fmt: skip


def dispatched(paid: bool = False, team: str = "engineering") -> WorkOrder:
    order = reported()
    order.dispatch(
        number="WO-SH01-2026-00001", team=team, technician="Lao Zhang", urgency=Urgency.HIGH,
        paid=paid, work_content=None, sla_hours=24, at=NOW,
    )  # fmt: skip
    return order


def completed(paid: bool = False, at: datetime = NOW) -> WorkOrder:
    order = dispatched(paid)
    order.complete(
        result="washer replaced", labour_hours=Decimal("0.5"), materials=[],
        fee=Decimal("50.00") if paid else Decimal("0"), at=at,
    )  # fmt: skip
    return order


def test_the_whole_life_of_a_paid_repair() -> None:
    order = completed(paid=True)
    order.verify(passed=True, verifier="cs-li", method="phone", notes=None, at=NOW)
    assert order.status == Status.CLOSED
    events = order.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Reported", "Dispatched", "Completed", "Verified",
    ]  # fmt: skip
    verified = contract_for(events[-1])
    assert verified is not None
    assert (verified.paid, verified.fee, verified.number) == (  # type: ignore[attr-defined]
        True, Decimal("50.00"), "WO-SH01-2026-00001",
    )  # fmt: skip


def test_dispatch_sets_the_sla_deadline() -> None:
    assert dispatched().deadline == NOW + timedelta(hours=24)


def test_cleaning_goes_to_housekeeping_not_engineering() -> None:
    order = reported("cleaning")
    assert order.department == "housekeeping"
    with pytest.raises(Invalid, match="housekeeping"):
        order.dispatch(number="n", team="engineering", technician=None, urgency=Urgency.LOW,
                       paid=False, work_content=None, sla_hours=1, at=NOW)  # fmt: skip
    with pytest.raises(Invalid, match="engineering"):
        reported("electrical").dispatch(
            number="n", team="housekeeping", technician=None, urgency=Urgency.LOW, paid=False,
            work_content=None, sla_hours=1, at=NOW,
        )  # fmt: skip


def test_completing_an_order_not_dispatched_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="only a dispatched order can complete"):
        reported().complete(result="x", labour_hours=Decimal(1), materials=[], fee=Decimal(0),
                            at=NOW)  # fmt: skip


def test_paid_repairs_need_a_fee_and_free_ones_have_none() -> None:
    with pytest.raises(Invalid, match="paid repair needs a fee"):
        dispatched(paid=True).complete(result="x", labour_hours=Decimal(1), materials=[],
                                       fee=Decimal(0), at=NOW)  # fmt: skip
    with pytest.raises(Invalid, match="free repair"):
        dispatched(paid=False).complete(result="x", labour_hours=Decimal(1), materials=[],
                                        fee=Decimal(5), at=NOW)  # fmt: skip


def test_completion_after_the_deadline_is_marked_late() -> None:
    order = completed(at=NOW + timedelta(hours=25))
    assert order.collect_events()[-1].late is True  # type: ignore[attr-defined]


def test_failed_verification_reopens_with_a_reason_and_work_resumes() -> None:
    order = completed()
    with pytest.raises(Invalid, match="reason"):
        order.verify(passed=False, verifier="cs", method="on_site", notes=None, at=NOW)
    order.verify(passed=False, verifier="cs", method="on_site", notes="still drips", at=NOW)
    assert (order.status, order.reopen_count) == (Status.REOPENED, 1)
    order.start(technician="Lao Zhang", at=NOW)
    order.complete(result="cartridge replaced", labour_hours=Decimal(1), materials=[],
                   fee=Decimal(0), at=NOW)  # fmt: skip
    order.verify(passed=True, verifier="cs", method="on_site", notes=None, at=NOW)
    assert order.status == Status.CLOSED


def test_verifying_twice_is_a_conflict() -> None:
    order = completed()
    order.verify(passed=True, verifier="cs", method="phone", notes=None, at=NOW)
    with pytest.raises(Conflict):
        order.verify(passed=True, verifier="cs", method="phone", notes=None, at=NOW)


def test_a_voided_order_keeps_its_number_and_cannot_be_dispatched() -> None:
    order = dispatched()
    order.void(reason="duplicate of WO-SH01-2026-00000", at=NOW)
    assert order.collect_events()[-1].number == "WO-SH01-2026-00001"  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        order.dispatch(number="x", team="engineering", technician=None, urgency=Urgency.LOW,
                       paid=False, work_content=None, sla_hours=1, at=NOW)  # fmt: skip
    voided_report = reported()
    voided_report.void(reason="tenant fixed it", at=NOW)
    with pytest.raises(Conflict):
        voided_report.dispatch(number="x", team="engineering", technician=None,
                               urgency=Urgency.LOW, paid=False, work_content=None, sla_hours=1,
                               at=NOW)  # fmt: skip


def test_closed_orders_cannot_be_voided() -> None:
    order = completed()
    with pytest.raises(Conflict):
        order.void(reason="x", at=NOW)


def test_number_series_is_continuous_and_found_by_site_and_year() -> None:
    series = NumberSeries(site_id=SITE, year=2026)
    assert [series.issue(uuid4()) for _ in range(3)] == [1, 2, 3]
    assert series.id == NumberSeries.create_id(SITE, 2026) != NumberSeries.create_id(SITE, 2027)
    assert format_number("SH01", 2026, 42) == "WO-SH01-2026-00042"


def test_site_policy_sla_overrides_defaults() -> None:
    policy = SitePolicy(site_id=SITE, site_code="SH01", sla_hours={"emergency": 2})
    assert policy.sla_for(Urgency.EMERGENCY) == 2
    assert policy.sla_for(Urgency.LOW) == 168


def test_internal_events_stay_inside() -> None:
    series = NumberSeries(site_id=SITE, year=2026)
    series.issue(uuid4())
    assert [contract_for(e) for e in series.collect_events()] == [None, None]


def test_a_complaint_opens_one_work_order_per_site_it_belongs_to() -> None:
    complaint = uuid4()
    order = reported(complaint_id=complaint)
    assert order.id == WorkOrder.create_id(SITE, complaint)
    # Another site naming the same complaint can never take the id of its order.
    assert WorkOrder.create_id(uuid4(), complaint) != order.id
    assert reported().id != reported().id  # not from a complaint: fresh ids


def test_a_repair_names_only_an_open_complaint_of_its_own_site() -> None:
    complaint = uuid4()
    require_open_complaint(complaint, SITE, ComplaintOnRecord(SITE, "noise", "investigating"))
    for record in (None, ComplaintOnRecord(uuid4(), "noise", "registered")):
        with pytest.raises(Invalid, match="not a complaint of this site") as refused:
            require_open_complaint(complaint, SITE, record)
        assert refused.value.field == "complaint_id"
    for status in ("rejected", "resolved", "replied"):
        with pytest.raises(Conflict, match=f"is {status}"):
            require_open_complaint(complaint, SITE, ComplaintOnRecord(SITE, "repair", status))
