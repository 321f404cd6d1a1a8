"""Seed a demo group through the HTTP API and print how to look at it.

Two sites (Shanghai Tower A and Hangzhou Park B), their units and tenants as hosts,
and a morning at the front desk: pre-registered and unannounced visitors, one turned
away by the host, one blocked by the watchlist, departures and switchboard messages;
the front office's registers (`deploy/demo_front_office.py`), building services
(`deploy/demo_building_services.py`) and building operations
(`deploy/demo_operations.py`: a day's patrols, incidents, a drill and hygiene
inspections); the tenancy roster (the tenants moved in, one fitted out, one moved out
with a final settlement) and the tenant files.

Each site is seeded once, ever: a run after a restart, a crash or next month finds the
site seeded and leaves it as it is. The system itself holds the marker (see `seeded`),
so it lives and dies with the data, which a local marker file would not.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import httpx

from deploy import demo_operations
from deploy.demo_building_services import seed_building_services
from deploy.demo_complaints import seed_complaint_answers
from deploy.demo_front_office import seed_front_office
from deploy.demo_mail_round import seed_mail_round
from runtime.auth import Role, TokenConfig, mint
from runtime.clock import clock
from services.gateway.console.sites import DEMO_SITES
from services.gateway.settings import GatewaySettings

SITES = {name: site for site, name in DEMO_SITES.items()}  # the console's site directory
TENANTS = [  # unit, tenant company, contact person
    ("12A", "Huaxin Trading Co.", "Han Meimei"),
    ("15C", "Blue Ocean Legal", "Zhou Min"),
    ("21F", "Lumen Design Studio", "Chen Jie"),
    ("8B", "Resident", "Wang Wu"),
]
# The roster's Chinese names (the notices and receipts print them; English second).
NAMES_ZH = {
    "Huaxin Trading Co.": "华新贸易有限公司", "Blue Ocean Legal": "蓝海律师事务所",
    "Lumen Design Studio": "流明设计工作室", "Wang Wu": "王五",
    "Harbour Freight Agency": "港湾货运代理有限公司",
}  # fmt: skip
VISITORS = [
    ("Li Lei", "ACME Logistics"),
    ("Sun Li", "City Water Bureau"),
    ("Guo Jing", None),
    ("Huang Rong", "Peach Island Catering"),
    ("Ma Qing", "Courier Express"),
]


def wait_until_ready(base_url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the services did not come up at {base_url}; see the logs above")


def _no_server_error(response: httpx.Response) -> None:
    """Seeding stops at the first answer the gateway could not give (a 5xx), naming it,
    instead of reading a field the answer does not have further on. A refusal (4xx) is
    left to the step, some of which expect one."""
    if response.status_code >= 500:
        response.read()
        response.raise_for_status()


def main(base_url: str) -> None:
    wait_until_ready(base_url)
    config = GatewaySettings().token_config()
    admin = mint(config, subject="demo-admin", role=Role.GROUP_ADMIN, sites=[])
    with httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {admin}"},
        timeout=30,
        event_hooks={"response": [_no_server_error]},
    ) as api:
        for (name, site), code in zip(SITES.items(), ("SHA", "HZB"), strict=True):
            if seeded(api, site, config):
                print(f"{name} ({site}) was seeded before; left as it is")
                continue
            seed_billing(api, site, config)  # first: it opens the accounts, the marker
            seed_collection(api, site, config)  # last month's arrears chased
            seed_repairs(api, site, code, config)
            seed_letterhead(api, site, name, config)
            seed_mail_and_complaints(api, site, config)
            seed_complaint_answers(api, site, *staff(config, site, Role.RECEPTIONIST,
                                                     Role.CS_REP, Role.DISPATCHER))  # fmt: skip
            seed_mail_round(api, site, *staff(config, site, Role.CONCIERGE))
            seed_front_desk(api, site)
            seed_front_office(api, site)
            seed_building_services(api, site, config)
            operations_staff = staff(config, site, *demo_operations.ROLES)
            demo_operations.seed_operations(
                api, site, dict(zip(demo_operations.ROLES, operations_staff, strict=True))
            )
            seed_tenancy(api, site, config)  # last: its roster then checks complaints' units
            print(f"seeded {name} ({site})")
        desk_tokens = {
            name: mint(config, subject=f"desk-{name}", role=Role.RECEPTIONIST, sites=[site])
            for name, site in SITES.items()
        }
    site_a = SITES["Shanghai Tower A"]
    password = GatewaySettings().console_demo_password
    print(
        f"""
