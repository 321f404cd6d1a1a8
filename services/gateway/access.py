"""Who may call what: the role matrix, read from the routes' own access checks.

`python -m services.gateway.access` prints it as the README's "Roles and rights" section,
and a test keeps the README equal to it, so the documented rights are the enforced ones.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from runtime.auth import Role

BEGIN = "<!-- roles:begin (python -m services.gateway.access) -->"
END = "<!-- roles:end -->"
ROLE_ORDER = list(Role)
SITE_PREFIX = "/sites/{site_id}"  # left out of the listed paths


def route_access(route: APIRoute) -> tuple[frozenset[Role], str] | None:
    """The roles a route admits and how far a token reaches, from its access dependency."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        roles = getattr(dependency.call, "roles", None)
        if roles is not None:
            return frozenset(roles), str(dependency.call.reach)  # type: ignore[union-attr]
        pending.extend(dependency.dependencies)
    return None


def matrix(
    routers: tuple[APIRouter, ...],
) -> dict[str, dict[tuple[frozenset[Role], str], list[str]]]:
    """Area (OpenAPI tag) -> (roles, reach) -> the operations they may call."""
    areas: dict[str, dict[tuple[frozenset[Role], str], list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for route in (route for router in routers for route in router.routes):
        if isinstance(route, APIRoute) and route.include_in_schema:
            access = route_access(route)
            if access is not None:
                for method in sorted(route.methods or ()):
                    areas[str(route.tags[0])][access].append(f"{method} {route.path}")
    return areas


def _roles(roles: frozenset[Role]) -> str:
    return ", ".join(f"`{role.value}`" for role in ROLE_ORDER if role in roles)


def markdown(routers: tuple[APIRouter, ...]) -> str:
    """The README's role matrix: per area, who may call which operations."""
    lines: list[Any] = [BEGIN]
    for area, groups in sorted(matrix(routers).items()):
        lines.append(f"\n**{area}**\n")
        for (roles, reach), operations in sorted(
            groups.items(), key=lambda g: (-len(g[0][0]), sorted(g[0][0]))
        ):
            ops = ", ".join(f"`{op.replace(SITE_PREFIX, '')}`" for op in sorted(operations))
            lines.append(f"- {_roles(roles)} ({reach}): {ops}")
    lines.append(END)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from services.gateway.app import ROUTERS

    print(markdown(ROUTERS), end="")
