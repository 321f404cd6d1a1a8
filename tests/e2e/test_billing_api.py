"""Billing through the gateway: a month billed, paid, overdue and closed."""

from __future__ import annotations

import io
from decimal import Decimal
from uuid import UUID, uuid4

import httpx
import openpyxl
import pytest

from runtime.auth import Role, mint
from tests.conftest import Stack
from tests.helpers import CONFIG, bearer, eventually, problem, stored_events

SITE, OTHER = uuid4(), uuid4()
PERIOD = "2032-03"
ADMIN = bearer(Role.GROUP_ADMIN, [])


def as_role(role: Role, site: UUID = SITE) -> dict[str, str]:
    return bearer(role, [site])


ACCOUNTANT, CASHIER, MANAGER = (
    as_role(Role.ACCOUNTANT),
    as_role(Role.CASHIER),
    as_role(Role.CS_MANAGER),
)
BASE = f"/sites/{SITE}/billing"


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        client.post(
            "/admin/clock", json={"set_to": "2032-03-01T02:00:00+00:00"}, headers=ADMIN
        ).raise_for_status()
        yield client
        client.post("/admin/clock", json={"reset": True}, headers=ADMIN)


def stored(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}billing", "billing_events"
    )


@pytest.fixture(scope="module")
def billed(api: httpx.Client) -> dict:
    """Three units billed for March 2032 and the statements issued."""
    assert api.put(f"{BASE}/settings", json={"days_to_pay": 10, "grace_days": 5,
                   "late_fee": {"kind": "percent", "value": "5", "cap": "50.00"}}, headers=ACCOUNTANT).status_code == 200  # fmt: skip
    for fee_type, amount in (("management", "3.50"), ("parking", "300"), ("water", "4.20")):
        r = api.put(
            f"{BASE}/rates",
            json={"fee_type": fee_type, "amount_per_unit": amount, "effective_from": "2032-01"},
            headers=ACCOUNTANT,
        )
        assert r.status_code == 200, r.text
    units = [
        {"unit": "101", "area_m2": "120.00", "parking_spaces": 1},
        {"unit": "102", "area_m2": "85.50"},
        {
            "unit": "201",
            "area_m2": "200.00",
            "parking_spaces": 2,
            "other_services": {"laundry": "45.00"},
        },
    ]
    assert (
        api.put(f"{BASE}/units", json={"units": units}, headers=ACCOUNTANT).json()["new_units"] == 3
    )
    assert (
        api.put(
            f"{BASE}/water-readings",
            json={"period": PERIOD, "readings": {"101": "10", "102": "7.5", "201": "0"}},
            headers=ACCOUNTANT,
        ).status_code
        == 200
    )
    run = api.post(f"{BASE}/runs/{PERIOD}", headers=ACCOUNTANT)
    assert run.status_code == 200, run.text
    return run.json()


def test_the_monthly_run_bills_every_unit_once(
    api: httpx.Client, billed: dict, stack: Stack
) -> None:
    # 101: 120 x 3.50 = 420.00, 1 space 300.00, 10 m3 x 4.20 = 42.00 -> 762.00
    # 102: 85.5 x 3.50 = 299.25, 7.5 m3 x 4.20 = 31.50 -> 330.75
    # 201: 700.00 + 600.00 + laundry 45.00 -> 1345.00
    assert billed["units"] == 3 and billed["status"] == "drafted"
    assert billed["receivable"] == {
        "management": "1419.25",
        "other_service": "45.00",
        "parking": "900.00",
        "water": "73.50",
    }
    before = stored(stack)
    again = api.post(f"{BASE}/runs/{PERIOD}", headers=ACCOUNTANT).json()
    assert again["charges_posted"] == 0 and again["receivable"] == billed["receivable"]
    assert stored(stack) == before + 1  # only the redraft of the run itself
    table = eventually(
        lambda: api.get(f"{BASE}/receivable", params={"period": PERIOD}, headers=ACCOUNTANT).json(),
        lambda t: len(t["units"]) == 3,
    )
    totals = {u["unit"]: u["total"] for u in table["units"]}
    assert totals == {"101": "762.00", "102": "330.75", "201": "1345.00"}