Concierge is running.
  Console:      {base_url}/console   (demo users, password {password}:
                wang.fang reception, he.ping cashier, liu.qiang dispatch, li.na customer
                service, zhang.wen group admin; all in services/gateway/console/users.py)
  API:          {base_url}   (OpenAPI: {base_url}/docs)
  Group admin:  {admin}
  Front desk, Shanghai Tower A only:
                {desk_tokens["Shanghai Tower A"]}

Try:
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/in-building
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/work-orders
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/billing/arrears
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/billing/collection/today
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/billing/units/21F/collection
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/complaints
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/calls?open_only=true
  curl -H "Authorization: Bearer {admin}" \\
       "{base_url}/sites/{site_a}/reception-times?period={clock.today():%Y-%m}"
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/tenancy/tenancies
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/patrol-days/{clock.today()}
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/incidents?open_only=true
  curl -H "Authorization: Bearer {admin}" \\
       "{base_url}/sites/{site_a}/cleaning-vendors/scores?period={clock.today():%Y-%m}"
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/billing/units/9D/tenancy
  curl -o arrears.xlsx -H "Authorization: Bearer {admin}" \\
       "{base_url}/sites/{site_a}/billing/arrears?format=xlsx"
  curl -o notice-12A.pdf -H "Authorization: Bearer {admin}" \\
       "{base_url}/sites/{site_a}/billing/units/12A/notices/{clock.today():%Y-%m}.pdf"
  curl -o receipt-1.pdf -H "Authorization: Bearer {admin}" \\
       "{base_url}/sites/{site_a}/billing/receipts/1.pdf?lang=en"
  curl -H "Authorization: Bearer {admin}" \\
       "{base_url}/sites/{site_a}/work-orders/three-equals?period={clock.today():%Y-%m}"
  curl -H "Authorization: Bearer {admin}" \
       "{base_url}/sites/{site_a}/visit-log?date={clock.today()}&format=csv"
