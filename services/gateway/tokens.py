"""Mint a local token: `python -m services.gateway.tokens --role receptionist --site <uuid>`."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

import typer

from runtime.auth import Role, mint
from services.gateway.settings import GatewaySettings

cli = typer.Typer(add_completion=False)


@cli.command()
def token(
    role: Annotated[Role, typer.Option(help="the caller's role")],
    site: Annotated[list[UUID] | None, typer.Option(help="a site the token covers")] = None,
    subject: Annotated[str, typer.Option(help="who the token is for")] = "local-user",
    hours: Annotated[float, typer.Option(help="validity in hours (at most the cap)")] = 12,
    group: Annotated[
        bool, typer.Option("--group", help="a BI token for the whole group (scope `group`)")
    ] = False,
) -> None:
    """Print a signed HS256 token for the local gateway."""
    settings = GatewaySettings()
    if not 0 < hours <= settings.jwt_max_lifetime_hours:
        raise typer.BadParameter(
            f"at most {settings.jwt_max_lifetime_hours} hours (JWT_MAX_LIFETIME_HOURS)",
            param_hint="--hours",
        )
    if group and role != Role.BI:
        raise typer.BadParameter("only a bi token takes the group scope", param_hint="--group")
    print(
        mint(
            settings.token_config(),
            subject=subject,
            role=role,
            sites=site or [],
            ttl=timedelta(hours=hours),
            group_scope=group,
        )
    )


if __name__ == "__main__":
    cli()
