from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from runtime.errors import Conflict, Invalid
from services.tenancy.contract import contract_for
from services.tenancy.domain import (
    FitOutPermit,
    FitOutStatus,
    Tenancy,
    TenancyStatus,
    TenantFile,
    UnitOccupancy,
    missing_keys,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CONTACT = {"name": "Li Na", "phone": "13800000000", "email": "li@example.com", "extension": "801"}


def tenancy(**changes: object) -> Tenancy:
    fields: dict[str, object] = dict(
        site_id=uuid4(), unit="12A", kind="company", name_zh="华星贸易", name_en="Huaxing Trading",
        contact=CONTACT, emergency_contact={**CONTACT, "name": "Wang"},
        moved_in_on=date(2026, 11, 10), billing_starts_on=date(2026, 11, 10),
        checklist=[{"item": "windows", "ok": True, "note": None}],
        meter_readings=[{"meter": "water", "reading": Decimal("12.500")}],
        keys_issued=[{"label": "door", "count": 2}, {"label": "card", "count": 5}], at=NOW,
    )  # fmt: skip
    fields.update(changes)
    return Tenancy.move_in(**fields)  # type: ignore[arg-type]


def move_out(t: Tenancy, **changes: object) -> None:
    fields: dict[str, object] = dict(
        moved_out_on=date(2027, 1, 20), meter_readings=[], inspection=[
            {"finding": "clean", "action": "none"}],
        keys_returned=[{"label": "door", "count": 2}, {"label": "card", "count": 3}],
        forwarding_address="Shanghai", settlement_reference="FS-12A", at=NOW,
    )  # fmt: skip
    fields.update(changes)
    t.move_out(**fields)  # type: ignore[arg-type]


def test_a_tenant_moves_in_gives_notice_and_moves_out_with_missing_keys_recorded() -> None:
    t = tenancy()
    assert t.change_details(kind="company", name_zh="华星贸易", name_en="Huaxing",
                            contact=CONTACT, emergency_contact=None, at=NOW)  # fmt: skip
    assert not t.change_details(kind="company", name_zh="华星贸易", name_en="Huaxing",
                                contact=CONTACT, emergency_contact=None, at=NOW)  # fmt: skip
    with pytest.raises(Conflict):
        move_out(t)  # the notice comes first
    t.give_notice(notice_on=date(2026, 12, 20), moving_out_on=date(2027, 1, 20), at=NOW)
    move_out(t)
    assert t.status is TenancyStatus.MOVED_OUT
    assert t.keys_missing == [{"label": "card", "count": 2}]
    published = [contract_for(e) for e in t.collect_events()]
    assert [type(p).__name__ for p in published] == [
        "TenantMovedIn",
        "TenantDetailsChanged",
        "MoveOutNoticeGiven",
        "TenantMovedOut",
    ]
    assert all(p.unit == "12A" and p.tenancy_id == t.id for p in published)  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        t.change_details(kind="company", name_zh="x", name_en=None, contact=CONTACT,
                         emergency_contact=None, at=NOW)  # fmt: skip


def test_dates_that_cannot_be_are_refused_naming_the_field() -> None:
    with pytest.raises(Invalid) as refused:
        tenancy(billing_starts_on=date(2026, 11, 9))
    assert refused.value.field == "billing_starts_on"
    t = tenancy()
    with pytest.raises(Invalid) as refused:
        t.give_notice(notice_on=date(2026, 11, 1), moving_out_on=date(2026, 12, 1), at=NOW)
    assert refused.value.field == "notice_on"
    with pytest.raises(Invalid) as refused:
        t.give_notice(notice_on=date(2026, 12, 1), moving_out_on=date(2026, 11, 30), at=NOW)
    assert refused.value.field == "moving_out_on"


def test_a_unit_has_one_tenant_at_a_time() -> None:
    unit = UnitOccupancy(site_id=uuid4(), unit="12A")
    first, second = uuid4(), uuid4()
    unit.occupy(first)
    with pytest.raises(Conflict):
        unit.occupy(second)
    unit.vacate(second)  # not the occupant: nothing changes
    assert unit.tenancy_id == first
    unit.vacate(first)
    unit.occupy(second)


def test_missing_keys_by_label() -> None:
    issued = [
        {"label": "door", "count": 2},
        {"label": "door", "count": 1},
        {"label": "card", "count": 1},
    ]
    assert missing_keys(issued, [{"label": "door", "count": 1}]) == [
        {"label": "door", "count": 2}, {"label": "card", "count": 1}]  # fmt: skip
    assert (
        missing_keys(issued, [{"label": "door", "count": 5}, {"label": "card", "count": 1}]) == []
    )


def permit(deposit: str = "5000.00") -> FitOutPermit:
    return FitOutPermit.apply(
        site_id=uuid4(), tenancy_id=uuid4(), unit="12A", plans=["layout.pdf"],
        contractor="Acme Fitters", contractor_phone="13900000000", starts_on=date(2026, 11, 12),
        ends_on=date(2026, 12, 12), deposit=Decimal(deposit), at=NOW,
    )  # fmt: skip


def test_fit_out_needs_both_departments_by_two_people() -> None:
    p = permit()
    with pytest.raises(Conflict):
        p.inspect(inspector="Zhao", findings=[{"finding": "ok", "action": "none"}], at=NOW)
    p.approve(department="customer_service", approver="cs1", at=NOW)
    assert p.status is FitOutStatus.APPLIED
    with pytest.raises(Conflict):
        p.approve(department="customer_service", approver="cs2", at=NOW)
    with pytest.raises(Conflict):
        p.approve(department="engineering", approver="cs1", at=NOW)
    p.approve(department="engineering", approver="eng1", at=NOW)
    assert p.status is FitOutStatus.APPROVED


def test_fit_out_accepted_after_a_passed_inspection_and_deposit_settled_with_reasons() -> None:
    p = permit()
    p.approve(department="customer_service", approver="cs1", at=NOW)
    p.approve(department="engineering", approver="eng1", at=NOW)
    p.inspect(inspector="Zhao", findings=[{"finding": "sprinkler moved", "action": "violation"}],
              at=NOW)  # fmt: skip
    assert p.open_findings == [{"finding": "sprinkler moved", "action": "violation"}]
    with pytest.raises(Conflict):
        p.complete(accepted_by="Zhao", at=NOW)
    p.inspect(inspector="Zhao", findings=[{"finding": "restored", "action": "none"}], at=NOW)
    p.complete(accepted_by="Zhao", at=NOW)
    with pytest.raises(Invalid) as refused:
        p.settle_deposit(deductions=[{"reason": "x", "amount": Decimal("5000.01")}], at=NOW)
    assert refused.value.field == "deductions"
    p.settle_deposit(deductions=[{"reason": "damaged lift lobby", "amount": Decimal("800.00")}],
                     at=NOW)  # fmt: skip
    assert (p.status, p.refunded) == (FitOutStatus.SETTLED, Decimal("4200.00"))
    settled = [contract_for(e) for e in p.collect_events()][-1]
    assert settled.deposit == Decimal("5000.00")  # type: ignore[union-attr]


def test_a_schedule_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        FitOutPermit.apply(
            site_id=uuid4(), tenancy_id=uuid4(), unit="1", plans=["p"], contractor="c",
            contractor_phone="13900000000", starts_on=date(2026, 11, 12),
            ends_on=date(2026, 11, 11), deposit=Decimal("0.00"), at=NOW,
        )  # fmt: skip
    assert refused.value.field == "ends_on"


def test_a_file_is_borrowed_by_one_person_at_a_time() -> None:
    f = TenantFile(site_id=uuid4(), number="F-001", title="lease", pages=12,
                   filed_on=date(2026, 11, 1), filed_by="Chen", category="lease", unit="12A",
                   at=NOW)  # fmt: skip
    with pytest.raises(Conflict):
        f.give_back(returned_on=date(2026, 11, 2), at=NOW)
    with pytest.raises(Invalid):
        f.borrow(borrower="Wu", borrowed_on=date(2026, 10, 31), due_back_on=date(2026, 11, 5),
                 at=NOW)  # fmt: skip
    f.borrow(borrower="Wu", borrowed_on=date(2026, 11, 2), due_back_on=date(2026, 11, 5), at=NOW)
    with pytest.raises(Conflict):
        f.borrow(borrower="Ma", borrowed_on=date(2026, 11, 2), due_back_on=date(2026, 11, 5),
                 at=NOW)  # fmt: skip
    f.give_back(returned_on=date(2026, 11, 4), at=NOW)
    assert f.borrower is None
    assert [type(contract_for(e)).__name__ for e in f.collect_events()] == [
        "TenantFileFiled",
        "TenantFileBorrowed",
        "TenantFileReturned",
    ]