Mint more tokens:  .venv/bin/python -m services.gateway.tokens --role receptionist --site {site_a}
Ctrl-C stops the services; `make down` stops PostgreSQL and Kafka.
"""
    )


def seeded(api: httpx.Client, site: UUID, config: TokenConfig) -> bool:
    """Whether the demo seeded `site` before: its unit 12A has a billing account.

    The demo's first step that is not a plain setting registers the units, which opens
    their accounts; the account is read from the billing event store, not from a read
    model that may lag behind or be rebuilding. A run that stopped before that point
    had only put settings, which a new run puts again to the same values.
    """
    (accountant,) = staff(config, site, Role.ACCOUNTANT)
    response = api.get(f"/sites/{site}/billing/units/{TENANTS[0][0]}", headers=accountant)
    if response.status_code == 404:
        return False
    response.raise_for_status()  # a service not answering: seed nothing rather than twice
    return True


def seed_front_desk(api: httpx.Client, site: UUID) -> None:
    now = datetime.now(UTC)
    api.post(
        f"/sites/{site}/watchlist",
        json={"name": "Mallory Black", "reason": "trespass, banned by management"},
    ).raise_for_status()
    for i, (visitor, company) in enumerate(VISITORS):
        unit, _, host = TENANTS[i % len(TENANTS)]
        visit = (
            api.post(
                f"/sites/{site}/visits/pre-registrations",
                json={
                    "visitor_name": visitor,
                    "visitor_company": company,
                    "host_unit": unit,
                    "host_name": host,
                    "purpose": "meeting",
                    "expected_from": now.isoformat(),
                    "expected_until": (now + timedelta(hours=4)).isoformat(),
                },
            )
            .raise_for_status()
            .json()
        )
        if i < 4:
            api.post(
                f"/sites/{site}/visits/{visit['visit_id']}/check-in",
                json={"id_checked": True, "id_type": "id_card"},
            ).raise_for_status()
        if i == 0:
            api.post(f"/sites/{site}/visits/{visit['visit_id']}/check-out").raise_for_status()
    walk_in = {"host_unit": "21F", "host_name": "Chen Jie", "purpose": "sales call"}
    admitted = api.post(f"/sites/{site}/visits", json={"visitor_name": "Qiao Feng", **walk_in})
    api.post(
        f"/sites/{site}/visits/{admitted.raise_for_status().json()['visit_id']}/host-decision",
        json={"approve": True},
    ).raise_for_status()
    declined = api.post(f"/sites/{site}/visits", json={"visitor_name": "Duan Yu", **walk_in})
    api.post(
        f"/sites/{site}/visits/{declined.raise_for_status().json()['visit_id']}/host-decision",
        json={"approve": False, "reason": "no appointment"},
    ).raise_for_status()
    blocked = api.post(f"/sites/{site}/visits", json={"visitor_name": "Mallory Black", **walk_in})
    assert blocked.status_code == 409, blocked.text
    message = api.post(
        f"/sites/{site}/phone-messages",
        json={
            "caller_name": "Xu Zhu",
            "caller_company": "Shaolin Property Insurance",
            "caller_phone": "+86 21 6888 0000",
            "reason": "renewal papers ready, please call back",
            "for_unit": "12A",
            "for_person": "Han Meimei",
        },
    ).json()
    api.post(
        f"/sites/{site}/phone-messages/{message['message_id']}/delivery",
        json={"acknowledged_by": "Han Meimei"},
    ).raise_for_status()
    api.post(
        f"/sites/{site}/phone-messages",
        json={
            "caller_name": "A Zhu",
            "caller_phone": "13800138000",
            "reason": "parcel to collect at the desk",
            "for_unit": "15C",
            "for_person": "Zhou Min",
        },
    ).raise_for_status()


REPAIRS = [  # category, location, unit, tenant, content, source
    ("plumbing", "12F east washroom", "12A", "Huaxin Trading Co.", "tap leaks under the sink",
     "tenant_phone"),
    ("electrical", "15F corridor", "15C", "Blue Ocean Legal", "corridor lights flicker",
     "tenant_app"),
    ("hvac", "B2 plant room", None, None, "chiller 2 makes a grinding noise", "patrol"),
    ("cleaning", "Lobby", None, None, "coffee spilled by the lifts", "patrol"),
    ("civil", "21F meeting room", "21F", "Lumen Design Studio", "ceiling tile cracked",
     "tenant_phone"),
    ("plumbing", "8B kitchen", "8B", "Resident", "drain blocked", "tenant_phone"),
    ("elevator", "Lift 3", None, None, "lift 3 stops unevenly at 9F", "patrol"),
]  # fmt: skip


def seed_repairs(api: httpx.Client, site: UUID, code: str, config: TokenConfig) -> None:
    """Work orders in every state: reported, dispatched, in progress, completed, closed
    (one paid), reopened and voided."""
    kinds = (Role.RECEPTIONIST, Role.DISPATCHER, Role.TECHNICIAN, Role.CS_REP, Role.CS_MANAGER)
    roles = dict(zip(kinds, staff(config, site, *kinds), strict=True))
    api.put(f"/sites/{site}/work-order-settings", json={"site_code": code},
            headers=roles[Role.CS_MANAGER]).raise_for_status()  # fmt: skip
    for i, (category, location, unit, tenant, content, source) in enumerate(REPAIRS):
        order = api.post(
            f"/sites/{site}/repairs",
            json={"source": source, "category": category, "location": location, "unit": unit,
                  "tenant": tenant, "content": content, "reporter": "front desk"},
            headers=roles[Role.RECEPTIONIST],
        ).json()["work_order_id"]  # fmt: skip
        path = f"/sites/{site}/repairs/{order}"
        if i == 0:
            continue  # reported, waiting for the dispatcher
        team = "housekeeping" if category == "cleaning" else "engineering"
        paid = i == 5
        api.post(f"{path}/dispatch", json={"team": team, "technician": "Lao Zhang",
                 "urgency": "high" if i % 2 else "normal", "paid": paid},
                 headers=roles[Role.DISPATCHER]).raise_for_status()  # fmt: skip
        if i == 1:
            continue  # dispatched
        if i == 6:
            api.post(f"{path}/void", json={"reason": "duplicate of an earlier patrol report"},
                     headers=roles[Role.DISPATCHER]).raise_for_status()  # fmt: skip
            continue
        api.post(f"{path}/start", json={"technician": "Lao Zhang"},
                 headers=roles[Role.TECHNICIAN]).raise_for_status()  # fmt: skip
        if i == 2:
            continue  # in progress
        api.post(f"{path}/complete", json={"result": "done", "labour_hours": "1.5",
                 "fee": "120.00" if paid else "0",
                 "materials": [{"name": "parts", "quantity": "1", "cost": "35.00"}]},
                 headers=roles[Role.TECHNICIAN]).raise_for_status()  # fmt: skip
        if i == 3:
            continue  # completed, waiting for customer service
        passed = i != 4
        api.post(f"{path}/verify", json={"passed": passed, "method": "phone",
                 "notes": None if passed else "tenant says the crack is still there"},
                 headers=roles[Role.CS_REP]).raise_for_status()  # fmt: skip


def staff(config: TokenConfig, site: UUID, *roles: Role) -> list[dict[str, str]]:
    """Authorization headers for one site's staff in each of `roles`."""
    return [
        {"Authorization": f"Bearer {mint(config, subject=role, role=role, sites=[site])}"}
        for role in roles
    ]