def test_the_seed_chain_signs_the_table_off_in_order_before_issue(
    api: httpx.Client, billed: dict, stack: Stack
) -> None:
    """Seed 001: CS manager -> general manager -> finance manager; never the cashier."""
    general_manager, finance_manager = as_role(Role.GENERAL_MANAGER), as_role(Role.FINANCE_MANAGER)
    approval = f"{BASE}/runs/{PERIOD}/approval"
    before = stored(stack)
    early = api.post(f"{BASE}/runs/{PERIOD}/statements", json={}, headers=ACCOUNTANT)
    assert early.status_code == 409 and "approval" in problem(early).detail
    assert api.post(approval, headers=CASHIER).status_code == 403
    assert api.post(approval, headers=general_manager).status_code == 409  # not yet its turn
    assert api.post(approval, headers=MANAGER).json()["awaiting"] == "general_manager"
    twice = api.post(approval, headers=as_role(Role.CS_MANAGER))
    assert twice.status_code == 409
    same_person = {
        "Authorization": f"Bearer {mint(CONFIG, subject='test-cs_manager', role=Role.GENERAL_MANAGER, sites=[SITE])}"
    }
    assert api.post(approval, headers=same_person).status_code == 409
    assert api.post(approval, headers=CASHIER).status_code == 403
    assert api.post(approval, headers=general_manager).status_code == 200
    signed = api.post(approval, headers=finance_manager).json()
    assert signed["status"] == "approved" and list(signed["approvals"]) == [
        "cs_manager", "general_manager", "finance_manager"
    ]  # fmt: skip
    assert stored(stack) == before + 3
    issued = api.post(
        f"{BASE}/runs/{PERIOD}/statements", json={"due_date": "2032-03-15"}, headers=ACCOUNTANT
    )
    assert issued.status_code == 200, issued.text
    assert issued.json()["statements_issued"] == 3
    rerun = api.post(f"{BASE}/runs/{PERIOD}", headers=ACCOUNTANT)
    assert rerun.status_code == 409


