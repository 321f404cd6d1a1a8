"""Collection follow-up (催缴): the site's dunning levels and each unit's chase (no I/O).

Seed 001, 物业管理费催/收缴程序: 年月物业管理费应收表:财务部制作,客服部据此催缴 (finance
makes the receivable table, customer service chases by it); the CS supervisor 对欠费现象
立即处理 (deals with arrears at once) and the CS manager 跟进收费情况,对欠费现象制订出对应
方法 (follows the collection and decides what to do about arrears): so a chase runs in
levels, a written notice, a phone reminder, a final letter, and ends with the manager.

A unit's chase runs from the due date of the oldest amount it owes past due date plus
the site's grace days; what was done before that date belonged to an earlier chase
(paid since). Each level is done once per chase:

- `notice`: the written payment reminder, sent by the overdue sweep (`DunningNoticeSent`,
  level 1, one per overdue statement): the sweep's notices are this level;
- `phone_reminder`: a call recorded by customer service with its outcome: a promise to
  pay on a date, a refusal, or nobody reached;
- `final_letter`: the last written demand, recorded by who sent it;
- `escalation`: the overdue sweep hands the unit to the CS manager.

Each level applies once the oldest overdue amount is that many days past its due date
(the site's `CollectionPolicy`; defaults below).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid
from services.billing.domain import is_overdue
from services.billing.money import ZERO, money

LEVELS = ("notice", "phone_reminder", "final_letter", "escalation")
OUTCOMES = ("promised", "refused", "unreachable")
# The seed names no figures. Defaults: the notice as soon as a statement is overdue
# (对欠费现象立即处理), a call a week after the due date, the final letter after a
# fortnight, the manager after a month (the month's 应欠表 goes to the general manager
# and customer service, 作为客服部继续催缴依据).
DEFAULT_DAYS = {"notice": 0, "phone_reminder": 7, "final_letter": 15, "escalation": 30}
ESCALATED_TO = "cs_manager"
MAX_PROMISE_DAYS = 92  # a promise to pay reaches at most a quarter ahead of the call


class CollectionPolicy(SiteAggregate):
    """A site's dunning levels: the days past the due date at which each applies, in the
    order of `LEVELS` (a later level never before an earlier one). Set by the finance
    manager; a site that set none follows `DEFAULT_DAYS`."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:billing:collection-policy:{site_id}")

    @event("Set")
    def __init__(self, site_id: UUID, days: dict[str, int], by: str | None, at: datetime) -> None:
        self.site_id = site_id
        self.days = dict(days)
        self.set_by = by  # None: the defaults, nobody set them

    @classmethod
    def defaults(cls, site_id: UUID, at: datetime) -> CollectionPolicy:
        return cls(site_id=site_id, days=DEFAULT_DAYS, by=None, at=at)

    @staticmethod
    def checked(days: dict[str, int]) -> dict[str, int]:
        """Every level once, whole days 0..365, each level on or after the one before."""
        if set(days) != set(LEVELS):
            raise Invalid(f"the levels are {', '.join(LEVELS)}", field="days")
        previous = 0
        for level in LEVELS:
            value = days[level]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 365:
                raise Invalid("days past the due date: a whole number 0..365", field=level)
            if value < previous:
                raise Invalid(f"{level} comes after the level before it", field=level)
            previous = value
        return {level: days[level] for level in LEVELS}

    def change(self, *, days: dict[str, int], by: str, at: datetime) -> bool:
        """The finance manager sets the levels; False when unchanged (and set before)."""
        checked = self.checked(days)
        if checked == self.days and self.set_by is not None:
            return False
        self._changed(days=checked, by=by, at=at)
        return True

    @event("Changed")
    def _changed(self, days: dict[str, int], by: str, at: datetime) -> None:
        self.days = dict(days)
        self.set_by = by


class Action(NamedTuple):
    """One step of a unit's chase as logged: `on` is the site's business date."""

    action: str  # one of LEVELS
    on: date
    outcome: str | None = None
    promised_on: date | None = None


@dataclass(frozen=True)
class Overdue:
    """What a unit owes past due date plus grace days, and since which due date."""

    amount: Decimal
    since: date | None  # the oldest overdue line's due date; None: nothing overdue

    def days(self, today: date) -> int:
        return 0 if self.since is None else (today - self.since).days