def seed_billing(api: httpx.Client, site: UUID, config: TokenConfig) -> None:
    """Last month billed and past due (some paid, some partly, some overdue with a late
    fee), this month billed and issued."""
    accountant, cashier = staff(config, site, Role.ACCOUNTANT, Role.CASHIER)
    signers = staff(config, site, Role.CS_MANAGER, Role.GENERAL_MANAGER, Role.FINANCE_MANAGER)
    today = clock.today()
    last, this = _month_before(today), f"{today:%Y-%m}"
    base = f"/sites/{site}/billing"
    api.put(f"{base}/settings", json={"days_to_pay": 15, "grace_days": 5,
            "late_fee": {"kind": "percent", "value": "3", "cap": "100.00"}},
            headers=accountant).raise_for_status()  # fmt: skip
    for fee_type, rate in (("management", "4.50"), ("parking", "350"), ("water", "4.20"),
                           ("phone", "30")):  # fmt: skip
        api.put(f"{base}/rates", json={"fee_type": fee_type, "amount_per_unit": rate,
                "effective_from": last}, headers=accountant).raise_for_status()  # fmt: skip
    units = [
        {"unit": unit, "area_m2": area, "parking_spaces": spaces, "phone_lines": lines}
        for unit, area, spaces, lines in (
            ("12A", "320", 2, 3), ("15C", "180", 1, 2), ("21F", "450", 3, 4), ("8B", "95", 1, 0)
        )
    ]  # fmt: skip
    api.put(f"{base}/units", json={"units": units}, headers=accountant).raise_for_status()
    for period, due in ((last, _day_in(last, 20)), (this, None)):
        readings = {"12A": "18", "15C": "9", "21F": "30", "8B": "6"}
        api.put(f"{base}/water-readings", json={"period": period, "readings": readings},
                headers=accountant).raise_for_status()  # fmt: skip
        api.post(f"{base}/runs/{period}", headers=accountant).raise_for_status()
        for signer in signers:  # the seed's sign-off chain, in order
            api.post(f"{base}/runs/{period}/approval", headers=signer).raise_for_status()
        api.post(f"{base}/runs/{period}/statements", json={"due_date": due},
                 headers=accountant).raise_for_status()  # fmt: skip
        if period == last:  # 12A paid in full, 15C half, 21F and 8B nothing
            for unit, share in (("12A", Decimal(1)), ("15C", Decimal("0.5"))):
                owed = Decimal(
                    api.get(f"{base}/units/{unit}", headers=cashier).json()["outstanding"]
                )
                api.post(f"{base}/units/{unit}/payments",
                         json={"reference": f"DEMO-{period}-{unit}", "method": "bank_transfer",
                               "amount": str((owed * share).quantize(Decimal("0.01")))},
                         headers=cashier).raise_for_status()  # fmt: skip
            api.post(f"{base}/overdue-sweep", json={}, headers=accountant).raise_for_status()


