"""The printed payment notice and receipt through the gateway: a tenant moved in, the
month billed, signed off and issued, paid and a payment reversed; the PDFs read back
with pypdfium2 (their text, in Chinese and English); site isolation, roles and bad
input (a 4xx naming the field, nothing stored)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import httpx
import pypdfium2 as pdfium
import pytest

from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import bearer, eventually, problem, stored_events

SITE, OTHER = uuid4(), uuid4()
PERIOD = "2033-05"
ADMIN = bearer(Role.GROUP_ADMIN, [])
ACCOUNTANT, CASHIER = bearer(Role.ACCOUNTANT, [SITE]), bearer(Role.CASHIER, [SITE])
CS, BI = bearer(Role.CS_REP, [SITE]), bearer(Role.BI, [SITE])
OTHER_ACCOUNTANT = bearer(Role.ACCOUNTANT, [OTHER])
BASE = f"/sites/{SITE}/billing"
NOTICE = f"{BASE}/units/12A/notices/{PERIOD}.pdf"
TENANT_ZH, TENANT_EN = "华星贸易有限公司", "Huaxing Trading Ltd"


def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


SHOTS = Path(__file__).resolve().parents[2] / ".local" / "screenshots"


def text_of(response: httpx.Response) -> str:
    """Page 1's text of a PDF answer; its picture kept as .local/screenshots/e2e-<name>.png
    (the name the answer gives the file)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('inline; filename="')
    page = pdfium.PdfDocument(response.content)[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = disposition.split('"')[1].removesuffix(".pdf")
    page.render(scale=2).to_pil().save(SHOTS / f"e2e-{name}.png")
    return page.get_textpage().get_text_range()


def stored(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}billing", "billing_events"
    )


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        ok(client.post("/admin/clock", json={"set_to": "2033-06-02T02:00:00+00:00"},
                       headers=ADMIN))  # fmt: skip
        yield client
        client.post("/admin/clock", json={"reset": True}, headers=ADMIN)


@pytest.fixture(scope="module")
def issued(api: httpx.Client) -> dict:
    """12A moved in on 10 May 2033 (May prorated, 22/31 days), 15C without a tenant; May
    billed and, once the notice was refused before it, issued; 1000.00 paid on 12A
    (receipt 1), 15C's payment reversed (receipt 2, void)."""
    for fee_type, amount in (("management", "30"), ("water", "5")):
        ok(api.put(f"{BASE}/rates", headers=ACCOUNTANT, json={
            "fee_type": fee_type, "amount_per_unit": amount, "effective_from": "2033-01"}))  # fmt: skip
    ok(api.put(f"{BASE}/units", headers=ACCOUNTANT, json={"units": [
        {"unit": "12A", "area_m2": "100"}, {"unit": "15C", "area_m2": "50"}]}))  # fmt: skip
    ok(api.put(f"{BASE}/water-readings", headers=ACCOUNTANT,
               json={"period": PERIOD, "readings": {"12A": "20", "15C": "4"}}))  # fmt: skip
    ok(api.post(f"/sites/{SITE}/tenancy/tenancies", headers=CS, json={
        "unit": "12A", "kind": "company", "name_zh": TENANT_ZH, "name_en": TENANT_EN,
        "contact": {"name": "李娜", "phone": "+86 21 6000 1234"},
        "moved_in_on": "2033-05-10", "billing_starts_on": "2033-05-10",
        "checklist": [{"item": "carpet", "ok": True}],
        "meter_readings": [{"meter": "water", "reading": "120.500"}],
        "keys_issued": [{"label": "front door", "count": 2}]}), 201)  # fmt: skip
    eventually(lambda: ok(api.get(f"{BASE}/units/12A/tenancy", headers=ACCOUNTANT)),
               lambda t: len(t["tenancies"]) == 1)  # fmt: skip
    ok(api.post(f"{BASE}/runs/{PERIOD}", headers=ACCOUNTANT))
    before_issue = api.get(NOTICE, headers=ACCOUNTANT)
    for role in (Role.CS_MANAGER, Role.GENERAL_MANAGER, Role.FINANCE_MANAGER):
        ok(api.post(f"{BASE}/runs/{PERIOD}/approval", headers=bearer(role, [SITE])))
    ok(api.post(f"{BASE}/runs/{PERIOD}/statements", json={"due_date": "2033-06-15"},
                headers=ACCOUNTANT))  # fmt: skip
    ok(api.post(f"{BASE}/units/12A/payments", headers=CASHIER,
                json={"reference": "BT-1", "amount": "1000.00", "method": "bank_transfer"}))  # fmt: skip
    ok(api.post(f"{BASE}/units/15C/payments", headers=CASHIER,
                json={"reference": "CHQ-7", "amount": "20.00", "method": "cheque"}))  # fmt: skip
    ok(api.post(f"{BASE}/units/15C/payments/CHQ-7/reversal", headers=ACCOUNTANT,
                json={"reason": "支票退票 cheque bounced"}))  # fmt: skip
    return {"before_issue": before_issue}


def test_no_notice_before_the_month_is_issued(issued: dict) -> None:
    refused = issued["before_issue"]
    assert refused.status_code == 409 and "not issued" in problem(refused).detail


