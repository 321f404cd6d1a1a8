"""The payment notice and the receipt laid out as PDF (reportlab), in Chinese or English.

The text is set in WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, installed by `make
install`; TrueType outlines, so reportlab embeds the subset of glyphs a page uses): the
PDF shows its Chinese on any viewer, with nothing fetched at run time. Another TrueType
CJK font can be named with BILLING_CJK_FONT.
"""

from __future__ import annotations

import io
import os
import threading
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from runtime.errors import ServiceUnavailable
from services.billing.printables import NoticeLine, PaymentNotice, ReceiptSlip

FONT = "ConciergeCJK"
# reportlab keeps per-document state in shared font objects: one document at a time.
_RENDERING = threading.Lock()
FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "notice": "缴费通知单",
        "receipt": "收据",
        "unit": "单元",
        "tenant": "用户",
        "period": "费用月份",
        "due": "缴费期限",
        "printed": "打印日期",
        "fee": "费用项目",
        "detail": "计费依据",
        "amount": "金额",
        "paid": "已付",
        "charged": "本月费用",
        "paid_total": "本月已付",
        "previous": "上期欠费",
        "credit": "预存余额",
        "total": "应缴合计",
        "how": "缴费方式",
        "payee": "收款单位",
        "number": "收据编号",
        "date": "日期",
        "payer": "交款单位/人",
        "in_figures": "金额（小写）",
        "in_words": "金额（大写）",
        "for": "收费项目",
        "method": "付款方式",
        "reference": "付款参考号",
        "cashier": "收款人",
        "void": "作废",
        "void_reason": "作废原因",
        "voided_at": "作废时间",
        "credit_for": "预存",
        "charges_of": "{} 月费用",
        "days": "天",
        "none": "（无）",
        "management": "物业管理费",
        "parking": "车位费",
        "water": "水费",
        "phone": "电话费",
        "other_service": "其它服务费",
        "paid_repair": "有偿维修费",
        "late_fee": "滞纳金",
        "adjustment": "调整",
        "cash": "现金",
        "bank_transfer": "银行转账",
        "card": "刷卡",
        "wechat_pay": "微信支付",
        "alipay": "支付宝",
        "cheque": "支票",
        "other": "其它",
        "space": "个车位",
        "line": "条线路",
    },
    "en": {
        "notice": "Payment notice",
        "receipt": "Receipt",
        "unit": "Unit",
        "tenant": "Tenant",
        "period": "Month",
        "due": "Due date",
        "printed": "Printed",
        "fee": "Fee",
        "detail": "Basis",
        "amount": "Amount",
        "paid": "Paid",
        "charged": "This month",
        "paid_total": "Paid this month",
        "previous": "Previous balance",
        "credit": "Credit held",
        "total": "Total due",
        "how": "How to pay",
        "payee": "Payee",
        "number": "Receipt no.",
        "date": "Date",
        "payer": "Received from",
        "in_figures": "Amount",
        "in_words": "Amount in words (RMB)",
        "for": "For",
        "method": "Paid by",
        "reference": "Payment reference",
        "cashier": "Cashier",
        "void": "VOID",
        "void_reason": "Reason voided",
        "voided_at": "Voided",
        "credit_for": "credit",
        "charges_of": "charges of {}",
        "days": "days",
        "none": "(none)",
        "management": "Management fee",
        "parking": "Parking",
        "water": "Water",
        "phone": "Phone",
        "other_service": "Other services",
        "paid_repair": "Paid repair",
        "late_fee": "Late fee",
        "adjustment": "Adjustment",
        "cash": "Cash",
        "bank_transfer": "Bank transfer",
        "card": "Card",
        "wechat_pay": "WeChat Pay",
        "alipay": "Alipay",
        "cheque": "Cheque",
        "other": "Other",
        "space": "space(s)",
        "line": "line(s)",
    },
}


@cache
def font_name() -> str:
    """Register the CJK font once; ServiceUnavailable when none is installed."""
    wanted = os.environ.get("BILLING_CJK_FONT")
    paths = (wanted,) if wanted else FONT_PATHS
    found = next((Path(p) for p in paths if Path(p).is_file()), None)
    if found is None:
        raise ServiceUnavailable(
            f"printing needs a CJK TrueType font ({' or '.join(paths)}): install"
            " fonts-wqy-microhei or set BILLING_CJK_FONT"
        )
    index = {"subfontIndex": 0} if found.suffix == ".ttc" else {}
    pdfmetrics.registerFont(TTFont(FONT, str(found), **index))
    return FONT