# -- collection follow-up and phone charges ------------------------------------------------


def seed_collection(api: httpx.Client, site: UUID, config: TokenConfig) -> None:
    """Last month's arrears chased (催缴), and next month's call-charge list (电话费统计表).

    The demo site chases briskly so that every level shows (notice at once, a call after
    2 days past due, the final letter after 5, the CS manager after 8; last month fell
    due on the 20th): 21F is chased through the levels and escalated by the sweep; 15C
    promises to pay in three days and pays now (kept); 8B promised, three days ago, to
    pay two days ago (broken). The site switches to call-charge lists from next month
    (this month was billed at rate x lines): the front desk enters the list, the CS
    supervisor verifies it, and its lines wait in next month's table.
    """
    finance, accountant, cs_rep, supervisor, cashier, desk = staff(
        config, site, Role.FINANCE_MANAGER, Role.ACCOUNTANT, Role.CS_REP, Role.CS_SUPERVISOR,
        Role.CASHIER, Role.RECEPTIONIST,
    )  # fmt: skip
    base, today = f"/sites/{site}/billing", clock.today()
    levels = {"notice": 0, "phone_reminder": 2, "final_letter": 5, "escalation": 8}
    api.put(f"{base}/collection-policy", json=levels, headers=finance).raise_for_status()

    def chase(unit: str, step: str, body: dict, who: dict[str, str] = cs_rep) -> None:
        api.post(f"{base}/units/{unit}/collection/{step}", json=body,
                 headers=who).raise_for_status()  # fmt: skip

    chase("21F", "phone-reminders", {"outcome": "unreachable", "note": "no answer, twice"})
    chase("21F", "phone-reminders", {"outcome": "refused", "note": "disputes the water reading"})
    chase("21F", "final-letters", {"note": "registered mail"}, supervisor)
    chase("15C", "phone-reminders", {"outcome": "promised",
                                     "promised_on": str(today + timedelta(days=3))})  # fmt: skip
    owed = api.get(f"{base}/units/15C", headers=cashier).json()["outstanding"]
    api.post(f"{base}/units/15C/payments", json={"reference": "DEMO-15C-PROMISE", "amount": owed,
             "method": "wechat_pay"}, headers=cashier).raise_for_status()  # fmt: skip
    called = datetime.now(UTC) - timedelta(days=3)
    chase("8B", "phone-reminders", {"outcome": "promised", "called_at": called.isoformat(),
                                    "promised_on": str(today - timedelta(days=2))})  # fmt: skip
    api.post(f"{base}/overdue-sweep", json={}, headers=accountant).raise_for_status()
    upcoming = f"{today.replace(day=28) + timedelta(days=4):%Y-%m}"
    lines = {"12A": ("021-6888 1201", "021-6888 1202", "021-6888 1203"),
             "15C": ("021-6888 1501", "021-6888 1502"), "21F": ("021-6888 2101",)}  # fmt: skip
    units = [
        {"unit": unit, "lines": [
            {"number": number, "calls": 20 + 7 * n, "minutes": 60 + 25 * n,
             "amount": str(Decimal("0.35") * (60 + 25 * n))}
            for n, number in enumerate(numbers)]}
        for unit, numbers in lines.items()
    ]  # fmt: skip
    api.put(f"{base}/phone-charges/{upcoming}", json={"units": units},
            headers=desk).raise_for_status()  # fmt: skip
    api.post(f"{base}/phone-charges/{upcoming}/verification",
             headers=supervisor).raise_for_status()  # fmt: skip


def _month_before(day: date) -> str:
    first = day.replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


def _day_in(period: str, day: int) -> str:
    return f"{period}-{day:02d}"


# -- printed notices and receipts: each site's letterhead ---------------------------------

LETTERHEADS = {
    "Shanghai Tower A": ("上海A座大厦", "上海A座物业管理有限公司"),
    "Hangzhou Park B": ("杭州B园", "杭州B园物业服务有限公司"),
}


