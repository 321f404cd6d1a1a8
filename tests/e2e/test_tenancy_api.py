"""A tenant's life through the gateway: move-in, details, fit-out, tenant files, notice and
move-out; another site's staff get 404, bad input a 422 naming the field with nothing
stored."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import bearer, eventually, problem, stored_events
from tests.infra import read_topic

SITE, OTHER = uuid4(), uuid4()
CS, CS_MANAGER = bearer(Role.CS_REP, [SITE]), bearer(Role.CS_MANAGER, [SITE])
ENGINEERING = bearer(Role.DISPATCHER, [SITE])
DESK = bearer(Role.RECEPTIONIST, [SITE])
OTHER_CS = bearer(Role.CS_MANAGER, [OTHER])
T = f"/sites/{SITE}/tenancy"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def move_in_body(unit: str, **overrides: object) -> dict:
    return {
        "unit": unit, "kind": "company", "name_zh": "华星贸易有限公司",
        "name_en": "Huaxing Trading Ltd",
        "contact": {"name": "李娜", "phone": "+86 21 6000 1234", "email": "li.na@huaxing.example",
                    "extension": "801"},
        "emergency_contact": {"name": "王强", "phone": "13800000000"},
        "moved_in_on": "2026-11-10", "billing_starts_on": "2026-11-10",
        "checklist": [{"item": "windows and glazing", "ok": True},
                      {"item": "carpet", "ok": False, "note": "stain by the door"}],
        "meter_readings": [{"meter": "water", "reading": "120.500"},
                           {"meter": "electricity", "reading": "3300"}],
        "keys_issued": [{"label": "front door", "count": 2}, {"label": "access card", "count": 5}],
        **overrides,
    }  # fmt: skip


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        yield client


def stored(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}tenancy", "tenancy_events"
    )


def ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


def test_a_tenant_moves_in_fits_out_and_moves_out(api: httpx.Client) -> None:
    tenancy = ok(api.post(f"{T}/tenancies", json=move_in_body("12A"), headers=CS), 201)
    tid = tenancy["tenancy_id"]
    assert (tenancy["status"], tenancy["unit"], tenancy["contact"]["extension"]) == (
        "in_residence", "12A", "801")  # fmt: skip
    # One tenant per unit.
    assert api.post(f"{T}/tenancies", json=move_in_body("12A"), headers=CS).status_code == 409

    changed = ok(api.put(f"{T}/tenancies/{tid}/details", headers=CS, json={
        "kind": "company", "name_zh": "华星贸易有限公司", "name_en": "Huaxing Trading Ltd",
        "contact": {"name": "陈静", "phone": "+86 21 6000 1235"}}))  # fmt: skip
    assert changed["contact"]["name"] == "陈静" and changed["emergency_contact"] is None
    history = ok(api.get(f"{T}/tenancies/{tid}/history", headers=CS))
    assert [h["change"] for h in history] == ["MovedIn", "DetailsChanged"]
    assert history[0]["details"]["contact"]["name"] == "李娜"
    assert "originator_topic" not in history[0]["details"]  # no internals

    roster = eventually(lambda: ok(api.get(f"{T}/tenancies", headers=DESK)),
                        lambda r: any(e["tenancy_id"] == tid and e["contact"]["name"] == "陈静"
                                      for e in r))  # fmt: skip
    assert [e["unit"] for e in roster] == ["12A"]

    permit = ok(api.post(f"{T}/fit-outs", headers=CS, json={
        "tenancy_id": tid, "plans": ["layout rev B", "electrical plan"],
        "contractor": "Acme Fitters", "contractor_phone": "13900000000",
        "starts_on": "2026-11-12", "ends_on": "2026-12-12", "deposit": "5000.00"}), 201)  # fmt: skip
    pid = permit["permit_id"]
    approval = f"{T}/fit-outs/{pid}/approval"
    assert ok(api.post(approval, headers=CS_MANAGER))["status"] == "applied"
    assert api.post(approval, headers=CS_MANAGER).status_code == 409  # once per department
    assert api.post(approval, headers=CS).status_code == 403  # a rep does not approve
    assert ok(api.post(approval, headers=ENGINEERING))["status"] == "approved"
    inspected = ok(api.post(f"{T}/fit-outs/{pid}/inspections", headers=ENGINEERING, json={
        "inspector": "Zhao", "findings": [{"finding": "sprinkler head moved",
                                           "action": "violation"}]}))  # fmt: skip
    assert inspected["last_inspection_passed"] is False and inspected["open_findings"]
    completion = {"accepted_by": "Zhao"}
    assert (
        api.post(f"{T}/fit-outs/{pid}/completion", headers=CS, json=completion).status_code == 409
    )
    ok(api.post(f"{T}/fit-outs/{pid}/inspections", headers=ENGINEERING,
                json={"inspector": "Zhao", "findings": [{"finding": "restored"}]}))  # fmt: skip
    assert ok(api.post(f"{T}/fit-outs/{pid}/completion", headers=CS, json=completion))[
        "status"] == "completed"  # fmt: skip
    settled = ok(api.post(f"{T}/fit-outs/{pid}/deposit-settlement", headers=CS, json={
        "deductions": [{"reason": "lift lobby floor scratched", "amount": "800.00"}]}))  # fmt: skip
    assert (settled["status"], settled["refunded"]) == ("settled", "4200.00")

    filed = ok(api.post(f"{T}/files", headers=CS, json={
        "number": "F-12A-001", "title": "租赁合同 lease", "pages": 24, "filed_on": "2026-11-10",
        "filed_by": "文秘 Chen", "category": "lease", "unit": "12A"}), 201)  # fmt: skip
    assert api.post(f"{T}/files", headers=CS, json={
        "number": "F-12A-001", "title": "again", "pages": 1, "filed_on": "2026-11-10",
        "filed_by": "Chen", "category": "lease"}).status_code == 409  # fmt: skip
    ok(api.post(f"{T}/files/{filed['file_id']}/borrowing", headers=CS, json={
        "borrower": "Finance Wu", "borrowed_on": "2026-11-11", "due_back_on": "2026-11-13"}))  # fmt: skip
    overdue = eventually(
        lambda: ok(api.get(f"{T}/files/overdue-borrowings", headers=CS)), lambda r: len(r) == 1
    )  # the business clock is past 2026-11-13
    assert overdue[0]["borrower"] == "Finance Wu" and overdue[0]["days_overdue"] > 0

    ok(api.post(f"{T}/tenancies/{tid}/notice", headers=CS,
                json={"notice_on": "2026-12-20", "moving_out_on": "2027-01-20"}))  # fmt: skip
    out = ok(api.post(f"{T}/tenancies/{tid}/move-out", headers=CS, json={
        "moved_out_on": "2027-01-20", "meter_readings": [{"meter": "water", "reading": "188.250"}],
        "inspection": [{"finding": "walls repainted"}, {"finding": "carpet torn", "action": "repair"}],
        "keys_returned": [{"label": "front door", "count": 2}, {"label": "access card", "count": 4}],
        "forwarding_address": "上海市浦东新区世纪大道100号", "settlement_reference": "FS-12A-2027"}))  # fmt: skip
    assert out["status"] == "moved_out"
    assert out["keys_missing"] == [{"label": "access card", "count": 1}]
    eventually(
        lambda: ok(api.get(f"{T}/tenancies", headers=DESK)),
        lambda r: all(e["tenancy_id"] != tid for e in r),
    )
    # The unit is free again.
    ok(api.post(f"{T}/tenancies", json=move_in_body("12A", moved_in_on="2027-02-01",
                                                   billing_starts_on="2027-02-01"),
                headers=CS), 201)  # fmt: skip


def test_another_sites_staff_get_404(api: httpx.Client) -> None:
    tenancy = ok(api.post(f"{T}/tenancies", json=move_in_body("8B"), headers=CS), 201)
    tid = tenancy["tenancy_id"]
    there = f"/sites/{OTHER}/tenancy"
    assert api.get(f"{there}/tenancies/{tid}", headers=OTHER_CS).status_code == 404
    notice = {"notice_on": "2026-12-01", "moving_out_on": "2026-12-31"}
    assert api.post(f"{there}/tenancies/{tid}/notice", headers=OTHER_CS,
                    json=notice).status_code == 404  # fmt: skip
    # Another site's tenancy is no tenancy of this site: the fit-out names the field.
    refused = api.post(f"{there}/fit-outs", headers=OTHER_CS, json={
        "tenancy_id": tid, "plans": ["p"], "contractor": "c", "contractor_phone": "13900000000",
        "starts_on": "2026-11-12", "ends_on": "2026-11-13", "deposit": "0.00"})  # fmt: skip
    assert refused.status_code == 422 and problem(refused).names("tenancy_id")
    # And the path's site must be one of the token's.
    assert api.get(f"{T}/tenancies/{tid}", headers=OTHER_CS).status_code == 403
    assert ok(api.get(f"{T}/tenancies/{tid}", headers=CS))["status"] == "in_residence"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"unit": "12A\u0000"}, "unit"),
        ({"name_zh": ""}, "name_zh"),
        ({"kind": "shop"}, "kind"),
        ({"contact": {"name": "Li", "email": "not-an-email"}}, "email"),
        ({"contact": {"name": "Li", "extension": "8O1"}}, "extension"),
        ({"moved_in_on": "1999-12-31"}, "moved_in_on"),
        ({"billing_starts_on": "2026-11-09"}, "billing_starts_on"),
        ({"meter_readings": [{"meter": "water", "reading": "-1"}]}, "reading"),
        ({"keys_issued": [{"label": "door", "count": 0}]}, "count"),
        ({"checklist": []}, "checklist"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_stores_nothing(
    api: httpx.Client, stack: Stack, change: dict, field: str
) -> None:
    before = stored(stack)
    body = {**move_in_body(f"U{uuid4().hex[:6]}"), **change}
    response = api.post(f"{T}/tenancies", json=body, headers=CS)
    assert response.status_code == 422, response.text
    assert problem(response).names(field), problem(response).fields
    assert stored(stack) == before


def test_unknown_ids_are_404(api: httpx.Client) -> None:
    for path in (f"tenancies/{uuid4()}", f"fit-outs/{uuid4()}", f"files/{uuid4()}"):
        assert api.get(f"{T}/{path}", headers=CS_MANAGER).status_code == 404, path


def known_to_feedback(stack: Stack, site: object, unit: str) -> bool:
    """Whether feedback's copy of the roster (fed through Kafka) holds the unit yet."""
    schema = f"{stack.infra.namespace}feedback_read"
    with psycopg.connect(stack.infra.database_url) as conn:
        row = conn.execute(
            f'SELECT 1 FROM "{schema}".site_tenants WHERE site_id = %s AND unit = %s',
            (site, unit),
        ).fetchone()
    return row is not None