def money_text(amount: Decimal, currency: str) -> str:
    sign = "¥" if currency == "CNY" else f"{currency} "
    return f"{'-' if amount < 0 else ''}{sign}{abs(amount):,.2f}"


def _styles(lang: str) -> dict[str, ParagraphStyle]:
    """Chinese wraps between any two characters, English between words."""
    font = font_name()
    wrap = "CJK" if lang == "zh" else None
    base = ParagraphStyle("base", fontName=font, fontSize=10, leading=14, wordWrap=wrap)
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=26, alignment=1),
        "site": ParagraphStyle("site", parent=base, fontSize=13, leading=18, alignment=1),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=12),
        "right": ParagraphStyle("right", parent=base, alignment=2),
        "total": ParagraphStyle("total", parent=base, fontSize=12, leading=16, alignment=2),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _grid(rows: list[list[Flowable | str]], widths: list[float], header: bool) -> Table:
    """A ruled table; a row taller than what is left of the page (a long void reason, a
    long name) goes on over the next page instead of failing the layout."""
    table = Table(rows, colWidths=widths, hAlign="CENTER", splitInRow=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font_name()),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")))
    table.setStyle(TableStyle(style))
    return table


BASIS_CHARS = 160  # a notice shows a line's basis, not a whole adjustment's reason


def _basis(line: NoticeLine, words: dict[str, str]) -> str:
    """Quantity x rate (x days/days in month) where known, else the booked description
    (shortened: the account's view keeps it whole)."""
    if line.quantity is None or line.rate is None:
        text = line.description
        return text if len(text) <= BASIS_CHARS else text[: BASIS_CHARS - 1] + "…"
    measure = words.get(line.measure or "", line.measure or "")
    text = f"{line.quantity.normalize():f} {measure} × {line.rate.normalize():f}"
    if line.days:
        text += f" × {line.days[0]}/{line.days[1]} {words['days']}"
    return text


def notice_pdf(notice: PaymentNotice, lang: str) -> bytes:
    """The payment notice on one A4 page (more when the month has many lines)."""
    words, styles = LABELS[lang], _styles(lang)
    cur = notice.currency
    p = lambda text, style="base": Paragraph(_escape(str(text)), styles[style])  # noqa: E731
    tenant = notice.tenant
    tenant_name = (tenant.name_en or tenant.name_zh if lang == "en" else tenant.name_zh
                   ) if tenant else words["none"]  # fmt: skip
    facts = [
        [p(words["unit"]), p(notice.unit), p(words["tenant"]), p(tenant_name)],
        [p(words["period"]), p(str(notice.period)), p(words["due"]), p(notice.due_date)],
    ]
    lines: list[list[Flowable | str]] = [
        [p(words["fee"]), p(words["detail"]), p(words["amount"], "right"),
         p(words["paid"], "right")],
        *[[p(words.get(line.fee_type, line.fee_type)), p(_basis(line, words), "small"),
           p(money_text(line.amount, cur), "right"), p(money_text(line.paid, cur), "right")]
          for line in notice.lines],
    ]  # fmt: skip
    sums = [
        [p(words["charged"]), p(money_text(notice.charged, cur), "right")],
        [p(words["paid_total"]), p(money_text(-notice.paid, cur), "right")],
        [p(words["previous"]), p(money_text(notice.previous_balance, cur), "right")],
        [p(words["credit"]), p(money_text(-notice.credit, cur), "right")],
        [p(words["total"], "total"), p(money_text(notice.total_due, cur), "total")],
    ]
    width = A4[0] - 40 * mm
    story: list[Flowable] = [
        p(notice.heading.site_name, "site"),
        p(words["notice"], "title"),
        Spacer(1, 4 * mm),
        _grid(facts, [width * 0.15, width * 0.35, width * 0.15, width * 0.35], header=False),
        Spacer(1, 5 * mm),
        _grid(lines, [width * 0.2, width * 0.46, width * 0.17, width * 0.17], header=True),
        Spacer(1, 5 * mm),
        _grid(sums, [width * 0.66, width * 0.34], header=False),
        Spacer(1, 6 * mm),
        p(f"{words['how']}: {notice.heading.how_to_pay}"),
    ]
    if notice.heading.payee:
        story.append(p(f"{words['payee']}: {notice.heading.payee}"))
    story.append(p(f"{words['printed']}: {notice.printed_on}", "small"))
    return _build(story, A4, f"{words['notice']} {notice.unit} {notice.period}")