def test_payments_partial_overpaid_replayed_and_reversed(
    api: httpx.Client, billed: dict, stack: Stack
) -> None:
    def pay(unit, ref, amount):
        return api.post(
            f"{BASE}/units/{unit}/payments",
            json={"reference": ref, "amount": amount, "method": "bank_transfer"},
            headers=CASHIER,
        )

    full = pay("101", "BT-101-1", "762.00")
    assert full.status_code == 200 and full.json()["outstanding"] == "0.00"
    before = stored(stack)
    elsewhere = pay("102", "BT-101-1", "762.00")  # the same bank reference on another unit
    assert elsewhere.status_code == 409 and "unit 101" in problem(elsewhere).detail
    assert stored(stack) == before
    partial = pay("102", "BT-102-1", "100.00")
    assert partial.json()["outstanding"] == "230.75"
    before = stored(stack)
    replay = pay("102", "BT-102-1", "100.00")
    assert replay.json()["recorded"] is False and replay.json()["outstanding"] == "230.75"
    assert stored(stack) == before
    over = pay("201", "BT-201-1", "1400.00")
    assert over.json()["outstanding"] == "0.00" and over.json()["credit"] == "55.00"
    mistaken = pay("102", "BT-102-2", "50.00")
    assert mistaken.json()["outstanding"] == "180.75"
    reversed_ = api.post(
        f"{BASE}/units/102/payments/BT-102-2/reversal",
        json={"reason": "bounced"},
        headers=ACCOUNTANT,
    )
    assert reversed_.status_code == 200 and reversed_.json()["outstanding"] == "230.75"


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/units/101/payments", {"reference": "X-0", "amount": "0", "method": "cash"}, 422, "amount"),
        ("/units/101/payments", {"reference": "X-1", "amount": "-5.00", "method": "cash"}, 422, "amount"),
        ("/units/101/payments", {"reference": "X-2", "amount": "5.001", "method": "cash"}, 422, "amount"),
        ("/units/101/payments", {"reference": "X-3", "amount": "5", "method": "barter"}, 422, "method"),
        ("/units/999/payments", {"reference": "X-4", "amount": "5", "method": "cash"}, 404, None),
        ("/units/101/adjustments", {"adjustment_id": "A-1", "amount": "0", "reason": "x", "period": PERIOD}, 422, "body"),
    ],
    ids=["zero", "negative", "precision", "method", "unknown-unit", "zero-adjustment"],
)  # fmt: skip
def test_bad_payments_are_refused_and_store_nothing(
    api: httpx.Client,
    billed: dict,
    stack: Stack,
    path: str,
    body: dict,
    status: int,
    field: str | None,
) -> None:
    before = stored(stack)
    response = api.post(
        f"{BASE}{path}", json=body, headers=CASHIER if "payments" in path else ACCOUNTANT
    )
    assert response.status_code == status, response.text
    if field:
        assert problem(response).names(field)
    assert stored(stack) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PUT", "/units", {"units": [{"unit": "301", "area_m2": "10", "other_services": {"laundry": "1E+20"}}]}, "other_services"),
        ("PUT", "/water-readings", {"period": PERIOD, "readings": {"101": "1E+30"}}, "readings"),
        ("PUT", "/rates", {"fee_type": "water", "amount_per_unit": "1E+7", "effective_from": PERIOD}, "amount_per_unit"),
        ("PUT", "/units", {"units": [{"unit": "A/1", "area_m2": "10"}]}, "unit"),
        ("PUT", "/settings", {"approval_chain": ["cs_manager", "cashier"]}, "approval_chain"),
        ("POST", "/overdue-sweep", {"as_of": "2099-12-31"}, "as_of"),
        ("POST", "/runs/2032-06", None, "period"),
        ("POST", "/units/101/adjustments", {"adjustment_id": "A-2", "amount": "5", "reason": "x", "period": "2032-06"}, "period"),
        ("POST", "/units/101/payments", {"reference": "BT/1", "amount": "5", "method": "cash"}, "reference"),
        ("POST", "/units/101/payments", {"reference": "BT?1", "amount": "5", "method": "cash"}, "reference"),
        ("POST", "/units/101/payments", {"reference": "BT#1", "amount": "5", "method": "cash"}, "reference"),
        ("POST", "/units/101/payments/BT%3F1/reversal", {"reason": "bounced"}, "reference"),
    ],
    ids=["service-1e20", "water-1e30", "rate-1e7", "unit-slash", "cashier-in-chain",
         "sweep-ahead", "run-ahead", "adjust-ahead", "ref-slash", "ref-query", "ref-fragment",
         "reversal-query"],
)  # fmt: skip
def test_out_of_bounds_or_ahead_of_today_is_refused_naming_the_field(
    api: httpx.Client, billed: dict, stack: Stack, method: str, path: str, body: dict | None,
    field: str,
) -> None:  # fmt: skip
    before = stored(stack)
    response = api.request(method, f"{BASE}{path}", json=body,
                           headers=CASHIER if path.endswith("payments") else ACCOUNTANT)  # fmt: skip
    assert response.status_code == 422, response.text
    assert problem(response).names(field)
    assert stored(stack) == before


