"""Navigation by role, read from the same access checks the API enforces.

A screen is shown when the person may call every operation it needs; within a screen,
each action (a button, a form, a board, a chart) is shown when its operation is allowed.
The rights come from the routes' own dependencies (`services.gateway.access`), so no
screen or button appears that would answer 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.routing import APIRoute

from runtime.auth import Principal
from services.gateway.access import SITE_PREFIX, route_access

GROUP_WIDE = "group-wide tokens only"


@dataclass(frozen=True)
class Screen:
    key: str
    needs: tuple[str, ...] = ()  # every one of these operations
    any_of: tuple[str, ...] = ()  # at least one of these


BOARD_READS = (
    "GET /in-building",
    "GET /mail/awaiting-pickup",
    "GET /work-orders",
    "GET /complaints",
    "GET /billing/collection-rate",
)
CHART_READS = (
    "GET /visits-per-host",
    "GET /work-orders",
    "GET /billing/collection-rate",
    "GET /billing/arrears",
    "GET /complaint-statistics",
    "GET /satisfaction",
)
SCREENS = (
    Screen("boards", any_of=BOARD_READS),
    Screen("frontdesk", needs=("GET /in-building", "POST /visits/pre-registrations")),
    Screen("mail", needs=("GET /mail/awaiting-pickup", "POST /mail/items")),
    Screen("repairs", needs=("GET /work-orders",)),
    Screen("cashier", needs=("POST /billing/units/{unit}/payments", "GET /billing/receipts")),
    Screen("complaints", needs=("GET /complaints",)),
    Screen("charts", any_of=CHART_READS),
    Screen("group", any_of=("GET /group/billing/arrears", "GET /group/complaint-statistics")),
)


def operations(routers: Iterable[APIRouter], who: Principal) -> set[str]:
    """Every operation (`METHOD path`, site prefix left out) this person may call."""
    allowed: set[str] = set()
    for route in (route for router in routers for route in router.routes):
        if not isinstance(route, APIRoute) or (access := route_access(route)) is None:
            continue
        roles, reach = access
        if who.role in roles and (reach != GROUP_WIDE or who.group_wide):
            path = route.path.removeprefix(SITE_PREFIX)
            allowed.update(f"{method} {path}" for method in route.methods or ())
    return allowed


def screens(allowed: set[str]) -> list[str]:
    """The screens whose operations are all allowed, in the menu's order."""
    return [
        screen.key
        for screen in SCREENS
        if all(op in allowed for op in screen.needs)
        and (not screen.any_of or any(op in allowed for op in screen.any_of))
    ]
