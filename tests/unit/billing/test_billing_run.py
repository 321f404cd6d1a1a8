from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts.billing_api import ConfigureBilling
from runtime.errors import Conflict, Forbidden, Invalid
from services.billing.domain import (
    SEED_APPROVAL_CHAIN,
    BillingRun,
    BillingRunStatus,
    sign_off_chain,
)
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
    run.approve(role="general_manager", approver="gm-zhang", at=NOW)
    run.approve(role="finance_manager", approver="fm-wang", at=NOW)
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
    assert run.approvals == {
        "cs_manager": "mgr-li", "general_manager": "gm-zhang", "finance_manager": "fm-wang",
    }  # fmt: skip
    run.issue(due_date=DUE, at=NOW)
    assert (run.status, run.due_date) == (BillingRunStatus.ISSUED, DUE)
    run.close(at=NOW)
    assert run.status == BillingRunStatus.CLOSED
    names = [type(e).__name__ for e in run.collect_events()]
    assert names == ["Drafted", "Approved", "Approved", "Approved", "Issued", "PeriodClosed"]


def test_the_seed_chain_signs_in_order_cs_manager_general_manager_finance_manager() -> None:
    run = drafted()
    assert run.approval_chain == SEED_APPROVAL_CHAIN
    assert run.awaiting == "cs_manager"
    with pytest.raises(Conflict, match="cs_manager signs before general_manager"):
        run.approve(role="general_manager", approver="gm", at=NOW)
    run.approve(role="cs_manager", approver="mgr", at=NOW)
    with pytest.raises(Conflict, match="general_manager signs before finance_manager"):
        run.approve(role="finance_manager", approver="fm", at=NOW)
    with pytest.raises(Conflict, match="missing: general_manager, finance_manager"):
        run.issue(due_date=DUE, at=NOW)
    run.approve(role="general_manager", approver="gm", at=NOW)
    assert (run.status, run.awaiting) == (BillingRunStatus.DRAFTED, "finance_manager")
    run.approve(role="finance_manager", approver="fm", at=NOW)
    assert (run.status, run.awaiting) == (BillingRunStatus.APPROVED, None)


@pytest.mark.parametrize("role", ["cashier", "accountant", "front_desk"])
def test_a_role_outside_the_chain_never_approves(role: str) -> None:
    run = drafted()
    with pytest.raises(Forbidden, match="does not sign"):
        run.approve(role=role, approver="x", at=NOW)
    assert run.collect_events()[1:] == []


def test_a_cashier_is_in_no_chain() -> None:
    with pytest.raises(Invalid, match="cashier") as err:
        sign_off_chain(["cs_manager", "cashier"])
    assert err.value.field == "approval_chain"
    with pytest.raises(ValidationError) as refused:
        ConfigureBilling(approval_chain=["cs_manager", "cashier"])
    assert refused.value.errors()[0]["loc"][0] == "approval_chain"


@pytest.mark.parametrize(
    "chain", [["cs_manager"], ["cs_manager", "cs_manager"], ["cs_manager", "technician"], []]
)
def test_a_chain_has_two_or_more_different_approver_roles(chain: list[str]) -> None:
    with pytest.raises(Invalid) as err:
        sign_off_chain(chain)
    assert err.value.field == "approval_chain"


def test_a_site_may_set_its_own_chain() -> None:
    chain = ("accountant", "finance_manager")
    run = BillingRun.draft(site_id=SITE, period=NOV, receivable={}, at=NOW, approval_chain=chain)
    with pytest.raises(Forbidden):
        run.approve(role="cs_manager", approver="mgr", at=NOW)
    run.approve(role="accountant", approver="acc", at=NOW)
    run.approve(role="finance_manager", approver="fm", at=NOW)
    assert run.status == BillingRunStatus.APPROVED


def test_approving_twice_is_a_conflict() -> None:
    run = drafted()
    run.approve(role="cs_manager", approver="mgr-li", at=NOW)
    with pytest.raises(Conflict, match="already approved"):
        run.approve(role="cs_manager", approver="mgr-zhou", at=NOW)
    run = approved()
    with pytest.raises(Conflict, match="already approved"):
        run.approve(role="finance_manager", approver="fm-wang", at=NOW)


def test_each_step_is_signed_by_a_different_person() -> None:
    run = drafted()
    run.approve(role="cs_manager", approver="li", at=NOW)
    with pytest.raises(Conflict, match="different person"):
        run.approve(role="general_manager", approver="li", at=NOW)


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
    run.redraft(receivable={"12A": "760"}, at=NOW, approval_chain=["cs_manager", "accountant"])
    assert (run.approvals, run.total_receivable) == ({}, Decimal("760.00"))
    assert run.approval_chain == ("cs_manager", "accountant")  # the site's chain as it is now
    run.approve(role="cs_manager", approver="mgr", at=NOW)
    run.approve(role="accountant", approver="acc", at=NOW)
    with pytest.raises(Conflict):
        run.redraft(receivable={"12A": "1"}, at=NOW)


def test_a_receivable_is_never_negative() -> None:
    with pytest.raises(Invalid) as err:
        BillingRun.draft(site_id=SITE, period=NOV, receivable={"12A": "-1"}, at=NOW)
    assert err.value.field == "receivable"
