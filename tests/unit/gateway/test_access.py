"""The README's role matrix is the one the routes enforce."""

from __future__ import annotations

from pathlib import Path

from runtime.auth import Role
from services.gateway.access import BEGIN, END, markdown, matrix
from services.gateway.app import ROUTERS

README = Path(__file__).resolve().parents[3] / "README.md"


def test_every_api_operation_names_the_roles_it_admits() -> None:
    areas = matrix(ROUTERS)
    operations = [op for groups in areas.values() for ops in groups.values() for op in ops]
    routes = sum(len(route.methods) for router in ROUTERS for route in router.routes)  # type: ignore[attr-defined]
    assert len(operations) == routes
    # The cashier takes the money and never signs the month's table (seed 001).
    billing = areas["billing"]
    signers = next(roles for (roles, _), ops in billing.items()
                   if any(op.endswith("/approval") for op in ops))  # fmt: skip
    assert Role.CASHIER not in signers


def test_the_readme_shows_the_enforced_role_matrix() -> None:
    text = README.read_text()
    shown = text[text.index(BEGIN) : text.index(END) + len(END)] + "\n"
    assert shown == markdown(ROUTERS), "run `python -m services.gateway.access` into README.md"