def test_the_notice_in_chinese_and_english(api: httpx.Client, issued: dict) -> None:
    account = ok(api.get(f"{BASE}/units/12A", headers=ACCOUNTANT))
    # 3000 x 22/31 = 2129.03, water 20 m3 x 5 = 100.00; 1000.00 paid
    assert account["outstanding"] == "1229.03"
    # The tenant comes through Kafka (billing's copy of the roster): eventually printed.
    zh = eventually(lambda: text_of(api.get(NOTICE, headers=CASHIER)), lambda t: TENANT_ZH in t)
    for expected in ("缴费通知单", "12A", PERIOD, "2033-06-15", "物业管理费",
                     "100 m² × 30 × 22/31", "¥2,129.03", "¥1,229.03", "应缴合计"):  # fmt: skip
        assert expected in zh, expected
    en = text_of(api.get(NOTICE, params={"lang": "en"}, headers=BI))
    for expected in ("Payment notice", TENANT_EN, "Management fee", "Total due", "¥1,229.03"):
        assert expected in en, expected


def test_the_letterhead_heads_the_notice(api: httpx.Client, issued: dict, stack: Stack) -> None:
    before = stored(stack)
    bad = api.put(f"{BASE}/letterhead", json={"site_name": " "}, headers=ACCOUNTANT)
    assert bad.status_code == 422 and problem(bad).names("site_name")
    assert (
        api.put(f"{BASE}/letterhead", json={"site_name": "x"}, headers=CASHIER).status_code == 403
    )
    assert stored(stack) == before
    head = {"site_name": "上海中心A座", "site_name_en": "Shanghai Tower A",
            "payee": "上海某某物业管理有限公司", "how_to_pay": "请到一楼财务部交费。"}  # fmt: skip
    assert (
        ok(api.put(f"{BASE}/letterhead", json=head, headers=ACCOUNTANT))["payee"] == head["payee"]
    )
    assert ok(api.get(f"{BASE}/letterhead", headers=CASHIER))["site_name_en"] == "Shanghai Tower A"
    zh = text_of(api.get(NOTICE, headers=ACCOUNTANT))
    assert "上海中心A座" in zh and "请到一楼财务部交费。" in zh and head["payee"] in zh
    en = text_of(api.get(NOTICE, params={"lang": "en"}, headers=ACCOUNTANT))
    assert "Shanghai Tower A" in en and "by the due date" in en  # the English default


def test_receipts_and_a_void_one(api: httpx.Client, issued: dict) -> None:
    receipts = ok(api.get(f"{BASE}/receipts", headers=ACCOUNTANT))
    assert [(r["number"], r["cashier"]) for r in receipts] == [
        (1, "test-cashier"), (2, "test-cashier")]  # fmt: skip
    first = text_of(api.get(f"{BASE}/receipts/1.pdf", headers=CASHIER))
    for expected in ("收据", "No. 00000001", "人民币壹仟元整", "¥1,000.00", "test-cashier",
                     "BT-1", "银行转账", f"{PERIOD} 月费用"):  # fmt: skip
        assert expected in first, expected
    assert "作废" not in first
    for lang, marks in (("zh", ("收据（作废）", "作废 VOID")), ("en", ("Receipt (VOID)",))):
        void = text_of(api.get(f"{BASE}/receipts/2.pdf", params={"lang": lang}, headers=BI))
        for expected in (*marks, "支票退票 cheque bounced", "贰拾元整", "15C"):
            assert expected in void, (lang, expected)


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        (f"{BASE}/units/99Z/notices/{PERIOD}.pdf", 404, None),
        (f"{BASE}/units/12A/notices/2033-04.pdf", 409, None),
        (f"{BASE}/units/12A/notices/2033-13.pdf", 422, "period"),
        (f"{BASE}/units/12A/notices/May.pdf", 422, "period"),
        (f"{NOTICE}?lang=fr", 422, "lang"),
        (f"{BASE}/receipts/0.pdf", 422, "number"),
        (f"{BASE}/receipts/abc.pdf", 422, "number"),
        (f"{BASE}/receipts/99.pdf", 404, None),
        (f"{BASE}/receipts/1.pdf?lang=", 422, "lang"),
    ],
    ids=["unknown-unit", "not-issued", "month-13", "not-a-month", "lang", "receipt-0",
         "receipt-text", "no-such-receipt", "empty-lang"],
)  # fmt: skip
def test_bad_requests_name_the_field(
    api: httpx.Client, issued: dict, path: str, status: int, field: str | None
) -> None:
    response = api.get(path, headers=ACCOUNTANT)
    assert response.status_code == status, response.text
    if field:
        assert problem(response).names(field), problem(response)


def test_another_sites_staff_and_other_roles_print_nothing(api: httpx.Client, issued: dict) -> None:
    # A token for another site on this site's paths: refused before any service.
    for path in (NOTICE, f"{BASE}/receipts/1.pdf", f"{BASE}/letterhead"):
        assert api.get(path, headers=OTHER_ACCOUNTANT).status_code == 403, path
    # Their own site's paths know neither this site's unit nor its receipts.
    elsewhere = f"/sites/{OTHER}/billing"
    for path in (f"{elsewhere}/units/12A/notices/{PERIOD}.pdf", f"{elsewhere}/receipts/1.pdf"):
        response = api.get(path, headers=OTHER_ACCOUNTANT)
        assert response.status_code == 404 and problem(response).kind == "not_found", path
    # Only the roles that read the account print it.
    for role in (Role.RECEPTIONIST, Role.CS_REP, Role.DISPATCHER):
        assert api.get(NOTICE, headers=bearer(role, [SITE])).status_code == 403, role
    assert Decimal(ok(api.get(f"{BASE}/units/12A", headers=ACCOUNTANT))["outstanding"]) > 0