def test_overdue_sweep_then_arrears_ageing_and_close(
    api: httpx.Client, billed: dict, stack: Stack
) -> None:
    # 15 March due + 5 grace days: overdue from 21 March. Move to 25 March.
    api.post(
        "/admin/clock", json={"set_to": "2032-03-25T02:00:00+00:00"}, headers=ADMIN
    ).raise_for_status()
    swept = api.post(f"{BASE}/overdue-sweep", json={}, headers=ACCOUNTANT)
    assert swept.status_code == 200, swept.text
    # Unit 102 only; none is 30 days late yet (the default escalation).
    assert swept.json() == {"overdue": 1, "dunning_notices": 1, "late_fees": 1,
                            "escalations": 0}  # fmt: skip
    assert api.post(f"{BASE}/overdue-sweep", json={}, headers=ACCOUNTANT).json() == {
        "overdue": 0,
        "dunning_notices": 0,
        "late_fees": 0,
        "escalations": 0,
    }
    account = api.get(f"{BASE}/units/102", headers=ACCOUNTANT).json()
    # 5% of 230.75 = 11.54 (half-even), under the 50.00 cap
    assert account["outstanding"] == "242.29"
    arrears = eventually(
        lambda: api.get(
            f"{BASE}/arrears", params={"as_of": "2032-03-25"}, headers=ACCOUNTANT
        ).json(),
        lambda t: any(u["unit"] == "102" and u["outstanding"] == "242.29" for u in t["units"]),
    )
    row = next(u for u in arrears["units"] if u["unit"] == "102")
    assert (row["0-30"], row["current"]) == ("230.75", "11.54")  # the late fee is not yet billed
    credit = next(u for u in arrears["units"] if u["unit"] == "201")
    assert credit["credit"] == "55.00" and credit["outstanding"] == "0.00"
    # A page at a time, in code-point order of the unit, each with the totals of every unit.
    units, params = [], {"as_of": "2032-03-25", "limit": 1}
    while True:
        page = api.get(f"{BASE}/arrears", params=params, headers=ACCOUNTANT).json()
        assert len(page["units"]) == 1 and page["totals"] == arrears["totals"]
        units += page["units"]
        if page["next_after"] is None:
            break
        params["after"] = page["next_after"]
    assert units == arrears["units"] and len(units) > 1
    refused = api.get(f"{BASE}/arrears", params={"limit": 0}, headers=ACCOUNTANT)
    assert refused.status_code == 422 and problem(refused).names("limit")
    # As of 10 March, before the due date: the same debt was current, with no late fee yet.
    past = api.get(f"{BASE}/arrears", params={"as_of": "2032-03-10"}, headers=ACCOUNTANT).json()
    assert (past["totals"]["current"], past["totals"]["0-30"]) == ("230.75", "0.00")
    # As of the last day of February nothing had been billed.
    assert (
        api.get(f"{BASE}/arrears", params={"as_of": "2032-02-29"}, headers=ACCOUNTANT).json()[
            "units"
        ]
        == []
    )
    rate = api.get(
        f"{BASE}/collection-rate",
        params={"period": PERIOD, "as_of": "2032-03-25"},
        headers=ACCOUNTANT,
    ).json()
    assert rate["notice_date"] == "2032-03-01" and rate["days"][-1]["collected"] == "2207.00"

    csv = api.get(
        f"{BASE}/arrears", params={"as_of": "2032-03-25", "format": "csv"}, headers=ACCOUNTANT
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert (
        csv.text.lstrip("\ufeff").splitlines()[0]
        == "unit,current,0-30,31-60,61-90,90+,outstanding,credit"
    )
    xlsx = api.get(
        f"{BASE}/receivable", params={"period": PERIOD, "format": "xlsx"}, headers=ACCOUNTANT
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert (
        rows[0][0] == "unit" and rows[-1][0] == "TOTAL" and rows[-1][-1] == Decimal("2437.75")
    ) or rows[-1][-1] == 2437.75

    closed = api.post(f"{BASE}/runs/{PERIOD}/close", headers=ACCOUNTANT)
    assert closed.json()["status"] == "closed"
    before = stored(stack)
    late = api.post(
        f"{BASE}/units/101/adjustments",
        json={
            "adjustment_id": "A-9",
            "amount": "10.00",
            "reason": "meter misread",
            "period": PERIOD,
        },
        headers=ACCOUNTANT,
    )
    assert late.status_code == 409 and "closed" in problem(late).detail
    assert stored(stack) == before
    fixed = api.post(
        f"{BASE}/units/101/adjustments",
        json={
            "adjustment_id": "A-9",
            "amount": "10.00",
            "reason": "meter misread",
            "period": "2032-04",
        },
        headers=ACCOUNTANT,
    )
    assert fixed.status_code == 200 and fixed.json()["outstanding"] == "10.00"


def verify_paid_repair(api: httpx.Client, unit: str, fee: str) -> str:
    """A paid repair reported, dispatched, completed and verified at the site."""
    desk, dispatcher, tech, cs = (
        as_role(r) for r in (Role.RECEPTIONIST, Role.DISPATCHER, Role.TECHNICIAN, Role.CS_REP)
    )
    order = api.post(f"/sites/{SITE}/repairs", json={"source": "tenant_phone", "category": "plumbing", "location": f"unit {unit}",
                     "unit": unit, "content": "replace mixer tap", "reporter": "desk"}, headers=desk).json()["work_order_id"]  # fmt: skip
    api.post(
        f"/sites/{SITE}/repairs/{order}/dispatch",
        json={"team": "engineering", "urgency": "normal", "paid": True},
        headers=dispatcher,
    ).raise_for_status()
    api.post(
        f"/sites/{SITE}/repairs/{order}/complete",
        json={"result": "tap replaced", "labour_hours": "1", "fee": fee},
        headers=tech,
    ).raise_for_status()
    api.post(
        f"/sites/{SITE}/repairs/{order}/verify",
        json={"passed": True, "method": "phone"},
        headers=cs,
    ).raise_for_status()
    return str(order)


def test_a_verified_paid_repair_is_charged_once_on_the_tenants_account(
    api: httpx.Client, billed: dict
) -> None:
    verify_paid_repair(api, "201", "180.00")
    account = eventually(
        lambda: api.get(f"{BASE}/units/201", headers=ACCOUNTANT).json(),
        lambda a: any(line["fee_type"] == "paid_repair" for line in a["lines"]),
    )
    repairs = [line for line in account["lines"] if line["fee_type"] == "paid_repair"]
    assert len(repairs) == 1 and repairs[0]["amount"] == "180.00"


def test_a_paid_repair_for_a_unit_billing_does_not_know_waits_for_finance(
    api: httpx.Client, billed: dict
) -> None:
    order = verify_paid_repair(api, "G-01", "95.00")  # the garage: no billed unit
    waiting = eventually(
        lambda: api.get(f"{BASE}/unbilled-repairs", headers=ACCOUNTANT).json()["repairs"],
        lambda repairs: any(r["work_order_id"] == order for r in repairs),
    )
    assert next(r for r in waiting if r["work_order_id"] == order)["fee"] == "95.00"
    assign = f"{BASE}/unbilled-repairs/{order}/assignment"
    assert api.post(assign, json={"unit": "G-01"}, headers=ACCOUNTANT).status_code == 404
    assert api.post(assign, json={"unit": "102"}, headers=CASHIER).status_code == 403
    charged = api.post(assign, json={"unit": "102"}, headers=ACCOUNTANT)
    assert charged.status_code == 200, charged.text
    assert [line["amount"] for line in charged.json()["lines"]
            if line["fee_type"] == "paid_repair"] == ["95.00"]  # fmt: skip
    assert api.post(assign, json={"unit": "102"}, headers=ACCOUNTANT).status_code == 409
    left = api.get(f"{BASE}/unbilled-repairs", headers=ACCOUNTANT).json()["repairs"]
    assert all(r["work_order_id"] != order for r in left)


def test_another_sites_staff_cannot_see_or_touch_billing(
    api: httpx.Client, billed: dict, stack: Stack
) -> None:
    before = stored(stack)
    for role in (Role.ACCOUNTANT, Role.CASHIER, Role.CS_MANAGER, Role.BI):
        other = bearer(role, [OTHER])
        for method, path, body in [
            ("GET", f"{BASE}/receivable?period={PERIOD}", None),
            ("GET", f"{BASE}/paid?period={PERIOD}", None),
            ("GET", f"{BASE}/arrears", None),
            ("GET", f"{BASE}/arrears?format=xlsx", None),
            ("GET", f"{BASE}/collection-rate?period={PERIOD}", None),
            ("GET", f"{BASE}/units/101", None),
            ("GET", f"{BASE}/runs/{PERIOD}", None),
            (
                "POST",
                f"{BASE}/units/101/payments",
                {"reference": "Z", "amount": "1", "method": "cash"},
            ),
            (
                "POST",
                f"{BASE}/units/101/adjustments",
                {"adjustment_id": "Z", "amount": "1", "reason": "x", "period": "2032-04"},
            ),
            ("POST", f"{BASE}/runs/2032-04", None),
            ("POST", f"{BASE}/runs/{PERIOD}/approval", None),
            ("POST", f"{BASE}/overdue-sweep", {}),
            (
                "PUT",
                f"{BASE}/rates",
                {"fee_type": "management", "amount_per_unit": "1", "effective_from": "2032-01"},
            ),
            ("PUT", f"{BASE}/units", {"units": [{"unit": "X", "area_m2": "1"}]}),
        ]:
            response = api.request(method, path, json=body, headers=other)
            assert response.status_code in (403, 404), (role, method, path, response.status_code)
    assert stored(stack) == before
    assert api.get("/group/billing/arrears", headers=ACCOUNTANT).status_code == 403
    group = api.get("/group/billing/arrears", params={"as_of": "2032-03-25"}, headers=ADMIN).json()
    assert any(row["site_id"] == str(SITE) for row in group["sites"])
