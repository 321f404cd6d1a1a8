"""The printed payment notice and receipt: what goes on them (lines, quantities and
rates, totals equal to the account's), and the PDFs as a reader sees them (page 1
rendered to PNG, kept in .local/screenshots/, its text where it belongs)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pypdfium2 as pdfium
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.errors import Conflict, ServiceUnavailable
from services.billing.domain import FeeType, ReceiptBook, UnitAccount, UnitProfile, monthly_charges
from services.billing.money import Period
from services.billing.pdf import font_name, notice_pdf, receipt_pdf
from services.billing.printables import Heading, TenantName, payment_notice, receipt_slip

D = Decimal
AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
OCT, NOV, DEC = Period(2026, 10), Period(2026, 11), Period(2026, 12)
RATES = {FeeType.MANAGEMENT: D("30.00"), FeeType.PARKING: D("500.00"), FeeType.WATER: D("5.00")}
HEAD = Heading("上海中心A座", "上海某某物业管理有限公司", "请于缴费期限前到管理处财务部交费。")
TENANT = TenantName("上海星辰贸易有限公司", "Shanghai Star Trading Co.")
SHOTS = Path(__file__).resolve().parents[3] / ".local" / "screenshots"


def billed_account() -> UnitAccount:
    """12A moved in on 10 October: October prorated (22/31 days), November in full; 500.00
    paid on October, its statement and November's issued."""
    account = UnitAccount.open(site_id=uuid4(), unit="12A", at=AT)
    account.set_profile(profile=UnitProfile(area_m2=D("100"), parking_spaces=1,
                                            other_services={"laundry": D("80")}), at=AT)  # fmt: skip
    account.begin_tenancy(tenancy_id=uuid4(), billing_starts_on=date(2026, 10, 10), at=AT)
    for period, water in ((OCT, D("12.5")), (NOV, D("20"))):
        account.record_water(period=period, water_m3=water, at=AT)
        profile = account.billing_profile(period)
        assert profile is not None
        lines = monthly_charges(RATES, profile, period, account.occupied_days(period))
        account.post_monthly_charges(lines=lines, period=period, at=AT)
        account.issue_statement(period=period, due_date=period.last_day, at=AT)
        if period == OCT:
            account.receive_payment(reference="BT-1", amount=D("500"), method="cash", at=AT)
    return account


def test_the_notice_lists_the_months_charges_with_quantity_and_rate() -> None:
    account = billed_account()
    notice = payment_notice(account, NOV, RATES, HEAD, TENANT, date(2026, 11, 3))
    lines = {line.fee_type: line for line in notice.lines}
    assert [line.fee_type for line in notice.lines] == [
        "management", "parking", "water", "other_service"]  # fmt: skip
    management = lines["management"]
    assert (management.quantity, management.measure, management.rate, management.days) == (
        D("100.00"), "m²", D("30.00"), None)  # fmt: skip
    assert management.amount == D("3000.00")
    assert (lines["water"].quantity, lines["water"].amount) == (D("20.000"), D("100.00"))
    # a service used is charged at its amount: no quantity or rate to show
    assert (lines["other_service"].quantity, lines["other_service"].amount) == (None, D("80.00"))
    assert notice.due_date == NOV.last_day
    assert notice.tenant == TENANT


def test_a_partial_month_shows_the_days() -> None:
    notice = payment_notice(billed_account(), OCT, RATES, HEAD, TENANT, date(2026, 11, 3))
    management = next(line for line in notice.lines if line.fee_type == "management")
    # 3000 x 22/31 = 2129.03
    assert (management.days, management.amount) == ((22, 31), D("2129.03"))


def test_totals_equal_the_accounts() -> None:
    account = billed_account()
    notice = payment_notice(account, NOV, RATES, HEAD, TENANT, date(2026, 11, 3))
    assert notice.charged == account.charged_in(NOV)
    assert notice.charged == sum(line.amount for line in notice.lines)
    # October is still owed, less the 500.00 paid on it
    october = payment_notice(account, OCT, RATES, HEAD, TENANT, date(2026, 11, 3))
    assert notice.previous_balance == october.charged - D("500.00") == october.total_due
    # the latest month's total due is what the account owes
    assert notice.total_due == account.balance() == account.outstanding()
    assert notice.credit == 0