def test_mail_and_the_front_desk_follow_the_roster(api: httpx.Client, stack: Stack) -> None:
    """One roster: a move-in reaches mail's directory, the desk's hosts and feedback's
    complainants through Kafka; a move-out with a forwarding address forwards the tenant's
    waiting mail there."""
    site = uuid4()
    cs, desk = bearer(Role.CS_MANAGER, [site]), bearer(Role.RECEPTIONIST, [site])
    base = f"/sites/{site}"
    tid = ok(api.post(f"{base}/tenancy/tenancies", json=move_in_body("21F"), headers=cs),
             201)["tenancy_id"]  # fmt: skip
    letter = {"kind": "letter", "recipient_unit": "21F"}
    item = eventually(lambda: api.post(f"{base}/mail/items", json=letter, headers=desk),
                      lambda r: r.status_code == 201).json()  # fmt: skip
    now = datetime.now(UTC)
    visit = {"visitor_name": "Li Lei", "host_unit": "21F", "host_name": "李娜",
             "purpose": "meeting", "party_size": 1, "expected_from": now.isoformat(),
             "expected_until": (now + timedelta(hours=2)).isoformat()}  # fmt: skip
    eventually(lambda: api.post(f"{base}/visits/pre-registrations", json=visit, headers=desk),
               lambda r: r.status_code == 201)  # fmt: skip
    stranger = api.post(f"{base}/visits/pre-registrations", headers=desk,
                        json={**visit, "host_unit": "99Z"})  # fmt: skip
    assert stranger.status_code == 422  # the site has a roster now: 99Z is not on it
    complaint = {"channel": "phone", "complainant": "李娜", "unit": "21F", "category": "noise",
                 "content": "drilling next door"}  # fmt: skip
    # A complaint taken before feedback has the roster is registered without the tenant's
    # company (rightly): wait for the roster itself, then register.
    eventually(lambda: known_to_feedback(stack, site, "21F"), bool)
    registered = ok(api.post(f"{base}/complaints", json=complaint, headers=desk), 201)
    assert (registered["company"], registered["unit"]) == ("华星贸易有限公司", "21F")
    unknown = api.post(f"{base}/complaints", json={**complaint, "unit": "99Z"}, headers=desk)
    assert unknown.status_code == 422 and problem(unknown).names("unit")

    ok(api.post(f"{base}/tenancy/tenancies/{tid}/notice", headers=cs,
                json={"notice_on": "2026-12-01", "moving_out_on": "2026-12-31"}))  # fmt: skip
    ok(api.post(f"{base}/tenancy/tenancies/{tid}/move-out", headers=cs, json={
        "moved_out_on": "2026-12-31", "inspection": [{"finding": "clean"}],
        "keys_returned": [{"label": "front door", "count": 2},
                          {"label": "access card", "count": 5}],
        "forwarding_address": "北京市朝阳区建国路1号", "settlement_reference": "FS-21F"}))  # fmt: skip
    eventually(lambda: api.post(f"{base}/visits/pre-registrations", json=visit, headers=desk),
               lambda r: r.status_code == 422)  # moved out: no longer a host  # fmt: skip

    day = datetime.fromisoformat(item["received_at"]).astimezone(SHANGHAI).date()

    def forwarded() -> dict:
        api.post(f"{base}/mail/sweep", headers=cs)
        register = ok(api.get(f"{base}/mail/register", params={"date": str(day)}, headers=cs))
        return next(i for i in register if i["item_id"] == item["item_id"])

    done = eventually(forwarded, lambda i: i["status"] == "archived")
    assert (done["archive_reason"], done["forwarded_to"]) == ("forwarded", "北京市朝阳区建国路1号")


