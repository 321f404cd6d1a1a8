"""Collection follow-up (催缴) and phone charges (电话费统计表) through the gateway: a
month overdue, chased through the levels; a promise kept, one broken; escalation; the
month's call-charge list entered, verified and billed; bad input and another site."""

from __future__ import annotations

from uuid import UUID, uuid4

import httpx
import pytest

from runtime.auth import Role, mint
from tests.conftest import Stack
from tests.helpers import CONFIG, bearer, eventually, problem, stored_events

SITE, OTHER = uuid4(), uuid4()
BASE = f"/sites/{SITE}/billing"
ADMIN = bearer(Role.GROUP_ADMIN, [])
CHASE_LOG: list[str] = []  # the requests and answers of one unit's chase (printed with -s)


def as_role(role: Role, site: UUID = SITE) -> dict[str, str]:
    return bearer(role, [site])


ACCOUNTANT, CASHIER, CS_REP, CS_SUP, FINANCE, DESK = (
    as_role(Role.ACCOUNTANT), as_role(Role.CASHIER), as_role(Role.CS_REP),
    as_role(Role.CS_SUPERVISOR), as_role(Role.FINANCE_MANAGER), as_role(Role.RECEPTIONIST),
)  # fmt: skip


def set_clock(api: httpx.Client, instant: str) -> None:
    api.post("/admin/clock", json={"set_to": instant}, headers=ADMIN).raise_for_status()


def stored(stack: Stack) -> int:
    return stored_events(
        stack.infra.database_url, f"{stack.infra.namespace}billing", "billing_events"
    )


def logged(response: httpx.Response) -> dict:
    """Keep a request of 21F's chase and its answer for the report."""
    request = response.request
    body = request.content.decode() if request.content else ""
    CHASE_LOG.append(f"{request.method} {request.url.path} {body} -> {response.status_code} "
                     f"{response.text}")  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=60) as client:
        set_clock(client, "2034-03-01T02:00:00+00:00")
        yield client
        client.post("/admin/clock", json={"reset": True}, headers=ADMIN)
        print("\n".join(CHASE_LOG))


@pytest.fixture(scope="module")
def overdue(api: httpx.Client) -> None:
    """12A, 15C and 21F billed for March 2034, due 10 March, nothing paid by the 16th."""
    api.put(f"{BASE}/settings", json={"grace_days": 5}, headers=ACCOUNTANT).raise_for_status()
    for fee, rate in (("management", "3.50"), ("phone", "30")):
        api.put(f"{BASE}/rates", json={"fee_type": fee, "amount_per_unit": rate,
                "effective_from": "2034-01"}, headers=ACCOUNTANT).raise_for_status()  # fmt: skip
    units = [{"unit": "12A", "area_m2": "100", "phone_lines": 2},
             {"unit": "15C", "area_m2": "80"}, {"unit": "21F", "area_m2": "50"}]  # fmt: skip
    api.put(f"{BASE}/units", json={"units": units}, headers=ACCOUNTANT).raise_for_status()
    api.post(f"{BASE}/runs/2034-03", headers=ACCOUNTANT).raise_for_status()
    for role in (Role.CS_MANAGER, Role.GENERAL_MANAGER, Role.FINANCE_MANAGER):
        api.post(f"{BASE}/runs/2034-03/approval", headers=as_role(role)).raise_for_status()
    api.post(f"{BASE}/runs/2034-03/statements", json={"due_date": "2034-03-10"},
             headers=ACCOUNTANT).raise_for_status()  # fmt: skip
    set_clock(api, "2034-03-16T02:00:00+00:00")
    sweep = api.post(f"{BASE}/overdue-sweep", json={}, headers=ACCOUNTANT).json()
    assert sweep == {"overdue": 3, "dunning_notices": 3, "late_fees": 0, "escalations": 0}


def call(api: httpx.Client, unit: str, body: dict, who: dict = CS_REP) -> httpx.Response:
    return api.post(f"{BASE}/units/{unit}/collection/phone-reminders", json=body, headers=who)


def today(api: httpx.Client) -> list[tuple[str, str | None, str | None]]:
    units = api.get(f"{BASE}/collection/today", headers=CS_REP).json()["units"]
    return [(u["unit"], u["next_level"], u["promise"]) for u in units]


def test_the_finance_manager_sets_the_levels_in_order(api: httpx.Client, stack: Stack) -> None:
    levels = {"notice": 0, "phone_reminder": 7, "final_letter": 15, "escalation": 30}
    assert api.get(f"{BASE}/collection-policy", headers=CS_REP).json() == {**levels,
                                                                           "set_by": None}  # fmt: skip
    before = stored(stack)
    assert api.put(f"{BASE}/collection-policy", json=levels, headers=ACCOUNTANT).status_code == 403
    for body, field in (({**levels, "final_letter": 3}, "final_letter"),
                        ({**levels, "escalation": 366}, "escalation"),
                        ({**levels, "notice": "0"}, "notice"), ({**levels, "email": 1}, "email")):  # fmt: skip
        refused = api.put(f"{BASE}/collection-policy", json=body, headers=FINANCE)
        assert (refused.status_code, problem(refused).fields[:1]) == (422, [field]), body
    assert stored(stack) == before
    set_by = api.put(f"{BASE}/collection-policy", json=levels, headers=FINANCE).json()["set_by"]
    assert set_by == "test-finance_manager"