def receipt_pdf(slip: ReceiptSlip, lang: str, zone: str) -> bytes:
    """The receipt on an A5 landscape page; a voided one crossed out and marked 作废/VOID."""
    words, styles = LABELS[lang], _styles(lang)
    cur = slip.currency
    p = lambda text, style="base": Paragraph(_escape(str(text)), styles[style])  # noqa: E731
    payer = slip.payer
    payer_name = (payer.name_en or payer.name_zh if lang == "en" else payer.name_zh
                  ) if payer else slip.unit  # fmt: skip
    pays_for = "; ".join(words["charges_of"].format(month) for month in slip.pays_for)
    if slip.unplaced > 0:
        credit = f"{words['credit_for']} {money_text(slip.unplaced, cur)}"
        pays_for = f"{pays_for}; {credit}" if pays_for else credit
    if slip.voided_at is not None or not pays_for:
        pays_for = "—"
    rows = [
        [p(words["number"]), p(f"No. {slip.number:08d}"), p(words["date"]),
         p(_local(slip.issued_at, zone))],
        [p(words["payer"]), p(payer_name), p(words["unit"]), p(slip.unit)],
        [p(words["in_words"]), p(f"人民币{slip.amount_in_words}"), p(words["in_figures"]),
         p(money_text(slip.amount, cur))],
        [p(words["for"]), p(pays_for), p(words["method"]), p(words.get(slip.method, slip.method))],
        [p(words["reference"]), p(slip.reference), p(words["cashier"]),
         p(slip.cashier or "")],
    ]  # fmt: skip
    if slip.voided_at is not None:
        rows.append([p(words["void_reason"]), p(slip.void_reason or ""), p(words["voided_at"]),
                     p(_local(slip.voided_at, zone))])  # fmt: skip
    page = landscape(A5)
    width = page[0] - 30 * mm
    title = words["receipt"]
    if slip.voided_at is not None:
        title += f" ({words['void']})" if lang == "en" else f"（{words['void']}）"
    story: list[Flowable] = [
        p(slip.heading.site_name, "site"),
        p(title, "title"),
        Spacer(1, 3 * mm),
        _grid(rows, [width * 0.19, width * 0.41, width * 0.14, width * 0.26], header=False),
    ]
    if slip.heading.payee:
        story += [Spacer(1, 3 * mm), p(f"{words['payee']}: {slip.heading.payee}")]
    stamp = f"{LABELS['zh']['void']} VOID" if slip.voided_at is not None else None
    return _build(story, page, f"{words['receipt']} {slip.number}", stamp=stamp, margin=15 * mm)


def _local(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _build(story: list[Flowable], page: tuple[float, float], title: str,
           stamp: str | None = None, margin: float = 20 * mm) -> bytes:  # fmt: skip
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page, title=title, author="Concierge",
                            leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=margin, invariant=True)  # fmt: skip

    def mark(canvas: Canvas, _: object) -> None:
        """A voided document's stamp: red, boxed, across the middle of every page."""
        if stamp is None:
            return
        red = colors.Color(0.8, 0.05, 0.05, alpha=0.6)
        size = 54
        width = canvas.stringWidth(stamp, font_name(), size)
        canvas.saveState()
        canvas.setFillColor(red)
        canvas.setStrokeColor(red)
        canvas.setFont(font_name(), size)
        canvas.translate(page[0] / 2, page[1] / 2)
        canvas.rotate(15)
        canvas.drawCentredString(0, -size * 0.35, stamp)
        canvas.setLineWidth(4)
        canvas.roundRect(-width / 2 - 14, -size * 0.75, width + 28, size * 1.5, 10)
        canvas.restoreState()

    with _RENDERING:
        doc.build(story, onFirstPage=mark, onLaterPages=mark)
    return out.getvalue()
