"""The business centre's service slips (no I/O): faxes sent, typing, copying, each on a
slip of quantity x price, signed by the customer, or voided with a supervisor's signature.

Seed 001, 商务中心: "当客人要求发送传真时应礼貌地请客人填写服务收费单 ... 按价目表结算开具帐单"
(fax); "请客人点清页数,按价目表价格结算金额。请客人在帐单上签字或付现金" (typing); "把页数、规格及
复印时间填写在'服务收费单'内 ... 开据帐单,请客人署名" (copying); 商务中心规章制度: "不准私自处理
收费单据,报废单据必需经过主管签字才有效" (a voided slip needs a supervisor's signature).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict, Forbidden

SERVICES = ("fax", "typing", "copying")
# Seed 001, 组织结构: 客服部经理, 内务主管, 客务主管: the supervisors who may sign a void.
SUPERVISOR_ROLES = frozenset({"cs_supervisor", "cs_manager"})


class ServiceSlip(SiteAggregate):
    """One slip (服务收费单): a service, its quantity and price, whom it was for."""

    @event("Opened")
    def __init__(self, site_id: UUID, unit: str, customer_name: str, service: str,
                 quantity: int, unit_price: Decimal, description: str | None, served_by: str,
                 issued_by: str, at: datetime) -> None:  # fmt: skip
        self.site_id = site_id
        self.unit = unit
        self.customer_name = customer_name
        self.service = service
        self.quantity = quantity
        self.unit_price = unit_price
        self.amount = unit_price * quantity
        self.description = description
        self.served_by = served_by
        self.issued_by = issued_by  # who wrote the slip (their token's subject)
        self.opened_at = at
        self.signed_by: str | None = None
        self.signed_at: datetime | None = None
        self.voided_by: str | None = None
        self.void_reason: str | None = None
        self.voided_at: datetime | None = None

    @property
    def status(self) -> str:
        if self.voided_at:
            return "voided"
        return "signed" if self.signed_at else "open"

    def sign(self, *, signed_by: str, at: datetime) -> None:
        """The customer signs the slip (seed 001: 请对方在服务收费单上署名), once; the signed
        slip is what is charged."""
        if self.status != "open":
            raise Conflict(f"the slip is {self.status}")
        self._signed(signed_by=signed_by, unit=self.unit, amount=self.amount,
                     description=f"business centre: {self.service} x {self.quantity}",
                     at=at)  # fmt: skip

    @event("Signed")
    def _signed(self, signed_by: str, unit: str, amount: Decimal, description: str,
                at: datetime) -> None:  # fmt: skip
        self.signed_by = signed_by
        self.signed_at = at

    def void(self, *, reason: str, supervisor: str, role: str | None, at: datetime) -> None:
        """Seed 001: "报废单据必需经过主管签字才有效": a slip is voided only with the signature
        of a supervisor (CS supervisor or manager) other than the person who wrote it, and
        only before the customer signed it (a signed slip is charged: billing adjusts it)."""
        if role not in SUPERVISOR_ROLES:
            raise Forbidden("a voided slip needs a supervisor's signature")
        if supervisor == self.issued_by:
            raise Forbidden("the supervisor who signs a void cannot be who wrote the slip")
        if self.status != "open":
            raise Conflict(f"the slip is {self.status}; a signed slip is corrected in billing")
        self._voided(reason=reason, supervisor=supervisor, at=at)

    @event("Voided")
    def _voided(self, reason: str, supervisor: str, at: datetime) -> None:
        self.voided_by = supervisor
        self.void_reason = reason
        self.voided_at = at