def test_one_unit_chased_through_the_levels_a_promise_kept_and_one_broken(
    api: httpx.Client, overdue: None, stack: Stack
) -> None:
    set_clock(api, "2034-03-18T02:00:00+00:00")  # day 8: the calls are due (day 7)
    due = [("12A", "phone_reminder", None), ("15C", "phone_reminder", None),
           ("21F", "phone_reminder", None)]  # fmt: skip
    assert eventually(lambda: today(api), lambda units: units == due) == due
    promised = call(api, "12A", {"outcome": "promised", "promised_on": "2034-03-25"}).json()
    assert (promised["promise"], promised["levels_done"]) == ("pending",
                                                             ["notice", "phone_reminder"])  # fmt: skip
    call(api, "15C", {"outcome": "promised", "promised_on": "2034-03-20"}).raise_for_status()
    logged(call(api, "21F", {"outcome": "unreachable", "note": "no answer at 021-6888 0021"}))
    set_clock(api, "2034-03-21T02:00:00+00:00")  # 15C's promise (20 March) is broken
    logged(call(api, "21F", {"outcome": "refused", "called_at": "2034-03-20T09:00:00Z"}))
    broken = [("15C", None, "broken")]
    assert eventually(lambda: today(api), lambda units: units == broken) == broken
    set_clock(api, "2034-03-22T02:00:00+00:00")
    owed = api.get(f"{BASE}/units/12A", headers=CASHIER).json()["outstanding"]
    api.post(f"{BASE}/units/12A/payments", json={"reference": "BT-12A-0322", "amount": owed,
             "method": "bank_transfer"}, headers=CASHIER).raise_for_status()  # fmt: skip
    set_clock(api, "2034-03-26T02:00:00+00:00")  # day 16: the final letters, larger first
    letters = [("15C", "final_letter", "broken"), ("21F", "final_letter", None)]
    assert eventually(lambda: today(api), lambda units: units == letters) == letters
    logged(api.post(f"{BASE}/units/21F/collection/final-letters",
                    json={"note": "registered mail RR123456789CN"}, headers=CS_SUP))  # fmt: skip
    again = api.post(f"{BASE}/units/21F/collection/final-letters", json={}, headers=CS_SUP)
    assert again.status_code == 409
    set_clock(api, "2034-04-09T02:00:00+00:00")  # day 30: to the CS manager
    sweep = logged(api.post(f"{BASE}/overdue-sweep", json={}, headers=ACCOUNTANT))
    assert sweep["escalations"] == 2
    chase = logged(eventually(
        lambda: api.get(f"{BASE}/units/21F/collection", headers=CS_REP),
        lambda r: r.json()["escalated"]))  # fmt: skip
    assert chase["levels_done"] == ["notice", "phone_reminder", "final_letter", "escalation"]
    assert [(e["action"], e["by"]) for e in chase["entries"]] == [
        ("notice", None), ("phone_reminder", "test-cs_rep"), ("phone_reminder", "test-cs_rep"),
        ("final_letter", "test-cs_supervisor"), ("escalation", "test-accountant")]  # fmt: skip
    kept = eventually(lambda: api.get(f"{BASE}/units/12A/collection", headers=CS_REP).json(),
                      lambda log: log["promise"] == "kept")  # fmt: skip
    assert (kept["promise"], kept["amount_overdue"]) == ("kept", "0.00")
    left = [("15C", "final_letter", "broken")]
    assert eventually(lambda: today(api), lambda units: units == left) == left


def test_bad_chase_input_is_refused_naming_the_field_and_stores_nothing(
    api: httpx.Client, overdue: None, stack: Stack
) -> None:
    before = stored(stack)
    for body, field in (
        ({"outcome": "promised"}, "promised_on"),
        ({"outcome": "refused", "promised_on": "2034-04-30"}, "promised_on"),
        ({"outcome": "promised", "promised_on": "2035-01-01"}, "promised_on"),
        ({"outcome": "voicemail"}, "outcome"),
        ({"outcome": "refused", "called_at": "2099-12-31T00:00:00Z"}, "called_at"),
        ({"outcome": "refused", "called_at": "2034-03-01T00:00:00"}, "called_at"),
        ({"outcome": "refused", "note": "bell\u0007"}, "note"),
        ({"outcome": "refused", "by": "someone else"}, "by"),
    ):
        refused = call(api, "21F", body)
        assert (refused.status_code, problem(refused).fields[:1]) == (422, [field]), body
    assert call(api, "99Z", {"outcome": "refused"}).status_code == 404
    assert call(api, "21F", {"outcome": "refused"}, who=CASHIER).status_code == 403
    assert stored(stack) == before


