"""Input no read model could show is refused at the door (issue 8.2).

Text holding NUL, ESC, a C1 control or a bidi override, a lone surrogate, and dates in
year 1 or 9999 were stored with 201 and then dead-lettered by the projections (a
checked-in visitor missing from the evacuation list). Through the gateway, in every
kind of text and date field of every context: 422 naming the field, nothing stored.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import httpx
import pytest

from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import bearer, problem, stored_events

SITE = uuid4()
S = f"/sites/{SITE}"

# What the projections could not store or show (PostgreSQL refuses NUL in text; a C1
# control, ESC or a bidi override garbles or reverses what the desk reads), a lone
# surrogate (no UTF-8 encoding at all), and dates no calendar step can leave.
BAD_TEXT = {
    "NUL": "Zhang\x00San",
    "ESC": "\x1b[2JZhang San",
    "C1": "Zhang\x85San",
    "bidi override": "\u202egnahZ",
    "lone surrogate": "Zhang\ud800San",
}
BAD_VALUES = {
    "text": BAD_TEXT,
    "date": {"year 1": "0001-01-01", "year 9999": "9999-12-31"},
    "datetime": {"year 1": "0001-01-01T00:00:00+00:00", "year 9999": "9999-12-31T23:59:59+00:00"},
    "period": {"year 1": "0001-01", "year 9999": "9999-12"},
    "quarter": {"year 1": "0001-Q1", "year 9999": "9999-Q4"},
}
# A month or quarter in other digits is a second name for one period (reports keep the
# two apart): refused wherever the field type is contracts.fields' Period or Quarter.
OTHER_DIGITS = {"period": {"other digits": "20٣٣-01"}, "quarter": {"other digits": "20٣٣-Q1"}}
EXPECTED = "2031-05-06T09:00:00+08:00"
WALK_IN = {"visitor_name": "Zhang San", "host_unit": "8B", "host_name": "Wang Wu",
           "purpose": "interview"}  # fmt: skip
PRE_REGISTRATION = {**WALK_IN, "expected_from": EXPECTED,
                    "expected_until": "2031-05-06T18:00:00+08:00"}  # fmt: skip
REPAIR = {"source": "tenant_phone", "category": "plumbing", "location": "unit 8B kitchen",
          "content": "leaking tap", "reporter": "Wang Wu"}  # fmt: skip
COMPLAINT = {"channel": "phone", "complainant": "Zhou Min", "category": "noise",
             "content": "drilling after 22:00"}  # fmt: skip
LETTER = {"kind": "letter", "recipient_unit": "8B", "carrier": "China Post"}
UNIT = {"unit": "8B", "area_m2": "80"}
MOVE_IN = {"unit": "8B", "kind": "company", "name_zh": "华星贸易", "contact": {"name": "Li Na"},
           "emergency_contact": {"name": "Wang Qiang", "phone": "13800000000"},
           "moved_in_on": "2031-05-01", "billing_starts_on": "2031-05-01",
           "checklist": [{"item": "windows", "ok": True}],
           "keys_issued": [{"label": "front door", "count": 2}]}  # fmt: skip
FILE = {"number": "F-001", "title": "lease", "pages": 3, "filed_on": "2031-05-01",
        "filed_by": "Chen", "category": "lease"}  # fmt: skip
LETTERHEAD = {"site_name": "上海A座", "how_to_pay": "请到财务部交费。"}

# (context, role, method, path, valid body, field path, kind): one field of each kind
# (name, optional name, label, multi-line text, unit number, phone, reference, and the
# dates) in every context, in bodies, nested models, lists, map keys and steps.
CASES: list[tuple[str, Role, str, str, dict[str, Any], tuple[Any, ...], str]] = [
    ("visitor", Role.RECEPTIONIST, "POST", "/visits", WALK_IN, ("visitor_name",), "text"),
    ("visitor", Role.RECEPTIONIST, "POST", "/visits", WALK_IN, ("visitor_company",), "text"),
    ("visitor", Role.RECEPTIONIST, "POST", "/visits", WALK_IN, ("purpose",), "text"),
    ("visitor", Role.RECEPTIONIST, "POST", "/visits", WALK_IN, ("host_unit",), "text"),
    ("visitor", Role.RECEPTIONIST, "POST", "/visits/pre-registrations", PRE_REGISTRATION,
     ("expected_from",), "datetime"),
    ("visitor", Role.RECEPTIONIST, "POST", "/phone-messages",
     {"caller_name": "C", "caller_phone": "13800138000", "reason": "call back", "for_unit": "8B",
      "for_person": "P"}, ("caller_phone",), "text"),
    ("visitor", Role.CS_SUPERVISOR, "POST", "/overstays/flag", {"business_date": "2031-05-06"},
     ("business_date",), "date"),
    ("visitor", Role.CS_SUPERVISOR, "POST", "/watchlist", {"name": "X", "reason": "banned"},
     ("name",), "text"),
    ("mail", Role.CS_MANAGER, "PUT", "/mail/directory",
     {"entries": [{"unit": "8B", "company": "Acme"}]}, ("entries", 0, "company"), "text"),
    ("mail", Role.RECEPTIONIST, "POST", "/mail/items", LETTER, ("carrier",), "text"),
    ("mail", Role.RECEPTIONIST, "POST", "/mail/items",
     {"kind": "letter", "addressed_to": "Room 8B"}, ("addressed_to",), "text"),
    ("mail", Role.RECEPTIONIST, "POST", "/mail/items/{item}/pickup", {"signed_by": "Wang Wu"},
     ("signed_by",), "text"),
    ("workorder", Role.RECEPTIONIST, "POST", "/repairs", REPAIR, ("location",), "text"),
    ("workorder", Role.RECEPTIONIST, "POST", "/repairs", REPAIR, ("content",), "text"),
    ("workorder", Role.DISPATCHER, "POST", "/repairs/{repair}/dispatch",
     {"team": "plumbing", "urgency": "normal"}, ("team",), "text"),
    ("feedback", Role.RECEPTIONIST, "POST", "/complaints", COMPLAINT, ("complainant",), "text"),
    ("feedback", Role.CS_REP, "POST", "/complaints/{complaint}/rejection", {"reason": "not ours"},
     ("reason",), "text"),
    ("feedback", Role.CS_REP, "POST", "/tenant-visits",
     {"unit": "8B", "visited_by": "Li", "follow_ups": ["fix the door"]}, ("follow_ups", 0),
     "text"),
    ("feedback", Role.CS_REP, "POST", "/survey-responses",
     {"quarter": "2031-Q2", "scores": {"cleanliness": 5}}, ("quarter",), "quarter"),
    ("feedback", Role.CS_REP, "POST", "/survey-responses",
     {"quarter": "2031-Q2", "scores": {"cleanliness": 5}}, ("scores", "[key]"), "text"),
    ("tenancy", Role.CS_REP, "POST", "/tenancy/tenancies", MOVE_IN, ("name_zh",), "text"),
    ("tenancy", Role.CS_REP, "POST", "/tenancy/tenancies", MOVE_IN, ("contact", "name"), "text"),
    ("tenancy", Role.CS_REP, "POST", "/tenancy/tenancies", MOVE_IN,
     ("emergency_contact", "phone"), "text"),
    ("tenancy", Role.CS_REP, "POST", "/tenancy/tenancies", MOVE_IN, ("checklist", 0, "item"),
     "text"),
    ("tenancy", Role.CS_REP, "POST", "/tenancy/tenancies", MOVE_IN,
     ("keys_issued", 0, "label"), "text"),
    ("tenancy", Role.CS_REP, "POST", "/tenancy/tenancies", MOVE_IN, ("moved_in_on",), "date"),
    ("tenancy", Role.CS_REP, "POST", "/tenancy/files", FILE, ("number",), "text"),
    ("tenancy", Role.CS_REP, "POST", "/tenancy/files", FILE, ("filed_on",), "date"),
    # printed on every notice and receipt
    ("billing", Role.ACCOUNTANT, "PUT", "/billing/letterhead", LETTERHEAD, ("site_name",), "text"),
    ("billing", Role.ACCOUNTANT, "PUT", "/billing/letterhead", LETTERHEAD, ("how_to_pay",), "text"),
    ("billing", Role.ACCOUNTANT, "PUT", "/billing/units", {"units": [UNIT]},
     ("units", 0, "unit"), "text"),
    ("billing", Role.ACCOUNTANT, "PUT", "/billing/rates",
     {"fee_type": "management", "amount_per_unit": "3.50", "effective_from": "2031-01"},
     ("effective_from",), "period"),
    ("billing", Role.ACCOUNTANT, "POST", "/billing/units/8B/payments",
     {"reference": "BANK-1", "amount": "10.00", "method": "cash"}, ("reference",), "text"),
    ("billing", Role.ACCOUNTANT, "POST", "/billing/units/8B/adjustments",
     {"adjustment_id": "ADJ-1", "amount": "5.00", "reason": "meter misread", "period": "2031-05"},
     ("reason",), "text"),
    ("billing", Role.ACCOUNTANT, "POST", "/billing/overdue-sweep", {"as_of": "2031-05-06"},
     ("as_of",), "date"),
    # collection follow-up and phone charges (issue 11 items 5 and 6a)
    ("billing", Role.CS_REP, "POST", "/billing/units/8B/collection/phone-reminders",
     {"outcome": "refused", "note": "no answer"}, ("note",), "text"),
    ("billing", Role.CS_REP, "POST", "/billing/units/8B/collection/phone-reminders",
     {"outcome": "promised", "promised_on": "2031-05-20"}, ("promised_on",), "date"),
    ("billing", Role.CS_REP, "POST", "/billing/units/8B/collection/phone-reminders",
     {"outcome": "refused", "called_at": EXPECTED}, ("called_at",), "datetime"),
    ("billing", Role.CS_SUPERVISOR, "POST", "/billing/units/8B/collection/final-letters",
     {"note": "registered mail"}, ("note",), "text"),
    ("billing", Role.RECEPTIONIST, "PUT", "/billing/phone-charges/2031-05",
     {"units": [{"unit": "8B", "lines": [{"number": "021-6888 0008", "calls": 1, "minutes": 2,
                                          "amount": "1.00"}]}]},
     ("units", 0, "lines", 0, "number"), "text"),
    ("billing", Role.RECEPTIONIST, "PUT", "/billing/phone-charges/2031-05",
     {"units": [{"unit": "8B", "lines": [{"number": "021-6888 0008", "calls": 1, "minutes": 2,
                                          "amount": "1.00"}]}]}, ("units", 0, "unit"), "text"),
]  # fmt: skip


def case_id(case: tuple[Any, ...]) -> str:
    return f"{case[0]}:{case[2]} {case[3]}:{'.'.join(map(str, case[5]))}"


def with_bad(body: dict[str, Any], path: tuple[Any, ...], value: str) -> dict[str, Any]:
    """`body` (deep-copied) with the field at `path` set to `value`; "[key]" renames a map
    key instead."""
    bad = json.loads(json.dumps(body))
    *outer, last = path
    holder = bad
    for step in outer:
        holder = holder[step]
    if last == "[key]":
        holder[value] = holder.pop(next(iter(holder)))
    else:
        holder[last] = value
    return bad


def stored(stack: Stack, context: str) -> int:
    schema = f"{stack.infra.namespace}{context}"
    return stored_events(stack.infra.database_url, schema, f"{context}_events")


@pytest.fixture(scope="module")
def objects(stack: Stack) -> dict[str, str]:
    """Objects that a valid step would change: a mail item, a repair, a complaint."""

    def created(role: Role, path: str, body: dict[str, Any], key: str, method: str = "POST") -> str:
        response = httpx.request(method, f"{stack.base_url}{S}{path}", json=body,
                                 headers=bearer(role, [SITE]), timeout=30)  # fmt: skip
        assert response.status_code in (200, 201), response.text
        return str(response.json()[key])

    created(Role.CS_MANAGER, "/mail/directory", {"entries": [{"unit": "8B"}]}, "units", "PUT")
    return {
        "item": created(Role.RECEPTIONIST, "/mail/items", LETTER, "item_id"),
        "repair": created(Role.RECEPTIONIST, "/repairs", REPAIR, "work_order_id"),
        "complaint": created(Role.RECEPTIONIST, "/complaints", COMPLAINT, "complaint_id"),
    }


BAD_FIELDS = [
    pytest.param(case, label, value, id=f"{case_id(case)}:{label}")
    for case in CASES
    for label, value in (BAD_VALUES[case[6]] | OTHER_DIGITS.get(case[6], {})).items()
]


@pytest.mark.parametrize(("case", "label", "value"), BAD_FIELDS)
def test_bad_text_and_dates_are_refused_naming_the_field_and_nothing_is_stored(
    stack: Stack, objects: dict[str, str], case: tuple[Any, ...], label: str, value: str
) -> None:
    context, role, method, path, body, field, _ = case
    url = f"{stack.base_url}{S}{path.format(**objects)}"
    headers = {**bearer(role, [SITE]), "content-type": "application/json"}
    before = stored(stack, context)
    # json.dumps escapes a lone surrogate (\ud800), as a browser sends one.
    content = json.dumps(with_bad(body, field, value))
    response = httpx.request(method, url, content=content, headers=headers, timeout=30)
    assert response.status_code == 422, (response.status_code, response.text)
    field_name = next(str(step) for step in reversed(field) if step != "[key]")
    named = [(field or "").split(".") for field in problem(response).fields]
    assert any(field_name in map(str, loc) for loc in named), named
    assert stored(stack, context) == before, "something was stored"


QUERIES = [
    ("/work-orders", {"team": "{value}"}, "team", "text"),
    ("/visit-log", {"date": "{value}"}, "date", "date"),
    ("/work-orders/weekly", {"week_start": "{value}"}, "week_start", "date"),
    ("/work-orders/three-equals", {"period": "{value}"}, "period", "period"),
    ("/work-orders/three-equals", {"period": "{value}"}, "period", "other digits"),
    ("/mail/register", {"date": "{value}"}, "date", "date"),
    ("/billing/arrears", {"as_of": "{value}"}, "as_of", "date"),
    ("/billing/receivable", {"period": "{value}"}, "period", "period"),
]


@pytest.mark.parametrize(("path", "params", "field", "kind"), QUERIES,
                         ids=[f"{q[0]}:{q[3]}" for q in QUERIES])  # fmt: skip
def test_reports_refuse_bad_filters_and_dates_outside_the_window_naming_the_parameter(
    stack: Stack, path: str, params: dict[str, str], field: str, kind: str
) -> None:
    headers = bearer(Role.GROUP_ADMIN, [])
    for label, value in (BAD_VALUES | {"other digits": OTHER_DIGITS["period"]})[kind].items():
        if label == "lone surrogate":
            continue  # no URL can carry one: its bytes arrive as U+FFFD, a valid character
        query = {name: template.format(value=value) for name, template in params.items()}
        response = httpx.get(f"{stack.base_url}{S}{path}", params=query, headers=headers,
                             timeout=30)  # fmt: skip
        assert response.status_code == 422, (label, response.status_code, response.text)
        assert problem(response).names(field), label


def test_a_run_for_a_month_outside_the_window_is_refused(stack: Stack) -> None:
    before = stored(stack, "billing")
    for period in BAD_VALUES["period"].values():
        response = httpx.post(f"{stack.base_url}{S}/billing/runs/{period}",
                              headers=bearer(Role.ACCOUNTANT, [SITE]), timeout=30)  # fmt: skip
        assert response.status_code == 422, response.text
        assert problem(response).names("period")
    assert stored(stack, "billing") == before