def overdue_of(lines: Iterable[tuple[date | None, Decimal]], grace_days: int,
               today: date) -> Overdue:  # fmt: skip
    """What open lines (due date, open amount) owe past their due date plus the site's
    grace days (DOMAIN.md: "After the due date (plus grace days per site) unpaid
    statements are overdue"), and the oldest such due date."""
    late = [(due, amount) for due, amount in lines
            if amount > 0 and due is not None and is_overdue(due, grace_days, today)]  # fmt: skip
    if not late:
        return Overdue(ZERO, None)
    return Overdue(sum((amount for _, amount in late), ZERO), min(due for due, _ in late))


@dataclass(frozen=True)
class Chase:
    """Where a unit's chase stands today."""

    overdue: Overdue
    days_overdue: int
    done: tuple[str, ...]  # the levels done in this chase, in the order of LEVELS
    next_level: str | None  # the first level due by the policy and not yet done
    promised_on: date | None  # the last call's promise in this chase
    promise: str | None  # "pending", "broken" or "kept" (nothing overdue any more)


def chase_of(days: dict[str, int], overdue: Overdue, actions: Iterable[Action],
             today: date) -> Chase:  # fmt: skip
    """The unit's chase: the levels done since its oldest overdue due date, the next one
    the policy makes due, and the last promise to pay (pending until its date has
    passed; broken once it has and the unit still owes; kept when nothing is overdue)."""
    since = overdue.since
    current = sorted(
        (a for a in actions if since is None or a.on >= since), key=lambda a: a.on
    )  # fmt: skip
    done = tuple(level for level in LEVELS if any(a.action == level for a in current))
    elapsed = overdue.days(today)
    next_level = None
    if since is not None:
        next_level = next(
            (lv for lv in LEVELS if lv not in done and days[lv] <= elapsed), None
        )  # fmt: skip
    calls = [a for a in current if a.action == "phone_reminder"]
    promised_on = calls[-1].promised_on if calls and calls[-1].outcome == "promised" else None
    promise = None
    if promised_on is not None:
        promise = "kept" if since is None else "pending" if promised_on >= today else "broken"
    return Chase(overdue, elapsed, done, next_level, promised_on, promise)


