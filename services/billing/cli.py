"""Finance staff's command line for the monthly cycle (runs against the billing store).

python -m services.billing.cli run-month --site <uuid> --period 2026-11
python -m services.billing.cli approve --site <uuid> --period 2026-11
    --role cs_manager --approver "Li Na"      (then general_manager, finance_manager)
python -m services.billing.cli issue --site <uuid> --period 2026-11 [--due-date 2026-11-20]
python -m services.billing.cli close --site <uuid> --period 2026-11
python -m services.billing.cli sweep --site <uuid>
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import typer
from tqdm import tqdm

from runtime.errors import ConciergeError
from services.billing.application import BillingApplication, BillingSettings
from services.billing.money import Period

cli = typer.Typer(add_completion=False, help="Monthly billing for finance staff.")
Site = Annotated[UUID, typer.Option(help="the site's id")]
PeriodOption = Annotated[str, typer.Option(help="the month, YYYY-MM")]


def _app() -> BillingApplication:
    return BillingApplication(BillingSettings())


def _print(result: Any) -> None:
    typer.echo(json.dumps(result, indent=2, default=str))


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except (ValueError, ConciergeError) as exc:
        raise typer.BadParameter(f"{text!r} is not a YYYY-MM month") from exc


def _with_progress(total: int, label: str) -> tuple[tqdm, Any]:
    bar = tqdm(total=total, unit="unit", desc=label)

    def progress(done: int) -> None:
        bar.update(done - bar.n)

    return bar, progress


def _run(action: Any) -> None:
    try:
        _print(action())
    except ConciergeError as exc:
        typer.echo(f"refused: {exc.message}", err=True)
        raise typer.Exit(2) from exc


@cli.command("run-month")
def run_month(site: Site, period: PeriodOption) -> None:
    """Post every unit's charges for the month (re-running posts nothing twice)."""
    app = _app()
    bar, progress = _with_progress(app.unit_count(site), f"charging {period}")
    with bar:
        _run(lambda: app.run_month(site, _period(period), None, progress))


@cli.command()
def approve(
    site: Site,
    period: PeriodOption,
    role: Annotated[
        str,
        typer.Option(
            help="the next step of the site's chain (seed: cs_manager, general_manager, "
            "finance_manager); never the cashier"
        ),
    ],
    approver: Annotated[str, typer.Option(help="who signs (each step a different person)")],
) -> None:
    """Sign the month's receivable table off, one step of the site's chain at a time."""
    _run(lambda: _app().approve(site, _period(period), role, approver, None))


@cli.command()
def issue(
    site: Site,
    period: PeriodOption,
    due_date: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
) -> None:
    """Issue the payment notices of an approved month."""
    app = _app()
    due: date | None = due_date.date() if due_date else None
    bar, progress = _with_progress(app.unit_count(site), f"issuing {period}")
    with bar:
        _run(lambda: app.issue(site, _period(period), due, None, progress))


@cli.command()
def close(site: Site, period: PeriodOption) -> None:
    """Close the month: no more postings into it."""
    _run(lambda: _app().close_period(site, _period(period), None))


@cli.command()
def sweep(site: Site) -> None:
    """Mark overdue statements, send dunning notices, assess late fees."""
    _run(lambda: _app().sweep_overdue(site, None, None))


if __name__ == "__main__":
    cli()