def test_credit_is_taken_off_and_the_total_never_goes_below_zero() -> None:
    account = billed_account()
    account.receive_payment(reference="BT-2", amount=D("99999"), method="bank_transfer", at=AT)
    notice = payment_notice(account, NOV, RATES, HEAD, TENANT, date(2026, 11, 3))
    assert notice.credit == -account.balance() > 0
    assert notice.paid == notice.charged
    assert notice.total_due == 0


def test_a_rate_changed_after_the_run_leaves_the_line_without_quantity_and_rate() -> None:
    account = billed_account()
    later = {**RATES, FeeType.MANAGEMENT: D("31.00")}
    notice = payment_notice(account, NOV, later, HEAD, TENANT, date(2026, 11, 3))
    management = next(line for line in notice.lines if line.fee_type == "management")
    assert (management.quantity, management.rate, management.amount) == (None, None, D("3000.00"))


def test_no_notice_before_the_month_is_issued() -> None:
    with pytest.raises(Conflict, match="not issued"):
        payment_notice(billed_account(), DEC, RATES, HEAD, TENANT, date(2026, 11, 3))


def test_the_receipt_says_what_it_paid() -> None:
    account = billed_account()
    book = ReceiptBook(site_id=account.site_id, at=AT)
    receipt = book.issue(unit="12A", reference="BT-1", amount=D("500"), method="cash", at=AT,
                         cashier="王芳")  # fmt: skip
    placed, unplaced = account.placed("BT-1")
    slip = receipt_slip(receipt, HEAD, TENANT, placed, unplaced, "CNY")
    assert (slip.number, slip.amount, slip.cashier) == (1, D("500.00"), "王芳")
    assert slip.amount_in_words == "伍佰元整"
    assert (slip.pays_for, slip.unplaced) == (("2026-10",), D("0.00"))


# -- the PDFs as a reader sees them ------------------------------------------------------


def page_one(pdf: bytes, name: str) -> tuple[pdfium.PdfPage, pdfium.PdfTextPage, object]:
    """Page 1 of `pdf`, its text, and its picture (kept as .local/screenshots/<name>.png)."""
    assert pdf.startswith(b"%PDF-")
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    picture = page.render(scale=2).to_pil()
    SHOTS.mkdir(parents=True, exist_ok=True)
    picture.save(SHOTS / f"{name}.png")
    return page, page.get_textpage(), picture.convert("L")


def inked(image: object, page: pdfium.PdfPage, text: pdfium.PdfTextPage, word: str) -> float:
    """Where `word` is on the page (0 top .. 1 bottom), after checking its box is drawn:
    dark pixels there in the rendered picture (the font's glyphs, not blank boxes)."""
    found = text.search(word).get_next()
    assert found is not None, f"{word!r} is not on the page"
    left, bottom, right, top = text.get_charbox(found[0])
    for i in range(1, found[1]):
        box = text.get_charbox(found[0] + i)
        right, top, bottom = max(right, box[2]), max(top, box[3]), min(bottom, box[1])
    height = page.get_height()
    crop = image.crop((int(left * 2), int((height - top) * 2), int(right * 2) + 1,  # type: ignore[attr-defined]
                       int((height - bottom) * 2) + 1))  # fmt: skip
    assert crop.getextrema()[0] < 100, f"{word!r} is not drawn"
    return 1 - top / height


def embedded_fonts(pdf: bytes) -> bool:
    return b"/FontFile2" in pdf and b"STSong" not in pdf


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_notice_pdf(lang: str) -> None:
    account = billed_account()
    notice = payment_notice(account, NOV, RATES, HEAD, TENANT, date(2026, 11, 3))
    pdf = notice_pdf(notice, lang)
    assert embedded_fonts(pdf)
    page, text, image = page_one(pdf, f"notice-12A-2026-11-{lang}")
    darkest, lightest = image.getextrema()  # type: ignore[attr-defined]
    assert darkest < 50 < lightest  # not blank
    title = "缴费通知单" if lang == "zh" else "Payment notice"
    assert inked(image, page, text, title) < 0.2  # at the top
    assert inked(image, page, text, "12A") < 0.35
    assert inked(image, page, text, "上海中心A座") < inked(image, page, text, title)
    tenant = TENANT.name_zh if lang == "zh" else str(TENANT.name_en)
    inked(image, page, text, tenant)
    total = f"¥{notice.total_due:,.2f}"
    assert inked(image, page, text, total) > inked(image, page, text, "12A")
    inked(image, page, text, "100 m² × 30")


