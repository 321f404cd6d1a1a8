"""Billing application, phone charges: the month's call-charge list (电话费统计表) entered,
verified and posted (see `services.billing.phone_charges` for the rules). Part of
`BillingApplication`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from contracts import billing_api as api
from runtime.clock import clock, local_date
from runtime.errors import Conflict, Forbidden, Invalid, NotFound
from runtime.sites import site_timezone
from services.billing.domain import BillingRun, FeeSchedule, FeeType
from services.billing.money import ZERO, Period
from services.billing.phone_charges import (
    CallCharge,
    PhoneBilling,
    PhoneChargeList,
    without_phone_rate,
)


class PhoneChargeCommands:
    """Mixin of `BillingApplication` (it provides `run`, `save`, `_get`, `_units`,
    `_accounts`, `_save_accounts`, `_month_taking_charges`, `_require_bookable`)."""

    _get: Any
    run: Any
    save: Any
    _units: Any
    _accounts: Any
    _save_accounts: Any
    _month_taking_charges: Any
    _require_bookable: Any

    def monthly_rates(self, site_id: UUID, schedule: FeeSchedule | None,
                      period: Period) -> dict[FeeType, Any]:  # fmt: skip
        """The rates the month is charged at: no phone rate once the site bills phone by
        its call-charge lists."""
        rates = schedule.rates_for(period) if schedule else {}
        return without_phone_rate(rates, self._get(PhoneBilling.create_id(site_id)), period)

    def enter_phone_charges(self, site_id: UUID, period: Period, cmd: api.EnterPhoneCharges,
                            by: str | None, cid: str | None) -> dict[str, Any]:  # fmt: skip
        """The month's list as tallied (replacing an unverified one). The site's first list
        switches it to lists from that month: refused when that month or the next has
        been charged phone at rate x lines already."""

        def command() -> dict[str, Any]:
            now = clock.now()
            self._require_bookable(site_id, period, now)
            billed = set(self._units(site_id))
            unknown = [
                (f"units.{i}.unit", f"unit {entry.unit} is not billed at this site")
                for i, entry in enumerate(cmd.units) if entry.unit not in billed
            ]  # fmt: skip
            if unknown:
                raise Invalid(unknown[0][1], field=unknown[0][0], errors=unknown)
            billing: PhoneBilling | None = self._get(PhoneBilling.create_id(site_id))
            switched = billing is None
            if billing is None:
                self._require_no_phone_rate_charged(site_id, period, now)
                billing = PhoneBilling(site_id=site_id, lists_from=str(period), at=now)
            billing.require_by_lists(period)
            charges = self._get(PhoneChargeList.create_id(site_id, period)) or PhoneChargeList(
                site_id=site_id, period=str(period), at=now
            )
            charges.enter(
                units={entry.unit: [CallCharge(line.number, line.calls, line.minutes, line.amount)
                                    for line in entry.lines] for entry in cmd.units},
                by=_named(by), at=now,
            )  # fmt: skip
            self.save(charges, *([billing] if switched else []))
            return phone_charges_view(charges)

        result: dict[str, Any] = self.run(cid, command, retries=5)
        return result

    def verify_phone_charges(self, site_id: UUID, period: Period, by: str | None,
                             cid: str | None) -> dict[str, Any]:  # fmt: skip
        """核实, then posted in the same transaction: each unit's lines that cost anything
        become its phone charges, in the list's month while its table is unsigned, else
        in the next month not yet signed (joining that month's table)."""

        def command() -> dict[str, Any]:
            now = clock.now()
            charges = self.phone_charges(site_id, period)
            charges.verify(by=_named(by), at=now)
            accounts = self._accounts(site_id, list(charges.units))
            runs: dict[Period, BillingRun] = {}
            posted_in: dict[str, str] = {}
            for unit, account in accounts.items():
                lines = charges.charge_lines(unit)
                if not lines:
                    continue
                month = self._month_taking_charges(site_id, account, period, runs, now)
                for line in lines:
                    if account.post_charge(
                        charge_id=account.charge_id_for(period, FeeType.PHONE, line.ref),
                        period=month.period, fee_type=FeeType.PHONE, amount=line.amount,
                        description=line.description, at=now,
                    ):  # fmt: skip
                        month.join(fee_type=FeeType.PHONE, amount=line.amount, at=now)
                posted_in[unit] = str(month.period)
            charges.mark_posted(posted_in=posted_in, at=now)
            self._save_accounts(
                [accounts[unit] for unit in posted_in], charges,
                *(run for run in runs.values() if run.pending_events),
            )  # fmt: skip
            return phone_charges_view(charges)

        result: dict[str, Any] = self.run(cid, command, retries=5)
        return result

    def phone_charges(self, site_id: UUID, period: Period) -> PhoneChargeList:
        found: PhoneChargeList | None = self._get(PhoneChargeList.create_id(site_id, period))
        if found is None:
            raise NotFound(f"no call-charge list for {period} at this site")
        return found

    def _require_no_phone_rate_charged(self, site_id: UUID, period: Period,
                                       now: datetime) -> None:  # fmt: skip
        """The months before a site's first list were billed at rate x lines: its first
        list is for this month or later, and neither it nor the next month was charged
        phone by the rate (a month is charged once)."""
        this_month = Period.of(local_date(now, site_timezone(site_id)))
        if period < this_month:
            raise Conflict(f"{period} was billed at rate x lines; this site's first "
                           f"call-charge list is for {this_month} or later")  # fmt: skip
        for month in (period, period.next()):
            run: BillingRun | None = self._get(BillingRun.create_id(site_id, month))
            if run is not None and run.receivable.get(FeeType.PHONE.value, ZERO) > 0:
                raise Conflict(f"{month} was charged phone at rate x lines; this site's "
                               f"call-charge lists start after it")  # fmt: skip


def phone_charges_view(charges: PhoneChargeList) -> dict[str, Any]:
    units = [
        {"unit": unit, "lines": [line._asdict() for line in lines],
         "total": sum((line.amount for line in lines), ZERO),
         "posted_in": charges.posted_in.get(unit)}
        for unit, lines in sorted(charges.units.items())
    ]  # fmt: skip
    return {
        "period": str(charges.period), "status": charges.status,
        "entered_by": charges.entered_by, "entered_at": charges.entered_at,
        "verified_by": charges.verified_by, "verified_at": charges.verified_at,
        "units": units, "total": sum((u["total"] for u in units), ZERO),
    }  # fmt: skip


def _named(by: str | None) -> str:
    if not by:
        raise Forbidden("a call-charge list is entered and verified under a person's name")
    return by
