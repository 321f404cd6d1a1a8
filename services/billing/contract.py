"""What leaves the billing service: account events, the steps of a unit's collection log
and the site's period close.

Fee schedules, policies (the collection policy too), unit profiles, meter readings,
call-charge lists (their charges leave as `ChargePosted`), the account's copy of its
tenancies (the tenancy context publishes those) and the per-account period bookkeeping
stay inside; each other domain event (deposits, final settlements and receipts too) maps
to one published event.
"""

from __future__ import annotations

from typing import Any

from contracts import billing as published
from contracts import topics
from contracts.base import ContractEvent
from services.billing.collection import CollectionLog
from services.billing.domain import BillingRun, ReceiptBook, UnitAccount

TOPIC = topics.BILLING

ACCOUNT_EVENTS: dict[type, type[published.AccountEvent]] = {
    UnitAccount.ChargePosted: published.ChargePosted,  # type: ignore[attr-defined]
    UnitAccount.ChargeAdjusted: published.ChargeAdjusted,  # type: ignore[attr-defined]
    UnitAccount.StatementIssued: published.StatementIssued,  # type: ignore[attr-defined]
    UnitAccount.PaymentReceived: published.PaymentReceived,  # type: ignore[attr-defined]
    UnitAccount.PaymentAllocated: published.PaymentAllocated,  # type: ignore[attr-defined]
    UnitAccount.PaymentReversed: published.PaymentReversed,  # type: ignore[attr-defined]
    UnitAccount.FeeOverdue: published.FeeOverdue,  # type: ignore[attr-defined]
    UnitAccount.DunningNoticeSent: published.DunningNoticeSent,  # type: ignore[attr-defined]
    UnitAccount.LateFeeAssessed: published.LateFeeAssessed,  # type: ignore[attr-defined]
    UnitAccount.DepositHeld: published.DepositHeld,  # type: ignore[attr-defined]
    UnitAccount.DepositReleased: published.DepositReleased,  # type: ignore[attr-defined]
    UnitAccount.FinalSettlementDrawn: published.FinalSettlementDrawn,  # type: ignore[attr-defined]
}


# A unit's collection log publishes its steps under the unit's account id, so consumers
# keep one key per unit (the Kafka key stays the log's own id: its order is the log's).
COLLECTION_EVENTS: dict[type, type[published.AccountEvent]] = {
    CollectionLog.PhoneReminderRecorded: published.PhoneReminderRecorded,  # type: ignore[attr-defined]
    CollectionLog.FinalLetterSent: published.FinalLetterSent,  # type: ignore[attr-defined]
    CollectionLog.Escalated: published.CollectionEscalated,  # type: ignore[attr-defined]
}


def contract_for(e: Any) -> ContractEvent | None:
    """The published form of a domain event, or None for internal events."""
    model = ACCOUNT_EVENTS.get(type(e))
    if model is not None:
        fields = {
            name: getattr(e, name)
            for name in model.model_fields
            if name not in ("account_id", "occurred_at")
        }
        return model(**fields, account_id=e.originator_id, occurred_at=e.at)
    model = COLLECTION_EVENTS.get(type(e))
    if model is not None:
        fields = {name: getattr(e, name) for name in model.model_fields
                  if name not in ("account_id", "occurred_at")}  # fmt: skip
        account_id = UnitAccount.create_id(e.site_id, e.unit)
        return model(**fields, account_id=account_id, occurred_at=e.at)
    if isinstance(e, ReceiptBook.ReceiptIssued):  # type: ignore[attr-defined]
        return published.ReceiptIssued(
            site_id=e.site_id, number=e.number, unit=e.unit, reference=e.reference,
            amount=e.amount, method=e.method, cashier=getattr(e, "cashier", None),
            occurred_at=e.at,
        )  # fmt: skip
    if isinstance(e, ReceiptBook.ReceiptVoided):  # type: ignore[attr-defined]
        return published.ReceiptVoided(
            site_id=e.site_id, number=e.number, reason=e.reason, occurred_at=e.at
        )
    if isinstance(e, BillingRun.PeriodClosed):  # type: ignore[attr-defined]
        return published.PeriodClosed(site_id=e.site_id, period=e.period, occurred_at=e.at)
    return None
