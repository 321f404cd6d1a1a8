"""A site's letterhead: what its printed payment notices and receipts are headed with.

Seed 001 (物业管理费催/收缴程序): "据此打印物业管理缴费单 ... 下月日前客服部将物业管理缴费单
发致用户; 用户应在前到财务部交费": a notice names the site and tells the tenant how to pay.
Billing keeps no other record of a site's name, so the site sets it here once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate

# Seed 001: "用户应在前到财务部交费", the tenant pays at the finance department before the
# due date (the notice prints the date).
HOW_TO_PAY = "请于缴费期限前到管理处财务部交费，付款时请注明单元号。"
HOW_TO_PAY_EN = (
    "Please pay at the management office's finance department by the due date, quoting "
    "your unit number."
)
FIELDS = ("site_name", "site_name_en", "payee", "how_to_pay", "how_to_pay_en")


class Letterhead(SiteAggregate):
    """The site's name (Chinese and English), the payee and how to pay; the latest wins."""

    @classmethod
    def create_id(cls, site_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:billing:letterhead:{site_id}")

    @event("Opened")
    def __init__(self, site_id: UUID, at: datetime) -> None:
        self.site_id = site_id
        self.fields: dict[str, str | None] = dict.fromkeys(FIELDS)

    def change(self, *, fields: dict[str, Any], at: datetime) -> bool:
        """Set every field at once (a field left out is cleared); False when unchanged."""
        wanted = {name: fields.get(name) for name in FIELDS}
        if wanted == self.fields:
            return False
        self._changed(fields=wanted, at=at)
        return True

    @event("Changed")
    def _changed(self, fields: dict[str, str | None], at: datetime) -> None:
        self.fields = dict(fields)
