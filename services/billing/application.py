"""Billing application: fee schedules, the monthly run, statements, payments, overdue.

Bulk jobs (registering units, the monthly run, issuing statements, the overdue sweep,
the period close) work through a site's accounts in chunks: each chunk is loaded with
one query and saved in one transaction, so a run of 100,000 units takes seconds, and a
run killed half-way and started again charges every unit exactly once (charge ids
are deterministic and a posted charge is never posted again).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import RecordConflictError

from contracts import billing_api as api
from runtime.clock import clock, local_date
from runtime.errors import Conflict, ForeignSiteReference, Invalid, NotFound
from runtime.eventstore import ServiceApplication
from runtime.settings import ServiceSettings
from runtime.sites import site_timezone
from services.billing.application_collection import CollectionCommands
from services.billing.application_phone import PhoneChargeCommands
from services.billing.collection import notice_due
from services.billing.domain import (
    BillingPolicy,
    BillingRun,
    BillingRunStatus,
    FeeSchedule,
    FeeType,
    LateFeePolicy,
    ParkedRepair,
    PaymentReference,
    ReceiptBook,
    UnbilledRepairs,
    UnitAccount,
    UnitProfile,
    UnitRegister,
    monthly_charges,
)
from services.billing.money import ZERO, Period, money
from services.billing.saved_behind import saving_behind

A = TypeVar("A")
Progress = Callable[[int], None]  # units done so far in this step


class BillingSettings(ServiceSettings):
    billing_grpc_port: int = 50063
    billing_chunk_size: int = 1000
    billing_account_cache: int = 200_000  # accounts kept between bulk jobs


class BillingApplication(CollectionCommands, PhoneChargeCommands, ServiceApplication):
    name = "billing"

    def __init__(self, settings: BillingSettings) -> None:
        super().__init__(settings, settings.schema_name("billing"))
        self.chunk_size = settings.billing_chunk_size
        # Accounts as last saved or loaded by a bulk job, checked against the stored
        # version before use: issuing right after the monthly run reads no history again.
        self._accounts_seen: dict[UUID, tuple[UnitAccount, int]] = {}  # and its version then
        self._accounts_seen_max = settings.billing_account_cache

    # -- site settings ------------------------------------------------------------------

    def configure(self, site_id: UUID, cmd: api.ConfigureBilling, cid: str | None) -> None:
        def command() -> None:
            now = clock.now()
            policy = self.policy(site_id)
            late_fee = None if cmd.late_fee is None else LateFeePolicy(
                kind=cmd.late_fee.kind, value=cmd.late_fee.value, cap=cmd.late_fee.cap
            )  # fmt: skip
            policy.change(days_to_pay=cmd.days_to_pay, grace_days=cmd.grace_days,
                          late_fee=late_fee, currency=cmd.currency, at=now,
                          approval_chain=cmd.approval_chain)  # fmt: skip
            self.save(policy)

        self.run(cid, command)

    def set_rate(self, site_id: UUID, cmd: api.SetRate, cid: str | None) -> None:
        def command() -> None:
            now = clock.now()
            schedule = self._get(FeeSchedule.create_id(site_id)) or FeeSchedule.open(
                site_id=site_id, at=now, currency=self.policy(site_id).currency
            )
            schedule.set_rate(fee_type=cmd.fee_type, amount_per_unit=cmd.amount_per_unit,
                              effective_from=Period.parse(cmd.effective_from), at=now)  # fmt: skip
            self.save(schedule)

        self.run(cid, command)

    def policy(self, site_id: UUID) -> BillingPolicy:
        return self._get(BillingPolicy.create_id(site_id)) or BillingPolicy.defaults(
            site_id, clock.now()
        )

    # -- units ----------------------------------------------------------------------------

    def register_units(self, site_id: UUID, cmd: api.RegisterUnits, cid: str | None) -> int:
        """Open an account per new unit and set every unit's profile; returns new units."""
        specs = {spec.unit: spec for spec in cmd.units}

        def command() -> int:
            now = clock.now()
            register = self._get(UnitRegister.create_id(site_id)) or UnitRegister(
                site_id=site_id, at=now
            )
            new = register.register(units=list(specs), at=now)
            self.save(register)
            currency = self.policy(site_id).currency
            for chunk in _chunks(list(specs), self.chunk_size):
                accounts = self._accounts(site_id, chunk)
                changed = []
                for unit in chunk:
                    account = accounts.get(unit) or UnitAccount.open(
                        site_id=site_id, unit=unit, at=now, currency=currency
                    )
                    spec = specs[unit]
                    profile = UnitProfile(
                        area_m2=spec.area_m2, parking_spaces=spec.parking_spaces,
                        phone_lines=spec.phone_lines, other_services=spec.other_services,
                    )  # fmt: skip
                    if account.set_profile(profile=profile, at=now) or unit not in accounts:
                        changed.append(account)
                if changed:
                    self._save_accounts(changed)
            return len(new)

        return self.run(cid, command)

    def record_water(self, site_id: UUID, cmd: api.RecordWater, cid: str | None) -> int:
        """The month's meter readings; refused once the month's table is signed (it would
        never be billed: a late reading is corrected by an adjustment)."""
        period = Period.parse(cmd.period)

        def command() -> int:
            now = clock.now()
            run = self._get(BillingRun.create_id(site_id, period))
            if run is not None and not run.takes_charges:
                raise Conflict(f"the {period} table is {run.status}; bill a late reading "
                               "by an adjustment")  # fmt: skip
            accounts = self._accounts(site_id, list(cmd.readings))
            missing = sorted(set(cmd.readings) - set(accounts))
            if missing:
                raise NotFound(f"unknown unit(s) at this site: {', '.join(missing[:10])}")
            changed = [
                a for u, a in accounts.items()
                if a.record_water(period=period, water_m3=cmd.readings[u], at=now)
            ]  # fmt: skip
            if changed:
                self._save_accounts(changed)
            return len(changed)

        return self.run(cid, command)

    # -- the monthly cycle ----------------------------------------------------------------

    def run_month(
        self, site_id: UUID, period: Period, cid: str | None, progress: Progress | None = None
    ) -> dict[str, Any]:
        """Post every unit's charges for the period once, then draft the receivable table.

        Re-running posts nothing twice; it is allowed until the run is approved. A month
        is run at the earliest in the month before it (seed 001: the secretary makes
        next month's receivable table), never further ahead. The table holds charges
        and late fees; adjustments are corrections, shown beside it.
        """

        def command() -> dict[str, Any]:
            now = clock.now()
            self._require_bookable(site_id, period, now)
            run = self._get(BillingRun.create_id(site_id, period))
            if run is not None and not run.takes_charges:
                raise Conflict(f"the {period} run is {run.status}; it can no longer be re-run")
            rates = self.monthly_rates(site_id, self._get(FeeSchedule.create_id(site_id)), period)
            totals: dict[str, Decimal] = defaultdict(Decimal)
            posted = done = 0
            with saving_behind() as save_behind:
                for accounts in self._account_chunks(site_id):
                    changed = []
                    for account in accounts:
                        profile = account.billing_profile(period)
                        lines = (monthly_charges(rates, profile, period,
                                                 account.occupied_days(period))
                                 if profile else [])  # fmt: skip
                        new = account.post_monthly_charges(lines=lines, period=period, at=now)
                        if new:
                            changed.append(account)
                            posted += int(new)
                        for line in account.lines():
                            if line.period == period and line.kind != "adjustment":
                                totals[line.fee_type or line.kind] += line.amount
                    if changed:
                        save_behind(partial(self._save_chunk, changed))
                    done += len(accounts)
                    if progress:
                        progress(done)
            receivable = {fee: money(total) for fee, total in sorted(totals.items())}
            chain = self.policy(site_id).approval_chain
            if run is None:
                run = BillingRun.draft(site_id=site_id, period=period, receivable=receivable,
                                       at=now, approval_chain=chain)  # fmt: skip
            else:
                run.redraft(receivable=receivable, at=now, approval_chain=chain)
            self.save(run)
            return {"period": str(period), "units": done, "charges_posted": posted,
                    "receivable": receivable, "status": run.status.value}  # fmt: skip

        return self.run(cid, command)

    def approve(self, site_id: UUID, period: Period, role: str, approver: str,
                cid: str | None) -> dict[str, Any]:  # fmt: skip
        def command() -> dict[str, Any]:
            run = self.billing_run(site_id, period)
            run.approve(role=role, approver=approver, at=clock.now())
            self.save(run)
            return self.run_view(run)

        return self.run(cid, command)

    def issue(self, site_id: UUID, period: Period, due_date: date | None, cid: str | None,
              progress: Progress | None = None) -> dict[str, Any]:  # fmt: skip
        """Issue the payment notices of an approved run; resumable if interrupted."""

        def command() -> dict[str, Any]:
            now = clock.now()
            run = self.billing_run(site_id, period)
            if run.status != BillingRunStatus.ISSUED:
                today = local_date(now, site_timezone(site_id))
                due = due_date or today + timedelta(days=self.policy(site_id).days_to_pay)
                run.issue(due_date=due, at=now)
                self.save(run)
            due_by = run.due_date
            assert due_by is not None
            issued = self._each_account(
                site_id,
                lambda a: a.issue_statement(period=period, due_date=due_by, at=now),
                progress,
                lasting=True,
            )
            return {**self.run_view(run), "statements_issued": issued}

        return self.run(cid, command)

    def close_period(self, site_id: UUID, period: Period, cid: str | None) -> dict[str, Any]:
        """Month end: the run and every account of the site accept no more postings."""

        def command() -> dict[str, Any]:
            now = clock.now()
            run = self.billing_run(site_id, period)
            if run.status != BillingRunStatus.CLOSED:
                run.close(at=now)
                self.save(run)
            self._each_account(
                site_id, lambda a: a.close_period(period=period, at=now), lasting=True
            )
            return self.run_view(run)

        return self.run(cid, command)

    def sweep_overdue(self, site_id: UUID, as_of: date | None, cid: str | None,
                      by: str | None = None) -> dict[str, int]:  # fmt: skip
        """Unpaid statements past due date + grace days: FeeOverdue, the written notice
        (the collection policy's first level, once the statement is its days late), and
        the site's late fee when it has one, booked in the next month not yet signed off
        (it joins that month's table in the same transaction). A unit whose oldest
        overdue amount is the policy's escalation days late goes to the CS manager
        (`CollectionLog.escalate`, saved with the unit's account).

        Nothing that books money is dated after the site's business today: `as_of`
        may be today or earlier (re-sweeping a missed day), never later.
        """

        def command() -> dict[str, int]:
            now = clock.now()
            today = local_date(now, site_timezone(site_id))
            if as_of is not None and as_of > today:
                raise Invalid(f"as_of {as_of} is after today ({today}) at this site",
                              field="as_of")  # fmt: skip
            swept_on = as_of or today
            policy = self.policy(site_id)
            levels = self.collection_policy(site_id).days
            counts: Counter[str] = Counter()
            runs: dict[Period, BillingRun] = {}
            joined: dict[Period, Decimal] = defaultdict(Decimal)
            escalated: list[Any] = []

            def sweep(account: UnitAccount) -> bool:
                changed = False
                for period in sorted(account.statements):
                    if account.mark_overdue(period=period, as_of=swept_on,
                                            grace_days=policy.grace_days, at=now):  # fmt: skip
                        counts["overdue"] += 1
                        changed = True
                    if (
                        period in account.overdue_periods
                        and notice_due(levels, account.statements[period], swept_on)
                        and account.send_dunning_notice(period=period, level=1, at=now)
                    ):
                        counts["dunning_notices"] += 1
                        changed = True
                    late_fee = policy.late_fee
                    if late_fee is None or period in account.late_fee_periods:
                        continue
                    month = self._month_taking_charges(
                        site_id, account, Period.of(swept_on), runs, now
                    )
                    if account.assess_late_fee(
                        period=period, as_of=swept_on, policy=late_fee,
                        grace_days=policy.grace_days, at=now, book_in=month.period,
                    ):  # fmt: skip
                        fee = account.line(account.charge_id_for(period, FeeType.LATE_FEE))
                        joined[month.period] += fee.amount if fee else ZERO
                        counts["late_fees"] += 1
                        changed = True
                log = self.escalation(account, levels, policy.grace_days, swept_on,
                                      by or "overdue sweep", now)  # fmt: skip
                if log is not None:
                    escalated.append(log)
                    counts["escalations"] += 1
                return changed or log is not None

            def late_fees_and_escalations() -> list[Any]:
                for period, amount in joined.items():
                    runs[period].join(fee_type=FeeType.LATE_FEE, amount=amount, at=now)
                touched: list[Any] = [runs[period] for period in joined]
                joined.clear()
                touched.extend(escalated)
                escalated.clear()
                return touched

            self._each_account(site_id, sweep, saved_with=late_fees_and_escalations)
            return dict(counts)

        return self.run(cid, command)

    # -- payments and corrections -----------------------------------------------------------

    def receive_payment(self, site_id: UUID, unit: str, cmd: api.ReceivePayment,
                        cid: str | None, cashier: str | None = None) -> bool:  # fmt: skip
        """A payment, once per reference at the site: the same payment again on the same
        unit records nothing; the reference on another unit is a Conflict. The claim on
        the reference is saved with the payment (one transaction), so a race between two
        units is lost by one of them; so is the payment's receipt, numbered next at the
        site (`ReceiptBook`): a lost race renumbers nothing."""

        def command() -> bool:
            now = clock.now()
            account = self.account(site_id, unit)
            claim = self._get(PaymentReference.create_id(site_id, cmd.reference))
            claimed_now = claim is None
            if claim is None:
                claim = PaymentReference.claim(site_id=site_id, reference=cmd.reference,
                                               unit=unit, at=now)  # fmt: skip
            claim.require_unit(unit)
            recorded = account.receive_payment(reference=cmd.reference, amount=cmd.amount,
                                               method=cmd.method, at=now)  # fmt: skip
            if recorded:
                book = self._receipt_book(site_id, now)
                book.issue(unit=unit, reference=cmd.reference, amount=cmd.amount,
                           method=cmd.method, at=now, cashier=cashier)  # fmt: skip
                self.save(account, claim, book)
            elif claimed_now:  # (a replay of a payment from before claims: claim it)
                self.save(account, claim)
            return recorded

        return self.run(cid, command, retries=5)

    def reverse_payment(self, site_id: UUID, unit: str, reference: str,
                        cmd: api.ReversePayment, cid: str | None) -> None:  # fmt: skip
        """A reversed payment's receipt is voided with the same reason (kept, numbered)."""

        def command() -> None:
            now = clock.now()
            account = self.account(site_id, unit)
            account.reverse_payment(reference=reference, reason=cmd.reason, at=now)
            book = self._receipt_book(site_id, now)
            voided = book.void(unit=unit, reference=reference, reason=cmd.reason, at=now)
            self.save(account, *([book] if voided else []))

        self.run(cid, command, retries=5)

    def receipts(self, site_id: UUID) -> list[dict[str, Any]]:
        """The site's receipts in number order, voided ones included."""
        book: ReceiptBook | None = self._get(ReceiptBook.create_id(site_id))
        return list(book.receipts) if book else []

    def _receipt_book(self, site_id: UUID, at: datetime) -> ReceiptBook:
        found: ReceiptBook | None = self._get(ReceiptBook.create_id(site_id))
        return found or ReceiptBook(site_id=site_id, at=at)

    def adjust(self, site_id: UUID, unit: str, cmd: api.Adjust, cid: str | None) -> bool:
        """A correction, in any open month up to next month (never further ahead)."""

        def command() -> bool:
            now = clock.now()
            period = Period.parse(cmd.period)
            self._require_bookable(site_id, period, now)
            account = self.account(site_id, unit)
            done = account.adjust(adjustment_id=cmd.adjustment_id, amount=cmd.amount,
                                  reason=cmd.reason, period=period,
                                  charge_id=cmd.charge_id, at=now)  # fmt: skip
            if done:
                self.save(account)
            return done

        return self.run(cid, command, retries=5)

    def post_paid_repair(self, site_id: UUID, unit: str | None, work_order_id: UUID,
                         number: str, fee: Decimal, verified_at: datetime,
                         cid: str | None) -> bool:  # fmt: skip
        """A verified paid repair joins the tenant's monthly receivables, once (True when
        charged now).

        Seed 001: 有偿维修费用每个月结算一次,纳入应收表 (paid repairs are settled monthly,
        in the receivable table); see `_charge_repair` for the month. A repair for a unit
        billing does not know is parked for finance (`UnbilledRepairs`), never dropped.
        """

        def command() -> bool:
            unbilled = self._unbilled_repairs(site_id, verified_at)
            if unbilled.knows(work_order_id):
                return False  # finance's to assign, or assigned already
            account = self._get(UnitAccount.create_id(site_id, unit)) if unit else None
            if account is None:
                if unbilled.park(work_order_id=work_order_id, number=number, unit=unit, fee=fee,
                                 verified_at=verified_at, at=verified_at):  # fmt: skip
                    self.save(unbilled)
                return False
            if account.site_id != site_id:
                raise ForeignSiteReference(f"account {account.id} is not of site {site_id}")
            charged = self._charge_repair(account, work_order_id, number, fee, verified_at,
                                          verified_at)  # fmt: skip
            if charged:
                self.save(account, charged)
            return charged is not None

        return self.run(cid, command, retries=5)

    def assign_paid_repair(self, site_id: UUID, work_order_id: UUID, cmd: api.AssignPaidRepair,
                           cid: str | None) -> None:  # fmt: skip
        """Finance charges a parked paid repair to the unit they name (once)."""

        def command() -> None:
            now = clock.now()
            unbilled = self._get(UnbilledRepairs.create_id(site_id))
            if unbilled is None:
                raise NotFound(f"no unbilled paid repair {work_order_id} at this site")
            account = self.account(site_id, cmd.unit)
            repair = unbilled.assign(work_order_id=work_order_id, unit=cmd.unit, at=now)
            charged = self._charge_repair(account, work_order_id, repair.number, repair.fee,
                                          repair.verified_at, now)  # fmt: skip
            self.save(unbilled, account, *([charged] if charged else []))

        self.run(cid, command, retries=5)

    # -- building services (visitor events, through Kafka) ----------------------------------

    def post_service_charge(self, site_id: UUID, unit: str, order_id: UUID, fee_type: FeeType,
                            amount: Decimal, description: str, signed_at: datetime,
                            cid: str | None) -> bool:  # fmt: skip
        """A building-service order the tenant signed for at the desk (laundry, catering,
        business centre) joins the unit's monthly receivables, once (True when charged now).

        Seed 001: 每个月月底依据洗衣服务确定单,向用户收取洗衣费 / 依据送餐服务确定单向用户收取
        餐费. Booked in the local month it was signed in, or the next month not yet signed
        (`_month_taking_charges`). The unit is one of the site's (the desk held it to the
        roster): billing's units follow it as a move-in's do, its account opened if new.
        """

        def command() -> bool:
            account = self._open_account(site_id, unit, signed_at)
            charge_id = str(uuid5(account.id, f"service_order:{order_id}"))
            if account.line(charge_id) is not None:
                return False  # delivered again: charged already, wherever it went
            register = self._get(UnitRegister.create_id(site_id)) or UnitRegister(
                site_id=site_id, at=signed_at
            )
            registered = bool(register.register(units=[unit], at=signed_at))
            signed_in = Period.of(local_date(signed_at, site_timezone(site_id)))
            month = self._month_taking_charges(site_id, account, signed_in, {}, signed_at)
            account.post_charge(charge_id=charge_id, period=month.period, fee_type=fee_type,
                                amount=amount, description=description, at=signed_at)  # fmt: skip
            month.join(fee_type=fee_type, amount=amount, at=signed_at)
            self._save_accounts([account], month, *([register] if registered else []))
            return True

        return self.run(cid, command, retries=5)

    # -- the tenancy ------------------------------------------------------------------------

    def begin_tenancy(self, site_id: UUID, unit: str, tenancy_id: UUID, billing_starts_on: date,
                      at: datetime, cid: str | None) -> bool:  # fmt: skip
        """A move-in (tenancy events, through Kafka): billing's units follow the roster (the
        unit is registered, its account opened), and charges run from the billing start
        date. What the unit is billed on (area, spaces, lines) is finance's profile."""

        def command() -> bool:
            register = self._get(UnitRegister.create_id(site_id)) or UnitRegister(
                site_id=site_id, at=at
            )
            registered = bool(register.register(units=[unit], at=at))
            account = self._open_account(site_id, unit, at)
            began = account.begin_tenancy(tenancy_id=tenancy_id,
                                          billing_starts_on=billing_starts_on, at=at)  # fmt: skip
            if began or registered:
                self._save_accounts([account] if began else [], *([register] if registered else []))
            return began

        return self.run(cid, command, retries=5)

    def end_tenancy(self, site_id: UUID, unit: str, tenancy_id: UUID, moved_out_on: date,
                    reference: str, at: datetime, cid: str | None) -> bool:  # fmt: skip
        """A move-out: charges stop at the move-out date and the final settlement is drawn.

        Every month of the tenancy up to the move-out month is billed for the days
        occupied: a month not yet charged is charged now (and joins its table when that
        is not yet signed), a month charged in full before the move-out was known is
        corrected down by adjustments; then the statement nets what is owed, the credit
        and the fit-out deposits still held (`UnitAccount.draw_final_settlement`).
        """

        def command() -> bool:
            account = self.account(site_id, unit)
            if not account.end_tenancy(tenancy_id=tenancy_id, moved_out_on=moved_out_on, at=at):
                return False
            start = account.tenancies[str(tenancy_id)][0]
            assert start is not None
            schedule = self._get(FeeSchedule.create_id(site_id))
            runs: dict[Period, BillingRun] = {}
            last = max([Period.of(moved_out_on), *(line.period for line in account.lines())])
            period = Period.of(start)
            while period <= last:
                self._bill_days_occupied(account, tenancy_id, period, schedule, runs, at)
                period = period.next()
            account.draw_final_settlement(tenancy_id=tenancy_id, reference=reference,
                                          moved_out_on=moved_out_on, at=at)  # fmt: skip
            self._save_accounts([account], *(run for run in runs.values() if run.pending_events))
            return True

        return self.run(cid, command, retries=5)

    def _bill_days_occupied(self, account: UnitAccount, tenancy_id: UUID, period: Period,
                            schedule: FeeSchedule | None, runs: dict[Period, BillingRun],
                            at: datetime) -> None:  # fmt: skip
        profile = account.billing_profile(period)
        if profile is None:
            return
        rates = self.monthly_rates(account.site_id, schedule, period)
        lines = monthly_charges(rates, profile, period, account.occupied_days(period))
        if account.charged_monthly(period):
            account.stop_charges(tenancy_id=tenancy_id, period=period, lines=lines, at=at)
            return
        if period in account.statements or period in account.closed_periods:
            return
        run = runs.get(period) or self._get(BillingRun.create_id(account.site_id, period))
        if run is not None and not run.takes_charges:
            return  # a signed month not charged to this unit stays as signed
        run = runs.setdefault(period, run or BillingRun.open(site_id=account.site_id,
                                                             period=period, at=at))  # fmt: skip
        for line in lines:
            if account.post_charge(charge_id=account.charge_id_for(period, line.fee_type, line.ref),
                                   period=period, fee_type=line.fee_type, amount=line.amount,
                                   description=line.description, at=at):  # fmt: skip
                run.join(fee_type=line.fee_type, amount=line.amount, at=at)

    def hold_deposit(self, site_id: UUID, unit: str, permit_id: UUID, amount: Decimal,
                     at: datetime, cid: str | None) -> bool:  # fmt: skip
        """A fit-out's deposit is held on the unit's account (a liability)."""

        def command() -> bool:
            account = self._open_account(site_id, unit, at)
            held = account.hold_deposit(permit_id=permit_id, amount=amount, at=at)
            if held:
                self._save_accounts([account])
            return held

        return self.run(cid, command, retries=5)

    def release_deposit(self, site_id: UUID, unit: str, permit_id: UUID, refunded: Decimal,
                        deducted: Decimal, at: datetime, cid: str | None) -> bool:  # fmt: skip
        def command() -> bool:
            account = self.account(site_id, unit)
            released = account.release_deposit(permit_id=permit_id, refunded=refunded,
                                               deducted=deducted, at=at)  # fmt: skip
            if released:
                self._save_accounts([account])
            return released

        return self.run(cid, command, retries=5)

    def _open_account(self, site_id: UUID, unit: str, at: datetime) -> UnitAccount:
        found: UnitAccount | None = self._get(UnitAccount.create_id(site_id, unit))
        if found is not None and found.site_id != site_id:
            raise ForeignSiteReference(f"account {found.id} is not of site {site_id}")
        return found or UnitAccount.open(site_id=site_id, unit=unit, at=at,
                                         currency=self.policy(site_id).currency)  # fmt: skip

    def unbilled_repairs(self, site_id: UUID) -> list[ParkedRepair]:
        unbilled = self._get(UnbilledRepairs.create_id(site_id))
        return unbilled.waiting() if unbilled else []

    def _charge_repair(
        self,
        account: UnitAccount,
        work_order_id: UUID,
        number: str,
        fee: Decimal,
        verified_at: datetime,
        at: datetime,
    ) -> BillingRun | None:
        """Post a paid repair on `account` and join it to its month's table; the run to
        save with the account, or None when the repair was charged before.

        It is charged in the month it was verified, or, when that month's table is
        already signed (approved, issued or closed), in the next month not yet signed.
        """
        charge_id = str(uuid5(account.id, f"paid_repair:{work_order_id}"))
        if account.line(charge_id) is not None:
            return None  # delivered again: charged already, wherever it went
        verified_in = Period.of(local_date(verified_at, site_timezone(account.site_id)))
        month = self._month_taking_charges(account.site_id, account, verified_in, {}, at)
        account.post_charge(
            charge_id=charge_id, period=month.period, fee_type=FeeType.PAID_REPAIR,
            amount=fee, description=f"paid repair {number}", at=at,
        )  # fmt: skip
        month.join(fee_type=FeeType.PAID_REPAIR, amount=fee, at=at)
        return month

    def _unbilled_repairs(self, site_id: UUID, at: datetime) -> UnbilledRepairs:
        found: UnbilledRepairs | None = self._get(UnbilledRepairs.create_id(site_id))
        return found or UnbilledRepairs(site_id=site_id, at=at)

    # -- reads ------------------------------------------------------------------------------

    def account(self, site_id: UUID, unit: str) -> UnitAccount:
        account = self._get(UnitAccount.create_id(site_id, unit))
        if account is None:
            raise NotFound(f"unit {unit} is not billed at this site")
        return account

    def unit_count(self, site_id: UUID) -> int:
        return len(self._units(site_id))

    def billing_run(self, site_id: UUID, period: Period) -> BillingRun:
        run = self._get(BillingRun.create_id(site_id, period))
        if run is None:
            raise NotFound(f"no billing run for {period}; run the month first")
        return run

    @staticmethod
    def run_view(run: BillingRun) -> dict[str, Any]:
        return {
            "period": str(run.period),
            "status": run.status.value,
            "approval_chain": list(run.approval_chain),
            "approvals": run.approvals,
            "awaiting": run.awaiting,
            "due_date": run.due_date,
            "receivable": run.receivable,
            "total_receivable": run.total_receivable,
        }

    # -- internals --------------------------------------------------------------------------

    def _get(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _units(self, site_id: UUID) -> list[str]:
        register = self._get(UnitRegister.create_id(site_id))
        return list(register.units) if register else []

    def _accounts(
        self, site_id: UUID, units: list[str], *, trusted: bool = False
    ) -> dict[str, UnitAccount]:
        """The site's accounts for `units` (missing ones left out), with one or two queries.

        An account remembered from an earlier job and not changed in memory since is
        used again: as it is when `trusted` (see `_each_account`), else only if the
        store still holds its version (one query for the chunk). A remembered account
        is lent to one caller at a time: taken out of memory here, remembered again once
        saved (`_save_accounts`), so two jobs at once (a gRPC call, the scheduler's
        sweep) never change one object; the second reads its own copy from the store
        and the save's version check decides between them."""
        ids = {UnitAccount.create_id(site_id, unit): unit for unit in units}
        taken = {i: kept for i in ids if (kept := self._accounts_seen.pop(i, None)) is not None}
        seen = {i: account for i, (account, version) in taken.items()
                if account.version == version}  # fmt: skip
        if trusted:
            fresh = seen
        else:
            stored = self.current_versions(list(seen)) if seen else {}
            fresh = {i: a for i, a in seen.items() if stored.get(i) == a.version}
        missing = [i for i in ids if i not in fresh]
        read = self.load_many(missing) if missing else {}
        return {ids[i]: a for i, a in {**fresh, **read}.items()}

    def _save_accounts(self, accounts: list[UnitAccount], *with_them: Any) -> None:
        """Save a chunk (and `with_them`) in one transaction; remember the accounts for
        the next bulk job."""
        try:
            self.save(*accounts, *with_them)
        except Exception:
            for account in accounts:  # they may hold unsaved changes now
                self._accounts_seen.pop(account.id, None)
            raise
        self._remember(accounts)

    def _save_chunk(self, accounts: list[UnitAccount]) -> int:
        self._save_accounts(accounts)
        return len(accounts)

    def _save_lasting(
        self, changed: list[UnitAccount], change: Callable[[UnitAccount], bool]
    ) -> int:
        """Save a chunk that a lasting change changed on trusted copies (`_each_account`);
        returns how many accounts it changed. A copy another replica changed since is
        stale, and the save's version check refuses the whole chunk: then those accounts
        are read from the store, changed again, and what that changes is saved."""
        try:
            return self._save_chunk(changed)
        except RecordConflictError:
            read = self.load_many([account.id for account in changed])
            again = [account for account in read.values() if change(account)]
            return self._save_chunk(again) if again else 0

    def _remember(self, accounts: Iterable[UnitAccount]) -> None:
        batch = list(accounts)
        if len(self._accounts_seen) + len(batch) > self._accounts_seen_max:
            self._accounts_seen.clear()
        self._accounts_seen.update((account.id, (account, account.version)) for account in batch)

    def _account_chunks(
        self, site_id: UUID, *, trusted: bool = False
    ) -> Iterator[list[UnitAccount]]:
        for chunk in _chunks(self._units(site_id), self.chunk_size):
            loaded = self._accounts(site_id, chunk, trusted=trusted)
            yield [loaded[unit] for unit in chunk if unit in loaded]

    def _each_account(
        self,
        site_id: UUID,
        change: Callable[[UnitAccount], bool],
        progress: Progress | None = None,
        saved_with: Callable[[], list[BillingRun]] | None = None,
        *,
        lasting: bool = False,
    ) -> int:
        """Apply `change` to every account of the site, saving each chunk at once (with
        the runs `saved_with` returns for it, in the same transaction); returns how many
        accounts it changed. Without runs the chunks are saved behind (`saving_behind`);
        the runs `saved_with` returns change from chunk to chunk, so those chunks are
        saved one after the other.

        `lasting`: once stored, the change is never undone (a statement issued, a period
        closed). A remembered copy is then trusted without asking the store for its
        version: if it has the change, the store has it too; if it lacks it, it tries to
        store it, and a stale copy is caught by the save's version check (`_save_lasting`
        reads it again)."""
        done = changed_total = 0
        with saving_behind() as save_behind:
            for accounts in self._account_chunks(site_id, trusted=lasting):
                changed = [account for account in accounts if change(account)]
                if changed and saved_with:
                    self._save_accounts(changed, *saved_with())
                    changed_total += len(changed)
                elif changed and lasting:
                    save_behind(partial(self._save_lasting, changed, change))
                elif changed:
                    save_behind(partial(self._save_chunk, changed))
                done += len(accounts)
                if progress:
                    progress(done)
        return changed_total + save_behind.saved

    def _month_taking_charges(
        self,
        site_id: UUID,
        account: UnitAccount,
        period: Period,
        runs: dict[Period, BillingRun],
        at: datetime,
    ) -> BillingRun:
        """The run of the month a late charge joins (a paid repair, a late fee).

        DOMAIN.md: "A charge that arrives for a month already issued joins the next month
        not yet issued", and a signed table changes only through adjustments: from
        `period` on, after every month this account has a statement for, the first month
        whose table is not yet signed (approved, issued or closed). A month not yet run
        is opened. `runs` caches the site's runs for a bulk job.
        """
        period = max([period, *(issued.next() for issued in account.statements)])
        while True:
            if period not in runs:
                runs[period] = self._get(BillingRun.create_id(site_id, period)) or BillingRun.open(
                    site_id=site_id, period=period, at=at
                )
            if runs[period].takes_charges and period not in account.closed_periods:
                return runs[period]
            period = period.next()

    def _require_bookable(self, site_id: UUID, period: Period, now: datetime) -> None:
        """Money is booked in a month at the earliest the month before it, never later."""
        today = local_date(now, site_timezone(site_id))
        if period > Period.of(today).next():
            raise Invalid(f"{period} is too far ahead: money is booked up to next month "
                          f"(today is {today} at this site)", field="period")  # fmt: skip


def _chunks(items: list[A], size: int) -> Iterator[list[A]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