def test_billing_follows_the_tenancy(api: httpx.Client, stack: Stack) -> None:
    """Charges from the billing start, prorated by day; the fit-out deposit held apart from
    the receivable; at the move-out the charges stop and the final settlement nets what is
    owed, the credit and the deposit still held."""
    site = uuid4()
    cs, accountant = bearer(Role.CS_MANAGER, [site]), bearer(Role.ACCOUNTANT, [site])
    cashier = bearer(Role.CASHIER, [site])
    tenancy, billing = f"/sites/{site}/tenancy", f"/sites/{site}/billing"
    ok(api.put(f"{billing}/rates", headers=accountant, json={
        "fee_type": "management", "amount_per_unit": "30", "effective_from": "2026-01"}))  # fmt: skip
    ok(api.put(f"{billing}/units", headers=accountant,
               json={"units": [{"unit": "12A", "area_m2": "100"}]}))  # fmt: skip
    tid = ok(api.post(f"{tenancy}/tenancies", json=move_in_body("12A"), headers=cs),
             201)["tenancy_id"]  # fmt: skip
    permit = ok(api.post(f"{tenancy}/fit-outs", headers=cs, json={
        "tenancy_id": tid, "plans": ["layout"], "contractor": "Acme Fitters",
        "contractor_phone": "13900000000", "starts_on": "2026-11-12", "ends_on": "2026-12-12",
        "deposit": "5000.00"}), 201)  # fmt: skip
    assert permit["deposit"] == "5000.00"
    held = eventually(lambda: ok(api.get(f"{billing}/units/12A/tenancy", headers=accountant)),
                      lambda t: t["tenancies"] and t["deposits_held"] == "5000.00")  # fmt: skip
    assert held["tenancies"][0]["billing_starts_on"] == "2026-11-10"

    # November from the 10th: 3000.00 x 21 / 30 = 2100.00; December in full.
    november = ok(api.post(f"{billing}/runs/2026-11", headers=accountant))
    assert november["receivable"] == {"management": "2100.00"}  # no deposit in it
    assert ok(api.post(f"{billing}/runs/2026-12", headers=accountant))["receivable"] == {
        "management": "3000.00"}  # fmt: skip
    ok(api.post(f"{billing}/units/12A/payments", headers=cashier,
                json={"reference": "BT-1", "amount": "1000.00", "method": "bank_transfer"}))  # fmt: skip

    ok(api.post(f"{tenancy}/tenancies/{tid}/notice", headers=cs,
                json={"notice_on": "2026-12-01", "moving_out_on": "2026-12-20"}))  # fmt: skip
    ok(api.post(f"{tenancy}/tenancies/{tid}/move-out", headers=cs, json={
        "moved_out_on": "2026-12-20", "inspection": [{"finding": "clean"}],
        "keys_returned": [{"label": "front door", "count": 2},
                          {"label": "access card", "count": 5}],
        "settlement_reference": "FS-12A"}))  # fmt: skip
    settled = eventually(lambda: ok(api.get(f"{billing}/units/12A/tenancy", headers=accountant)),
                         lambda t: t["final_settlements"])  # fmt: skip
    # December stops on the 20th: 3000.00 x 20 / 31 = 1935.48 (1064.52 credited).
    # Owed 2100.00 + 1935.48 - 1000.00 paid = 3035.48; less the 5000.00 deposit held.
    statement = settled["final_settlements"][0]
    assert (statement["reference"], statement["outstanding"], statement["credit"],
            statement["deposits_held"], statement["balance"]) == (
        "FS-12A", "3035.48", "0.00", "5000.00", "-1964.52")  # fmt: skip
    assert settled["tenancies"][0]["moved_out_on"] == "2026-12-20"
    account = ok(api.get(f"{billing}/units/12A", headers=accountant))
    assert account["outstanding"] == "3035.48"

    # BI sees the deposit, the receipt and the final settlement on the billing topic.
    topic = f"{stack.infra.namespace}concierge.billing.v1"

    def published() -> dict[str, dict]:
        messages = asyncio.run(read_topic(stack.infra.kafka, topic))
        mine = [m for m in messages if dict(m.headers)["site"].decode() == str(site)]
        return {dict(m.headers)["ce_type"].decode(): json.loads(m.value) for m in mine}

    kinds = ("DepositHeld", "ReceiptIssued", "FinalSettlementDrawn")
    seen = eventually(
        published, lambda p: all(f"concierge.billing.{k}.v1" in p for k in kinds), timeout=30
    )
    assert seen["concierge.billing.DepositHeld.v1"]["amount"] == "5000.00"
    assert seen["concierge.billing.ReceiptIssued.v1"]["number"] == 1
    assert seen["concierge.billing.FinalSettlementDrawn.v1"]["balance"] == "-1964.52"


