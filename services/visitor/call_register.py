"""The switchboard's call register (no I/O): every call, and important calls followed up
until they are done and signed.

Seed 000 (前廳運營制度規範), 總機話務員工作流程:
"詢問來電者需求,準確記錄來電信息,包括來電人姓名、單位、電話號碼、來電事由等。"
"對於重要電話,詳細記錄通話內容 ... 傳達給相關部門或人員,並要求收件人簽字確認。
跟進重要電話事項的處理進度,及時向相關人員反饋處理結果。"
"每周對電話記錄進行整理,按照日期、類別等進行分類存放。" (the weekly summary, a read model)
Messages for a tenant stay `PhoneMessage`s (domain.py); this is the register of calls.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Invalid


class CallStatus(StrEnum):
    RECORDED = "recorded"  # an ordinary call: the register entry is all there is
    AWAITING_SIGNATURE = "awaiting_signature"  # important: passed on, not yet signed for
    IN_HAND = "in_hand"  # important: signed for by the recipient, being followed up
    DONE = "done"  # important: handled, the result signed


class CallRecord(SiteAggregate):
    """One call answered by the switchboard: caller, company, number, reason, category."""

    @classmethod
    def answer(
        cls,
        *,
        site_id: UUID,
        caller_name: str,
        caller_company: str | None,
        caller_number: str,
        reason: str,
        category: str,
        important: bool,
        passed_to: str | None,
        at: datetime,
    ) -> CallRecord:
        """Every call is recorded; an important one is passed on in writing to a named
        department or person (seed 000: "傳達給相關部門或人員")."""
        if important and not passed_to:
            raise Invalid("an important call names whom it was passed to", field="passed_to")
        return cls(
            site_id=site_id,
            caller_name=caller_name,
            caller_company=caller_company,
            caller_number=caller_number,
            reason=reason,
            category=category,
            important=important,
            passed_to=passed_to,
            at=at,
        )

    @event("Recorded")
    def __init__(
        self,
        site_id: UUID,
        caller_name: str,
        caller_company: str | None,
        caller_number: str,
        reason: str,
        category: str,
        important: bool,
        passed_to: str | None,
        at: datetime,
    ) -> None:
        self.site_id = site_id
        self.caller_name = caller_name
        self.caller_company = caller_company
        self.caller_number = caller_number
        self.reason = reason
        self.category = category
        self.important = important
        self.passed_to = passed_to
        self.received_at = at
        self.status = CallStatus.AWAITING_SIGNATURE if important else CallStatus.RECORDED
        self.signed_for_by: str | None = None
        self.follow_ups: list[str] = []
        self.result: str | None = None
        self.signed_off_by: str | None = None

    def _require_important(self, step: str) -> None:
        if not self.important:
            raise Conflict(f"only an important call is {step}; this one is only recorded")
        if self.status == CallStatus.DONE:
            raise Conflict("the call is done and signed; nothing more can be added")

    def sign_for(self, *, signed_by: str, at: datetime) -> None:
        """The recipient signs for the written record of an important call, once
        (seed 000: "要求收件人簽字確認")."""
        self._require_important("signed for")
        if self.status != CallStatus.AWAITING_SIGNATURE:
            raise Conflict(f"the call was already signed for by {self.signed_for_by}")
        self._signed_for(signed_by=signed_by, at=at)

    @event("SignedFor")
    def _signed_for(self, signed_by: str, at: datetime) -> None:
        self.status = CallStatus.IN_HAND
        self.signed_for_by = signed_by

    def follow_up(self, *, progress: str, by: str, at: datetime) -> None:
        """The switchboard follows an important call until it is done
        (seed 000: "跟進重要電話事項的處理進度")."""
        self._require_important("followed up")
        self._followed_up(progress=progress, by=by, at=at)

    @event("FollowedUp")
    def _followed_up(self, progress: str, by: str, at: datetime) -> None:
        self.follow_ups.append(progress)

    def complete(self, *, result: str, signed_by: str, at: datetime) -> None:
        """Done and signed: the result is fed back (seed 000: "及時向相關人員反饋處理結果").
        Only a call its recipient has signed for can be done."""
        self._require_important("completed")
        if self.status != CallStatus.IN_HAND:
            raise Conflict("the recipient has not signed for the call yet")
        self._completed(result=result, signed_by=signed_by, at=at)

    @event("Completed")
    def _completed(self, result: str, signed_by: str, at: datetime) -> None:
        self.status = CallStatus.DONE
        self.result = result
        self.signed_off_by = signed_by
