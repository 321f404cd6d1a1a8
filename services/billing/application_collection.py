"""Billing application, collection follow-up (催缴): the site's levels, the calls and final
letters customer service logs, the escalations the overdue sweep makes (see
`services.billing.collection` for the rules). Part of `BillingApplication`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from contracts import billing_api as api
from runtime.clock import clock, local_date
from runtime.errors import Forbidden, Invalid
from runtime.sites import site_timezone
from services.billing.collection import (
    CollectionLog,
    CollectionPolicy,
    Overdue,
    log_view,
    overdue_of,
)
from services.billing.domain import UnitAccount


class CollectionCommands:
    """Mixin of `BillingApplication` (it provides `run`, `save`, `_get`, `account`,
    `policy`)."""

    _get: Any
    run: Any
    save: Any
    account: Any
    policy: Any

    def collection_policy(self, site_id: UUID) -> CollectionPolicy:
        found: CollectionPolicy | None = self._get(CollectionPolicy.create_id(site_id))
        return found or CollectionPolicy.defaults(site_id, clock.now())

    def set_collection_policy(self, site_id: UUID, cmd: api.SetCollectionPolicy, by: str | None,
                              cid: str | None) -> CollectionPolicy:  # fmt: skip
        """The finance manager sets the levels (the days past due of each)."""

        def command() -> CollectionPolicy:
            policy = self.collection_policy(site_id)
            if policy.change(days=cmd.model_dump(), by=_named(by), at=clock.now()):
                self.save(policy)
            return policy

        result: CollectionPolicy = self.run(cid, command, retries=5)
        return result

    def record_phone_reminder(self, site_id: UUID, unit: str, cmd: api.RecordPhoneReminder,
                              by: str | None, cid: str | None) -> dict[str, Any]:  # fmt: skip
        """A collection call logged by who made it, when it was made (now, or earlier
        today or before, never later), with its outcome."""

        def command() -> dict[str, Any]:
            now = clock.now()
            called_at = _happened(cmd.called_at, now, "called_at")
            account, log, overdue = self._chase(site_id, unit, now, called_at, "called_at")
            log.record_call(overdue=overdue, called_at=called_at,
                            called_on=self._day(site_id, called_at), outcome=cmd.outcome,
                            promised_on=cmd.promised_on, note=cmd.note, by=_named(by),
                            at=now)  # fmt: skip
            self.save(log)
            return self.collection_view(site_id, account, log)

        result: dict[str, Any] = self.run(cid, command, retries=5)
        return result

    def send_final_letter(self, site_id: UUID, unit: str, cmd: api.SendFinalLetter,
                          by: str | None, cid: str | None) -> dict[str, Any]:  # fmt: skip
        def command() -> dict[str, Any]:
            now = clock.now()
            sent_at = _happened(cmd.sent_at, now, "sent_at")
            account, log, overdue = self._chase(site_id, unit, now, sent_at, "sent_at")
            log.send_final_letter(overdue=overdue, sent_at=sent_at,
                                  sent_on=self._day(site_id, sent_at), note=cmd.note,
                                  by=_named(by), at=now)  # fmt: skip
            self.save(log)
            return self.collection_view(site_id, account, log)

        result: dict[str, Any] = self.run(cid, command, retries=5)
        return result

    def collection_view(self, site_id: UUID, account: UnitAccount,
                        log: CollectionLog | None) -> dict[str, Any]:  # fmt: skip
        """The unit's log as the write side holds it: the sweep's notices (the account's)
        and the logged calls, letters and escalations; where its chase stands today."""
        today = clock.today(site_timezone(site_id))
        notices = [
            {"action": "notice", "at": n["at"], "on": self._day(site_id, n["at"]), "by": None,
             "period": n["period"], "outcome": None, "promised_on": None, "note": None,
             "amount": n["amount"]}
            for n in account.notices_sent
        ]  # fmt: skip
        return log_view(account.unit, self.collection_policy(site_id).days,
                        self._overdue_of(site_id, account, today),
                        [*notices, *(log.entries if log else [])], today)  # fmt: skip

    def unit_collection(self, site_id: UUID, unit: str) -> dict[str, Any]:
        account = self.account(site_id, unit)
        return self.collection_view(
            site_id, account, self._get(CollectionLog.create_id(site_id, unit))
        )

    # -- the overdue sweep's part ----------------------------------------------------------

    def escalation(self, account: UnitAccount, days: dict[str, int], grace_days: int,
                   today: date, by: str, at: datetime) -> CollectionLog | None:  # fmt: skip
        """The unit's log with its escalation to the manager when the sweep makes one."""
        overdue = overdue_of(_open(account), grace_days, today)
        if overdue.since is None or overdue.days(today) < days["escalation"]:
            return None
        log = self._collection_log(account.site_id, account.unit, at)
        return log if log.escalate(days=days, overdue=overdue, today=today, by=by, at=at) else None

    # -- internals -------------------------------------------------------------------------

    def _chase(self, site_id: UUID, unit: str, now: datetime, happened: datetime,
               field: str) -> tuple[UnitAccount, CollectionLog, Overdue]:  # fmt: skip
        account = self.account(site_id, unit)
        overdue = self._overdue_of(site_id, account, local_date(now, site_timezone(site_id)))
        if overdue.since is not None and self._day(site_id, happened) < overdue.since:
            since = overdue.since
            raise Invalid(f"unit {unit}'s chase runs from {since} (the due date of the oldest "
                          "amount it owes); log what was done since", field=field)  # fmt: skip
        return account, self._collection_log(site_id, unit, now), overdue

    def _overdue_of(self, site_id: UUID, account: UnitAccount, today: date) -> Overdue:
        return overdue_of(_open(account), self.policy(site_id).grace_days, today)

    def _collection_log(self, site_id: UUID, unit: str, at: datetime) -> CollectionLog:
        found: CollectionLog | None = self._get(CollectionLog.create_id(site_id, unit))
        return found or CollectionLog(site_id=site_id, unit=unit, at=at)

    @staticmethod
    def _day(site_id: UUID, at: datetime) -> date:
        return local_date(at, site_timezone(site_id))


def _open(account: UnitAccount) -> list[tuple[date | None, Any]]:
    return [(item.due_date, item.open_amount) for item in account.outstanding_items()]


def _happened(at: datetime | None, now: datetime, field: str) -> datetime:
    if at is None:
        return now
    if at > now:
        raise Invalid("logged once it has happened: not after now", field=field)
    return at


def _named(by: str | None) -> str:
    if not by:
        raise Forbidden("a collection step is logged under the name of who took it")
    return by
