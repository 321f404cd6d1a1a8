"""Seed a demo group through the HTTP API and print how to look at it.

Two sites (Shanghai Tower A and Hangzhou Park B), their units and tenants as hosts,
and a morning at the front desk: pre-registered and unannounced visitors, one turned
away by the host, one blocked by the watchlist, departures and switchboard messages.
Idempotent enough to run twice: every run adds a fresh morning.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx

from runtime.auth import Role, mint
from runtime.clock import clock
from services.gateway.settings import GatewaySettings

SITES = {
    "Shanghai Tower A": UUID("5a1e0000-0000-4000-8000-00000000000a"),
    "Hangzhou Park B": UUID("5a1e0000-0000-4000-8000-00000000000b"),
}
TENANTS = [  # unit, tenant company, contact person
    ("12A", "Huaxin Trading Co.", "Han Meimei"),
    ("15C", "Blue Ocean Legal", "Zhou Min"),
    ("21F", "Lumen Design Studio", "Chen Jie"),
    ("8B", "Resident", "Wang Wu"),
]
VISITORS = [
    ("Li Lei", "ACME Logistics"),
    ("Sun Li", "City Water Bureau"),
    ("Guo Jing", None),
    ("Huang Rong", "Peach Island Catering"),
    ("Ma Qing", "Courier Express"),
]


def main(base_url: str) -> None:
    config = GatewaySettings().token_config()
    admin = mint(config, subject="demo-admin", role=Role.GROUP_ADMIN, sites=[])
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {admin}"}, timeout=10
    ) as api:
        for name, site in SITES.items():
            seed_site(api, site)
            print(f"seeded {name} ({site})")
        desk_tokens = {
            name: mint(config, subject=f"desk-{name}", role=Role.RECEPTIONIST, sites=[site])
            for name, site in SITES.items()
        }
    site_a = SITES["Shanghai Tower A"]
    print(
        f"""
Concierge is running.
  API:          {base_url}   (OpenAPI: {base_url}/docs)
  Group admin:  {admin}
  Front desk, Shanghai Tower A only:
                {desk_tokens["Shanghai Tower A"]}

Try:
  curl -H "Authorization: Bearer {admin}" {base_url}/sites/{site_a}/in-building
  curl -H "Authorization: Bearer {admin}" \
       "{base_url}/sites/{site_a}/visit-log?date={clock.today()}&format=csv"
Mint more tokens:  .venv/bin/python -m services.gateway.tokens --role receptionist --site {site_a}
Ctrl-C stops the services; `make down` stops PostgreSQL and Kafka.
"""
    )


def seed_site(api: httpx.Client, site: UUID) -> None:
    now = datetime.now(UTC)
    api.post(
        f"/sites/{site}/watchlist",
        json={"name": "Mallory Black", "reason": "trespass, banned by management"},
    ).raise_for_status()
    for i, (visitor, company) in enumerate(VISITORS):
        unit, _, host = TENANTS[i % len(TENANTS)]
        visit = api.post(
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
        ).json()
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
        f"/sites/{site}/visits/{admitted.json()['visit_id']}/host-decision", json={"approve": True}
    ).raise_for_status()
    declined = api.post(f"/sites/{site}/visits", json={"visitor_name": "Duan Yu", **walk_in})
    api.post(
        f"/sites/{site}/visits/{declined.json()['visit_id']}/host-decision",
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


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