def test_the_months_call_charge_list_is_entered_verified_and_billed(
    api: httpx.Client, overdue: None, stack: Stack
) -> None:
    set_clock(api, "2034-04-09T02:00:00+00:00")
    period = "2034-04"
    listed = {"units": [{"unit": "12A", "lines": [
        {"number": "021-6888 0012", "calls": 35, "minutes": 120, "amount": "48.60"},
        {"number": "021-6888 0013", "calls": 2, "minutes": 3, "amount": "1.20"}]}]}  # fmt: skip
    before = stored(stack)
    for body, field in (
        ({"units": [{"unit": "99Z", "lines": listed["units"][0]["lines"]}]}, "units.0.unit"),
        ({"units": [{"unit": "12A", "lines": [{**listed["units"][0]["lines"][0],
                                               "number": "ext. 12"}]}]}, "units.0.lines.0.number"),
        ({"units": [{"unit": "12A", "lines": [{**listed["units"][0]["lines"][0],
                                               "minutes": 50000}]}]}, "units.0.lines.0.minutes"),
        ({"units": [{"unit": "12A", "lines": [{**listed["units"][0]["lines"][0],
                                               "amount": "1.001"}]}]}, "units.0.lines.0.amount"),
        ({"units": []}, "units"),
    ):  # fmt: skip
        refused = api.put(f"{BASE}/phone-charges/{period}", json=body, headers=DESK)
        assert (refused.status_code, problem(refused).fields[:1]) == (422, [field]), body
    assert stored(stack) == before
    entered = api.put(f"{BASE}/phone-charges/{period}", json=listed, headers=DESK).json()
    assert (entered["status"], entered["entered_by"], entered["total"]) == (
        "entered", "test-receptionist", "49.80")  # fmt: skip
    assert api.post(f"{BASE}/phone-charges/{period}/verification", headers=DESK).status_code == 403
    same_person = {"Authorization": "Bearer " + mint(
        CONFIG, subject="test-receptionist", role=Role.CS_SUPERVISOR, sites=[SITE])}  # fmt: skip
    refused = api.post(f"{BASE}/phone-charges/{period}/verification", headers=same_person)
    assert refused.status_code == 403
    verified = api.post(f"{BASE}/phone-charges/{period}/verification", headers=CS_SUP).json()
    assert (verified["status"], verified["units"][0]["posted_in"]) == ("posted", period)
    api.post(f"{BASE}/runs/{period}", headers=ACCOUNTANT).raise_for_status()
    phone = [(line["description"], line["amount"]) for line in
             api.get(f"{BASE}/units/12A", headers=ACCOUNTANT).json()["lines"]
             if line["fee_type"] == "phone"]  # fmt: skip
    assert phone == [
        ("phone 2034-03: 2 line(s) x 30.0000", "60.00"),  # March: rate x lines, as before
        ("phone 2034-04: 021-6888 0012, 35 calls, 120 min", "48.60"),
        ("phone 2034-04: 021-6888 0013, 2 calls, 3 min", "1.20"),
    ]
    shown = api.get(f"{BASE}/phone-charges/{period}", headers=as_role(Role.BI)).json()
    assert shown == verified


def test_another_sites_staff_reach_no_chase_and_no_list(
    api: httpx.Client, overdue: None, stack: Stack
) -> None:
    before = stored(stack)
    for role in (Role.CS_REP, Role.CS_MANAGER, Role.FINANCE_MANAGER, Role.ACCOUNTANT):
        other = bearer(role, [OTHER])
        for method, path, body in (
            ("GET", f"{BASE}/collection/today", None),
            ("GET", f"{BASE}/collection-policy", None),
            ("PUT", f"{BASE}/collection-policy", {"notice": 1}),
            ("GET", f"{BASE}/units/21F/collection", None),
            ("POST", f"{BASE}/units/21F/collection/phone-reminders", {"outcome": "refused"}),
            ("POST", f"{BASE}/units/21F/collection/final-letters", {}),
            ("PUT", f"{BASE}/phone-charges/2034-04", {"units": [{"unit": "12A", "lines": [
                {"number": "021-6888 0012", "calls": 1, "minutes": 1, "amount": "1.00"}]}]}),
            ("POST", f"{BASE}/phone-charges/2034-04/verification", None),
            ("GET", f"{BASE}/phone-charges/2034-04", None),
        ):  # fmt: skip
            response = api.request(method, path, json=body, headers=other)
            assert response.status_code in (403, 404), (role, method, path, response.text)
    # The other site's own lists and chases know nothing of this site's units.
    other_base = f"/sites/{OTHER}/billing"
    assert api.get(f"{other_base}/units/21F/collection",
                   headers=bearer(Role.CS_REP, [OTHER])).status_code == 404  # fmt: skip
    assert api.get(f"{other_base}/collection/today", headers=bearer(Role.CS_REP, [OTHER])).json()[
        "units"] == []  # fmt: skip
    assert stored(stack) == before
