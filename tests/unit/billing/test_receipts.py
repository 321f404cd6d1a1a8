"""DOMAIN.md: every payment gets a receipt, numbered continuously per site; voided
receipts are kept."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from runtime.errors import Invalid
from services.billing.domain import ReceiptBook

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_receipts_are_numbered_without_gaps_and_a_void_keeps_its_number() -> None:
    book = ReceiptBook(site_id=uuid4(), at=NOW)
    first = book.issue(unit="12A", reference="BT-1", amount=Decimal("100"), method="cash", at=NOW)
    again = book.issue(unit="12A", reference="BT-1", amount=Decimal("100"), method="cash", at=NOW)
    second = book.issue(unit="15C", reference="BT-1", amount=Decimal("5.5"), method="card", at=NOW)
    assert (first["number"], again["number"], second["number"]) == (1, 1, 2)
    assert second["amount"] == Decimal("5.50")
    with pytest.raises(Invalid):
        book.void(unit="12A", reference="BT-1", reason="  ", at=NOW)
    assert book.void(unit="12A", reference="BT-1", reason="bounced", at=NOW)
    assert not book.void(unit="12A", reference="BT-1", reason="bounced", at=NOW)
    assert not book.void(unit="12A", reference="none", reason="x", at=NOW)
    third = book.issue(unit="12A", reference="BT-2", amount=Decimal("1"), method="cash", at=NOW)
    assert [(r["number"], r["void_reason"]) for r in book.receipts] == [
        (1, "bounced"), (2, None), (3, None)]  # fmt: skip
    assert third["number"] == 3