def seed_letterhead(api: httpx.Client, site: UUID, name: str, config: TokenConfig) -> None:
    """What the site's payment notices and receipts are headed with."""
    (accountant,) = staff(config, site, Role.ACCOUNTANT)
    site_name, payee = LETTERHEADS[name]
    api.put(f"/sites/{site}/billing/letterhead", headers=accountant,
            json={"site_name": site_name, "site_name_en": name,
                  "payee": payee}).raise_for_status()  # fmt: skip


def seed_mail_and_complaints(api: httpx.Client, site: UUID, config: TokenConfig) -> None:
    """The mail room's day (awaiting, collected, unknown recipient) and complaints in
    several states, one of them a repair complaint that opens a work order."""
    desk, cs, manager = staff(config, site, Role.RECEPTIONIST, Role.CS_REP, Role.CS_MANAGER)
    directory = [
        {"unit": unit, "company": company, "contact_name": person,
         "contact_email": f"{unit.lower()}@tenants.example"}
        for unit, company, person in TENANTS
    ]  # fmt: skip
    api.put(f"/sites/{site}/mail/directory", json={"entries": directory},
            headers=manager).raise_for_status()  # fmt: skip
    items = [
        {"kind": "parcel", "carrier": "SF Express", "tracking_number": "SF1029384756",
         "recipient_unit": "12A", "recipient_person": "Han Meimei", "urgent": True},
        {"kind": "letter", "recipient_unit": "15C", "recipient_company": "Blue Ocean Legal"},
        {"kind": "registered", "carrier": "China Post", "tracking_number": "EMS88889999",
         "recipient_unit": "21F"},
        {"kind": "fax", "recipient_unit": "15C", "pages": 3},
        {"kind": "letter", "addressed_to": "Mr. Ouyang, 'top floor'"},
    ]  # fmt: skip
    received = [api.post(f"/sites/{site}/mail/items", json=item, headers=desk).json()
                for item in items]  # fmt: skip
    api.post(f"/sites/{site}/mail/items/{received[2]['item_id']}/pickup",
             json={"signed_by": "Chen Jie"}, headers=desk).raise_for_status()  # fmt: skip
    complaints = [
        ("noise", "drilling next door after 22:00", "15C", "Zhou Min"),
        ("repair", "water stain spreading on the ceiling", "21F", "Chen Jie"),
        ("cleaning", "lobby floor sticky in the morning", "12A", "Han Meimei"),
    ]
    opened = []
    for category, content, unit, person in complaints:
        body = {"channel": "phone", "complainant": person, "unit": unit,
                "category": category, "content": content}  # fmt: skip
        opened.append(api.post(f"/sites/{site}/complaints", json=body, headers=desk).json())
    first = f"/sites/{site}/complaints/{opened[0]['complaint_id']}"
    api.post(f"{first}/investigation", json={"cause": "third_party", "notes": "15D renovating"},
             headers=cs).raise_for_status()  # fmt: skip
    third = f"/sites/{site}/complaints/{opened[2]['complaint_id']}"
    api.post(f"{third}/resolution", json={"resolution": "extra mopping at 7:00"},
             headers=cs).raise_for_status()  # fmt: skip
    api.post(f"{third}/reply", json={"channel": "phone", "message": "extra mopping from now"},
             headers=cs).raise_for_status()  # fmt: skip
    today = clock.today()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    for scores in ([5, 4, 5], [4, 4, 5], [3, 2, 4]):
        questions = dict(zip(("reception", "repairs", "cleaning"), scores, strict=True))
        body = {"quarter": quarter, "scores": questions}
        api.post(f"/sites/{site}/survey-responses", json=body, headers=cs).raise_for_status()


