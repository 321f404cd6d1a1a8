"""Finance staff's command line for the monthly cycle (runs against the billing store).

python -m services.billing.cli run-month --site <uuid> --period 2026-11
python -m services.billing.cli approve --site <uuid> --period 2026-11
    --role cs_manager --approver "Li Na"      (then general_manager, finance_manager)
python -m services.billing.cli issue --site <uuid> --period 2026-11 [--due-date 2026-11-20]
python -m services.billing.cli close --site <uuid> --period 2026-11
python -m services.billing.cli sweep --site <uuid>
python -m services.billing.cli import-phone-charges --site <uuid> --period 2026-12
    --file calls.csv --by "Li Na"     (columns unit,number,calls,minutes,amount)
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from pydantic import ValidationError
from tqdm import tqdm

from contracts import billing_api as api
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


@cli.command("import-phone-charges")
def import_phone_charges(
    site: Site,
    period: PeriodOption,
    file: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="the list as CSV")],
    by: Annotated[str, typer.Option(help="who tallied the list (another person verifies)")],
) -> None:
    """Import the month's call-charge list (电话费统计表) from CSV with the header
    unit,number,calls,minutes,amount: one row per line number; it replaces the list
    entered before, until the list is verified."""
    units: dict[str, list[dict[str, str]]] = defaultdict(list)
    with file.open(newline="", encoding="utf-8-sig") as rows:
        for row in csv.DictReader(rows):
            line = {key: row.get(key, "") for key in ("number", "calls", "minutes", "amount")}
            units[row.get("unit", "")].append(line)
    try:
        listed = api.EnterPhoneCharges.model_validate(
            {"units": [{"unit": unit, "lines": lines} for unit, lines in units.items()]}
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(step) for step in error["loc"])
        typer.echo(f"refused: {where}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    _run(lambda: _app().enter_phone_charges(site, _period(period), listed, by, None))


if __name__ == "__main__":
    cli()