class CollectionLog(SiteAggregate):
    """A unit's collection log: every call, final letter and escalation, who and when.

    (The written notices are the account's `DunningNoticeSent`, sent by the sweep.)"""

    unit: str

    class Event(SiteAggregate.Event):
        unit: str  # every log event names its unit, as the account's do

    class Created(Event, SiteAggregate.Created):
        pass

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("unit", self.unit)
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def create_id(cls, site_id: UUID, unit: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:billing:collection-log:{site_id}:{unit}")

    @event("Opened")
    def __init__(self, site_id: UUID, unit: str, at: datetime) -> None:
        self.site_id = site_id
        self.unit = unit
        self.entries: list[dict[str, Any]] = []  # as `log_view` shows them, with `on`

    def _log(self, action: str, at: datetime, on: date, by: str, amount: Decimal,
             **details: Any) -> None:  # fmt: skip
        self.entries.append({"action": action, "at": at, "on": on, "by": by, "period": None,
                             "outcome": None, "promised_on": None, "note": None,
                             "amount": amount, **details})  # fmt: skip

    def _done_in_chase(self, action: str, since: date) -> bool:
        return any(e["action"] == action and e["on"] >= since for e in self.entries)

    def _require_overdue(self, overdue: Overdue) -> None:
        if overdue.since is None:
            raise Conflict(f"unit {self.unit} owes nothing overdue; there is nothing to chase")

    def record_call(self, *, overdue: Overdue, called_at: datetime, called_on: date,
                    outcome: str, promised_on: date | None, note: str | None, by: str,
                    at: datetime) -> None:  # fmt: skip
        """A phone reminder and what came of it: a promise to pay names its date, on or
        after the call and at most `MAX_PROMISE_DAYS` later; no other outcome does."""
        if outcome not in OUTCOMES:
            raise Invalid(f"the outcome is one of {', '.join(OUTCOMES)}", field="outcome")
        if (outcome == "promised") != (promised_on is not None):
            raise Invalid("a promise to pay, and only a promise, names the date",
                          field="promised_on")  # fmt: skip
        if promised_on is not None and not 0 <= (promised_on - called_on).days <= MAX_PROMISE_DAYS:
            raise Invalid(f"the promised date is on or after the call, at most "
                          f"{MAX_PROMISE_DAYS} days later", field="promised_on")  # fmt: skip
        self._require_overdue(overdue)
        self._phone_reminder_recorded(
            called_at=called_at, called_on=called_on, outcome=outcome, promised_on=promised_on,
            note=note, by=by, amount_overdue=money(overdue.amount), at=at,
        )  # fmt: skip

    @event("PhoneReminderRecorded")
    def _phone_reminder_recorded(self, called_at: datetime, called_on: date, outcome: str,
                                 promised_on: date | None, note: str | None, by: str,
                                 amount_overdue: Decimal, at: datetime) -> None:  # fmt: skip
        self._log(
            "phone_reminder",
            called_at,
            called_on,
            by,
            amount_overdue,
            outcome=outcome,
            promised_on=promised_on,
            note=note,
        )

    def send_final_letter(self, *, overdue: Overdue, sent_at: datetime, sent_on: date,
                          note: str | None, by: str, at: datetime) -> None:  # fmt: skip
        """The final letter of this chase, once (a second one is a Conflict)."""
        self._require_overdue(overdue)
        assert overdue.since is not None
        if self._done_in_chase("final_letter", overdue.since):
            raise Conflict(f"the final letter to unit {self.unit} has been sent in this chase")
        self._final_letter_sent(sent_at=sent_at, sent_on=sent_on, note=note, by=by,
                                amount_overdue=money(overdue.amount), at=at)  # fmt: skip

    @event("FinalLetterSent")
    def _final_letter_sent(self, sent_at: datetime, sent_on: date, note: str | None, by: str,
                           amount_overdue: Decimal, at: datetime) -> None:  # fmt: skip
        self._log("final_letter", sent_at, sent_on, by, amount_overdue, note=note)

    def escalate(self, *, days: dict[str, int], overdue: Overdue, today: date, by: str,
                 at: datetime) -> bool:  # fmt: skip
        """After the policy's days the unit goes to the CS manager (客服部经理 对欠费现象制订
        出对应方法), once per chase; False when not yet due or done already."""
        if overdue.since is None or overdue.days(today) < days["escalation"]:
            return False
        if self._done_in_chase("escalation", overdue.since):
            return False
        self._escalated(to_role=ESCALATED_TO, escalated_on=today,
                        days_overdue=overdue.days(today), amount_overdue=money(overdue.amount),
                        by=by, at=at)  # fmt: skip
        return True

    @event("Escalated")
    def _escalated(self, to_role: str, escalated_on: date, days_overdue: int,
                   amount_overdue: Decimal, by: str, at: datetime) -> None:  # fmt: skip
        self._log("escalation", at, escalated_on, by, amount_overdue)


def notice_due(days: dict[str, int], due_date: date, today: date) -> bool:
    """The sweep sends a statement's written notice once it is the policy's days late."""
    return (today - due_date).days >= days["notice"]


def chase_view(unit: str, days: dict[str, int], overdue: Overdue,
               entries: Iterable[dict[str, Any]], today: date) -> dict[str, Any]:  # fmt: skip
    """A unit's chase as the API shows it, from its log entries (each with the action,
    its business date `on`, and for a call its outcome and promised date)."""
    actions = [
        Action(e["action"], e["on"], e.get("outcome"), e.get("promised_on"))
        for e in sorted(entries, key=lambda e: e["at"])
    ]  # the last call: latest made
    chase = chase_of(days, overdue, actions, today)
    return {
        "unit": unit, "amount_overdue": money(overdue.amount), "overdue_since": overdue.since,
        "days_overdue": chase.days_overdue, "levels_done": list(chase.done),
        "next_level": chase.next_level, "escalated": "escalation" in chase.done,
        "promised_on": chase.promised_on, "promise": chase.promise,
    }  # fmt: skip


def to_chase(chase: dict[str, Any]) -> bool:
    """Chased today (a `chase_view`): something overdue, no promise still to come, and a
    level due by the policy or a promise broken."""
    return (
        chase["overdue_since"] is not None
        and chase["promise"] != "pending"
        and (chase["next_level"] is not None or chase["promise"] == "broken")
    )


ENTRY_FIELDS = ("action", "at", "by", "period", "outcome", "promised_on", "note", "amount")


def log_view(unit: str, days: dict[str, int], overdue: Overdue,
             entries: Iterable[dict[str, Any]], today: date) -> dict[str, Any]:  # fmt: skip
    """The unit's collection log, oldest first, with where its chase stands."""
    ordered = sorted(entries, key=lambda e: e["at"])
    return {
        **chase_view(unit, days, overdue, ordered, today), "as_of": today,
        "entries": [{name: e.get(name) for name in ENTRY_FIELDS} for e in ordered],
    }  # fmt: skip
