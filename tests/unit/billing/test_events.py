"""Every billing event is stored as JSON and the aggregates replay to the same state."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from services.billing.domain import (
    SEED_APPROVAL_CHAIN,
    BillingRun,
    BillingRunStatus,
    FeeSchedule,
    LateFeePolicy,
    UnitAccount,
)
from services.billing.money import Period
from tests.unit.billing import InMemoryApp

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SITE = uuid4()
OCT, NOV = Period(2026, 10), Period(2026, 11)


def test_fee_schedule_and_billing_run_replay_from_stored_events() -> None:
    fees = FeeSchedule.open(site_id=SITE, at=NOW)
    fees.set_rate(fee_type="water", amount_per_unit="4.215", effective_from=OCT, at=NOW)
    run = BillingRun.draft(site_id=SITE, period=NOV, receivable={"12A": "10.5"}, at=NOW)
    run.approve(role="cs_manager", approver="a", at=NOW)
    run.approve(role="general_manager", approver="b", at=NOW)
    run.approve(role="finance_manager", approver="c", at=NOW)
    run.issue(due_date=date(2026, 11, 15), at=NOW)
    app = InMemoryApp()
    app.save(fees, run)
    stored_fees: FeeSchedule = app.repository.get(fees.id)
    assert stored_fees.rate_for("water", NOV) == Decimal("4.2150")
    stored_run: BillingRun = app.repository.get(run.id)
    assert (stored_run.status, stored_run.due_date, stored_run.receivable) == (
        run.status, run.due_date, {"12A": Decimal("10.50")},
    )  # fmt: skip


def test_a_run_approved_before_the_chain_was_a_setting_replays_approved() -> None:
    """Stored runs from before: no chain on the draft, CS manager and "finance"
    (accountant or cashier) approvals with no `completes`."""
    run = BillingRun.draft(site_id=SITE, period=NOV, receivable={"12A": "10"}, at=NOW)
    run.approve(role="cs_manager", approver="a", at=NOW)
    run.approve(role="general_manager", approver="b", at=NOW)
    app = InMemoryApp()
    legacy = []
    for e, approval in zip(run.collect_events(), (None, "cs_manager", "finance"), strict=True):
        stored = app.mapper.to_stored_event(e)
        state = app.mapper.transcoder.decode(stored.state)
        state.pop("approval_chain", None)
        state.pop("completes", None)
        if approval:
            state.update(role="cashier" if approval == "finance" else approval, approval=approval)
        legacy.append(dataclasses.replace(stored, state=app.mapper.transcoder.encode(state)))
    app.recorder.insert_events(legacy)
    replayed: BillingRun = app.repository.get(run.id)
    assert replayed.status == BillingRunStatus.APPROVED
    assert replayed.approval_chain == SEED_APPROVAL_CHAIN


def test_every_unit_account_event_replays() -> None:
    account = UnitAccount.open(site_id=SITE, unit="12A", at=NOW)
    account.post_charge(
        charge_id="c1", period=OCT, fee_type="management", amount="300", description="m", at=NOW
    )
    account.issue_statement(period=OCT, due_date=date(2026, 10, 31), at=NOW)
    account.receive_payment(reference="P1", amount="100", method="alipay", at=NOW)
    account.receive_payment(reference="P2", amount="50", method="cash", at=NOW)
    account.reverse_payment(reference="P2", reason="counterfeit", at=NOW)
    account.adjust(adjustment_id="a1", amount="-20", reason="r", period=NOV, charge_id="c1", at=NOW)
    account.mark_overdue(period=OCT, as_of=date(2026, 11, 20), grace_days=5, at=NOW)
    account.send_dunning_notice(period=OCT, level=1, at=NOW)
    account.assess_late_fee(
        period=OCT, as_of=date(2026, 11, 20), policy=LateFeePolicy("fixed", Decimal(15)),
        grace_days=5, at=NOW,
    )  # fmt: skip
    account.close_period(period=OCT, at=NOW)
    app = InMemoryApp()
    app.save(account)
    names = {type(e).__name__ for e in app.events.get(account.id)}
    assert names == {
        "Opened", "ChargePosted", "StatementIssued", "PaymentReceived", "PaymentAllocated",
        "PaymentReversed", "ChargeAdjusted", "FeeOverdue", "DunningNoticeSent",
        "LateFeeAssessed", "PeriodClosed",
    }  # fmt: skip
    stored: UnitAccount = app.repository.get(account.id)
    assert stored.lines() == account.lines()
    assert (stored.outstanding(), stored.credit, stored.total_paid) == (
        Decimal("195.00"), Decimal(0), Decimal("100.00"),
    )  # fmt: skip
    assert stored.dunning_sent == {(OCT, 1)}
    assert stored.overdue_periods == {OCT}
    assert stored.closed_periods == {OCT}
