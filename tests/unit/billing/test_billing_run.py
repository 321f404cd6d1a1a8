from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from runtime.errors import Conflict, Invalid
from services.billing.domain import BillingRun, BillingRunStatus
from services.billing.money import Period

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SITE = uuid4()
NOV = Period(2026, 11)
DUE = date(2026, 11, 15)


def drafted() -> BillingRun:
    return BillingRun.draft(site_id=SITE, period=NOV, receivable={"12A": "680", "12B": 90}, at=NOW)


def approved() -> BillingRun:
    run = drafted()
    run.approve(role="cs_manager", approver="mgr-li", at=NOW)
    run.approve(role="accountant", approver="acc-wang", at=NOW)
    return run


def test_one_run_per_site_and_period_with_its_receivable_table() -> None:
    run = drafted()
    assert run.id == BillingRun.create_id(SITE, NOV) == BillingRun.create_id(SITE, "2026-11")
    assert run.id != BillingRun.create_id(SITE, NOV.next())
    assert run.status == BillingRunStatus.DRAFTED
    assert run.receivable == {"12A": Decimal("680.00"), "12B": Decimal("90.00")}
    assert run.total_receivable == Decimal("770.00")


def test_the_run_goes_drafted_approved_issued_closed() -> None:
    run = approved()
    assert run.status == BillingRunStatus.APPROVED
    assert run.approvals == {"cs_manager": "mgr-li", "finance": "acc-wang"}
    run.issue(due_date=DUE, at=NOW)
    assert (run.status, run.due_date) == (BillingRunStatus.ISSUED, DUE)
    run.close(at=NOW)
    assert run.status == BillingRunStatus.CLOSED
    names = [type(e).__name__ for e in run.collect_events()]
    assert names == ["Drafted", "Approved", "Approved", "Issued", "PeriodClosed"]


@pytest.mark.parametrize("finance_role", ["accountant", "cashier"])
def test_both_cs_manager_and_finance_must_approve(finance_role: str) -> None:
    run = drafted()
    run.approve(role=finance_role, approver="fin", at=NOW)
    assert run.status == BillingRunStatus.DRAFTED
    with pytest.raises(Conflict, match="cs_manager"):
        run.issue(due_date=DUE, at=NOW)
    run.approve(role="cs_manager", approver="mgr", at=NOW)
    assert run.status == BillingRunStatus.APPROVED


def test_approving_twice_is_a_conflict() -> None:
    run = drafted()
    run.approve(role="accountant", approver="acc-wang", at=NOW)
    with pytest.raises(Conflict, match="already approved"):
        run.approve(role="cashier", approver="cashier-zhao", at=NOW)  # finance signed already
    run.approve(role="cs_manager", approver="mgr-li", at=NOW)
    with pytest.raises(Conflict, match="already approved"):
        run.approve(role="cs_manager", approver="mgr-li", at=NOW)


def test_one_person_cannot_give_both_approvals() -> None:
    run = drafted()
    run.approve(role="cs_manager", approver="li", at=NOW)
    with pytest.raises(Conflict, match="same person"):
        run.approve(role="accountant", approver="li", at=NOW)


def test_only_approver_roles_approve() -> None:
    with pytest.raises(Invalid) as err:
        drafted().approve(role="front_desk", approver="x", at=NOW)
    assert err.value.field == "role"


def test_issuing_before_approval_or_twice_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="before approval"):
        drafted().issue(due_date=DUE, at=NOW)
    run = approved()
    with pytest.raises(Invalid) as err:
        run.issue(due_date=date(2026, 10, 31), at=NOW)
    assert err.value.field == "due_date"
    run.issue(due_date=DUE, at=NOW)
    with pytest.raises(Conflict, match="already issued"):
        run.issue(due_date=DUE, at=NOW)


def test_close_only_after_issue_and_once() -> None:
    with pytest.raises(Conflict):
        approved().close(at=NOW)
    run = approved()
    run.issue(due_date=DUE, at=NOW)
    run.close(at=NOW)
    with pytest.raises(Conflict):
        run.close(at=NOW)
    with pytest.raises(Conflict):
        run.approve(role="cs_manager", approver="x", at=NOW)


def test_a_draft_can_be_redone_until_approved_and_loses_its_approvals() -> None:
    run = drafted()
    run.approve(role="cs_manager", approver="mgr", at=NOW)
    run.redraft(receivable={"12A": "760"}, at=NOW)
    assert (run.approvals, run.total_receivable) == ({}, Decimal("760.00"))
    run.approve(role="cs_manager", approver="mgr", at=NOW)
    run.approve(role="cashier", approver="cash", at=NOW)
    with pytest.raises(Conflict):
        run.redraft(receivable={"12A": "1"}, at=NOW)


def test_a_receivable_is_never_negative() -> None:
    with pytest.raises(Invalid) as err:
        BillingRun.draft(site_id=SITE, period=NOV, receivable={"12A": "-1"}, at=NOW)
    assert err.value.field == "receivable"
