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
    hours: Annotated[int, typer.Option(help="validity in hours")] = 12,
) -> None:
    """Print a signed HS256 token for the local gateway."""
    config = GatewaySettings().token_config()
    print(mint(config, subject=subject, role=role, sites=site or [], ttl=timedelta(hours=hours)))


if __name__ == "__main__":
    cli()