def test_the_receipt_pdf_and_a_void_one() -> None:
    account = billed_account()
    book = ReceiptBook(site_id=account.site_id, at=AT)
    receipt = book.issue(unit="12A", reference="BT-1", amount=D("1234.56"), method="cash",
                         at=AT, cashier="王芳")  # fmt: skip
    placed, unplaced = account.placed("BT-1")
    slip = receipt_slip(receipt, HEAD, TENANT, placed, unplaced, "CNY")
    pdf = receipt_pdf(slip, "zh", "Asia/Shanghai")
    assert embedded_fonts(pdf)
    page, text, image = page_one(pdf, "receipt-1-zh")
    assert inked(image, page, text, "收据") < 0.25
    for word in (
        "No. 00000001",
        "壹仟贰佰叁拾肆元伍角陆分",
        "¥1,234.56",
        "王芳",
        "2026-10-01 17:00",
    ):
        inked(image, page, text, word)
    assert text.search("作废").get_next() is None

    book.void(unit="12A", reference="BT-1", reason="支票退票", at=AT)
    void = receipt_slip(book.receipts[0], HEAD, TENANT, {}, D(0), "CNY")
    for lang in ("zh", "en"):
        page, text, image = page_one(receipt_pdf(void, lang, "Asia/Shanghai"),
                                     f"receipt-1-void-{lang}")  # fmt: skip
        inked(image, page, text, "作废")
        inked(image, page, text, "VOID")
        inked(image, page, text, "支票退票")


def test_the_longest_texts_still_print() -> None:
    """A 2,000-character adjustment reason (the most `Text` holds) on the notice, and as a
    void reason on the receipt: once a reportlab LayoutError (a 500), a row taller than
    the page now goes on over the next one."""
    account = billed_account()
    account.adjust(adjustment_id="A-1", amount=D("5"), reason="长" * 2000, period=NOV, at=AT)
    notice = payment_notice(account, NOV, RATES, HEAD, TENANT, date(2026, 11, 3))
    page, text, image = page_one(notice_pdf(notice, "zh"), "notice-long-adjustment")
    inked(image, page, text, "长" * 20 + "…")
    book = ReceiptBook(site_id=account.site_id, at=AT)
    book.issue(unit="12A", reference="BT-1", amount=D("500"), method="cash", at=AT)
    book.void(unit="12A", reference="BT-1", reason="退" * 2000, at=AT)
    slip = receipt_slip(book.receipts[0], HEAD, TENANT, {}, D(0), "CNY")
    pdf = receipt_pdf(slip, "en", "Asia/Shanghai")
    assert len(pdfium.PdfDocument(pdf)) > 1
    assert sum(pdfium.PdfDocument(pdf)[n].get_textpage().get_text_range().count("退")
               for n in range(len(pdfium.PdfDocument(pdf)))) == 2000  # fmt: skip


def test_without_a_cjk_font_printing_is_unavailable_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BILLING_CJK_FONT", str(tmp_path / "missing.ttf"))
    font_name.cache_clear()
    try:
        with pytest.raises(ServiceUnavailable, match=r"missing\.ttf"):
            notice_pdf(payment_notice(billed_account(), NOV, RATES, HEAD, TENANT,
                                      date(2026, 11, 3)), "zh")  # fmt: skip
    finally:
        monkeypatch.delenv("BILLING_CJK_FONT")
        font_name.cache_clear()


@given(st.lists(st.decimals(min_value="0.01", max_value="4000", places=2), max_size=4))
def test_any_payments_leave_the_latest_notice_equal_to_the_account(
    payments: list[Decimal],
) -> None:
    account = billed_account()
    for n, amount in enumerate(payments):
        account.receive_payment(reference=f"P-{n}", amount=amount, method="cash", at=AT)
    notice = payment_notice(account, NOV, RATES, HEAD, TENANT, date(2026, 11, 3))
    assert notice.total_due == max(account.balance(), D(0))
    assert notice.charged - notice.paid + notice.previous_balance == account.outstanding()
    assert notice.credit == account.credit