def test_every_payment_gets_a_receipt_numbered_per_site(api: httpx.Client) -> None:
    site = uuid4()
    accountant = bearer(Role.ACCOUNTANT, [site])
    billing = f"/sites/{site}/billing"
    ok(api.put(f"{billing}/units", headers=accountant,
               json={"units": [{"unit": "12A", "area_m2": "100"}, {"unit": "15C", "area_m2": "50"}]}))  # fmt: skip
    for unit, reference in (("12A", "BT-1"), ("15C", "BT-2"), ("12A", "BT-3")):
        ok(api.post(f"{billing}/units/{unit}/payments", headers=accountant,
                    json={"reference": reference, "amount": "100.00", "method": "cash"}))  # fmt: skip
    ok(api.post(f"{billing}/units/12A/payments", headers=accountant,
                json={"reference": "BT-1", "amount": "100.00", "method": "cash"}))  # the same again  # fmt: skip
    ok(api.post(f"{billing}/units/12A/payments/BT-1/reversal", headers=accountant,
                json={"reason": "cheque bounced"}))  # fmt: skip
    receipts = ok(api.get(f"{billing}/receipts", headers=accountant))
    assert [(r["number"], r["unit"], r["reference"], r["void_reason"]) for r in receipts] == [
        (1, "12A", "BT-1", "cheque bounced"), (2, "15C", "BT-2", None), (3, "12A", "BT-3", None)]  # fmt: skip
    other = bearer(Role.ACCOUNTANT, [uuid4()])
    assert api.get(f"{billing}/receipts", headers=other).status_code == 403