def seed_tenancy(api: httpx.Client, site: UUID, config: TokenConfig) -> None:
    """The roster: every demo tenant moved in half a year ago; 21F fitted out (approved by
    customer service and engineering, inspected twice, accepted, deposit refunded less a
    deduction); 9D moved in three months ago and moved out five days ago with a forwarding
    address (billing draws its final settlement); two files, one borrowed and overdue."""
    cs, manager, engineering = staff(config, site, Role.CS_REP, Role.CS_MANAGER, Role.DISPATCHER)
    base, today = f"/sites/{site}/tenancy", clock.today()

    def move_in(unit: str, company: str, person: str, days_ago: int) -> str:
        day = str(today - timedelta(days=days_ago))
        body = {
            "unit": unit, "kind": "resident" if company == "Resident" else "company",
            "name_zh": NAMES_ZH[person if company == "Resident" else company],
            "name_en": person if company == "Resident" else company,
            "contact": {"name": person, "phone": "+86 21 6000 1000",
                        "email": f"{unit.lower()}@tenants.example", "extension": "800"},
            "emergency_contact": {"name": "Front office", "phone": "+86 21 6000 1999"},
            "moved_in_on": day, "billing_starts_on": day,
            "checklist": [{"item": "walls and ceiling", "ok": True},
                          {"item": "air conditioning", "ok": True}],
            "meter_readings": [{"meter": "water", "reading": "100.000"}],
            "keys_issued": [{"label": "front door", "count": 2},
                            {"label": "access card", "count": 4}],
        }  # fmt: skip
        response = api.post(f"{base}/tenancies", json=body, headers=cs)
        response.raise_for_status()
        return str(response.json()["tenancy_id"])

    tenancies = {unit: move_in(unit, company, person, 180) for unit, company, person in TENANTS}
    permit = api.post(f"{base}/fit-outs", headers=cs, json={
        "tenancy_id": tenancies["21F"], "plans": ["layout rev B", "lighting plan"],
        "contractor": "Lumen Fit-out Ltd", "contractor_phone": "13900001111",
        "starts_on": str(today - timedelta(days=170)), "ends_on": str(today - timedelta(days=120)),
        "deposit": "5000.00"}).json()  # fmt: skip
    fit_out = f"{base}/fit-outs/{permit['permit_id']}"
    for step, body, who in (
        ("approval", None, manager), ("approval", None, engineering),
        ("inspections", {"inspector": "Zhao Gang", "findings": [
            {"finding": "sprinkler head moved", "action": "violation"}]}, engineering),
        ("inspections", {"inspector": "Zhao Gang", "findings": [
            {"finding": "sprinkler restored"}]}, engineering),
        ("completion", {"accepted_by": "Zhao Gang"}, cs),
        ("deposit-settlement", {"deductions": [
            {"reason": "lift lobby floor scratched", "amount": "800.00"}]}, cs),
    ):  # fmt: skip
        api.post(f"{fit_out}/{step}", json=body, headers=who).raise_for_status()
    leaving = move_in("9D", "Harbour Freight Agency", "Liu Yang", 90)
    api.post(f"{base}/tenancies/{leaving}/notice", headers=cs, json={
        "notice_on": str(today - timedelta(days=35)),
        "moving_out_on": str(today - timedelta(days=5))}).raise_for_status()  # fmt: skip
    api.post(f"{base}/tenancies/{leaving}/move-out", headers=cs, json={
        "moved_out_on": str(today - timedelta(days=5)),
        "meter_readings": [{"meter": "water", "reading": "131.500"}],
        "inspection": [{"finding": "walls repainted"},
                       {"finding": "carpet torn", "action": "repair"}],
        "keys_returned": [{"label": "front door", "count": 2},
                          {"label": "access card", "count": 3}],
        "forwarding_address": "Room 1801, 100 Century Avenue, Shanghai",
        "settlement_reference": f"FS-9D-{today:%Y%m}"}).raise_for_status()  # fmt: skip
    files = (("F-12A-001", "租赁合同 lease", 24, "12A"),
             ("F-21F-002", "二次装修图纸 fit-out plans", 12, "21F"))  # fmt: skip
    for number, title, pages, unit in files:
        filed = api.post(f"{base}/files", headers=cs, json={
            "number": number, "title": title, "pages": pages,
            "filed_on": str(today - timedelta(days=170)), "filed_by": "Secretary Chen",
            "category": "tenant", "unit": unit}).json()  # fmt: skip
    api.post(f"{base}/files/{filed['file_id']}/borrowing", headers=cs, json={
        "borrower": "Engineering Zhao", "borrowed_on": str(today - timedelta(days=10)),
        "due_back_on": str(today - timedelta(days=3))}).raise_for_status()  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
