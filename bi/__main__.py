"""The BI kit's command line (see bi/README.md).

python -m bi sync [--follow] [--rebuild]      # read the topics into the DuckDB file
python -m bi arrears --as-of 2035-12-31       # the arrears table as CSV
python -m bi receivable --as-of 2035-12-31 [--period 2035-12]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import logging
import os
import signal
import sys
from datetime import date
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
from aiokafka.errors import KafkaError

from bi.consumer import Stalled, sync
from bi.ledger import DEFAULT_TIMEZONE, SiteCalendar
from bi.messages import EventSchemas
from bi.store import SettingsChanged, Store

# In a checkout of the suite the published schemas sit beside this folder.
CHECKOUT_SCHEMAS = Path(__file__).resolve().parent.parent / "contracts" / "schemas"

log = logging.getLogger("bi")


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"{name!r} is not an IANA time zone") from None
    return name


def _site_zones(text: str) -> dict[str, str]:
    try:
        zones = json.loads(text)
        return {str(UUID(site)): _zone(zone) for site, zone in zones.items()}
    except (ValueError, AttributeError, TypeError):
        raise argparse.ArgumentTypeError('expected JSON {"<site uuid>": "<zone>"}') from None


def _arguments(argv: list[str]) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m bi",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database",
        default=env("BI_DATABASE", "concierge_bi.duckdb"),
        help="the DuckDB file (BI_DATABASE; default concierge_bi.duckdb)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("sync", help="read the topics into the DuckDB file")
    run.add_argument(
        "--bootstrap-servers",
        default=env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:59092"),
        help="Kafka (KAFKA_BOOTSTRAP_SERVERS)",
    )
    run.add_argument(
        "--topic",
        action="append",
        dest="topics",
        help="topic to read, repeatable (BI_TOPICS, comma-separated; default concierge.billing.v1)",
    )
    run.add_argument(
        "--schemas",
        type=Path,
        default=Path(env("BI_SCHEMAS", CHECKOUT_SCHEMAS)),
        help="folder of the published event schemas (BI_SCHEMAS)",
    )
    run.add_argument(
        "--site-timezones",
        type=_site_zones,
        default=env("BI_SITE_TIMEZONES", "{}"),
        help='JSON {"<site id>": "<zone>"} (BI_SITE_TIMEZONES)',
    )
    run.add_argument(
        "--default-timezone",
        type=_zone,
        default=env("BI_DEFAULT_TIMEZONE", DEFAULT_TIMEZONE),
        help="zone of the other sites (BI_DEFAULT_TIMEZONE; Asia/Shanghai)",
    )
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="empty the tables and read the topics again from offset 0",
    )
    run.add_argument("--follow", action="store_true", help="keep syncing until stopped")
    run.add_argument(
        "--interval",
        type=float,
        default=5.0,
        help="seconds between syncs with --follow (default 5)",
    )

    for name in ("arrears", "receivable"):
        table = commands.add_parser(name, help=f"print the {name} table as CSV")
        table.add_argument(
            "--as-of",
            type=date.fromisoformat,
            required=True,
            help="business date (YYYY-MM-DD): the table at the end of that day",
        )
        table.add_argument("--site", help="only this site id")
        if name == "receivable":
            table.add_argument("--period", help="only this period (YYYY-MM)")
    arguments = parser.parse_args(argv)
    if arguments.command == "sync" and not arguments.topics:
        arguments.topics = env("BI_TOPICS", "concierge.billing.v1").split(",")
    return arguments


async def _sync(arguments: argparse.Namespace) -> None:
    calendar = SiteCalendar(arguments.site_timezones, arguments.default_timezone)
    schemas = EventSchemas(arguments.schemas)
    store = Store(arguments.database, schemas, calendar, rebuild=arguments.rebuild)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    try:
        while not stop.is_set():
            tally = await sync(
                store,
                bootstrap_servers=arguments.bootstrap_servers,
                topics=arguments.topics,
                stop=stop,
            )
            log.info(
                "synced %s: %d applied, %d duplicates skipped, %d rejected",
                ", ".join(arguments.topics),
                tally.applied,
                tally.duplicates,
                tally.rejected,
            )
            if tally.rejected:
                log.warning("%d message(s) rejected: SELECT * FROM bi_rejected", tally.rejected)
            if not arguments.follow:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), arguments.interval)
    finally:
        store.close()


def _print_table(arguments: argparse.Namespace) -> None:
    query = f"SELECT * FROM {arguments.command}(?) WHERE (? IS NULL OR site_id = ?::UUID)"
    parameters: list[object] = [arguments.as_of, arguments.site, arguments.site]
    if arguments.command == "receivable":
        query += " AND (? IS NULL OR period = ?)"
        parameters += [arguments.period, arguments.period]
    query += " ORDER BY ALL"
    with duckdb.connect(arguments.database, read_only=True) as db:
        result = db.execute(query, parameters)
        out = csv.writer(sys.stdout)
        out.writerow(column[0] for column in result.description)
        out.writerows(result.fetchall())


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(message)s"
    )
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    arguments = _arguments(sys.argv[1:] if argv is None else argv)
    try:
        if arguments.command == "sync":
            asyncio.run(_sync(arguments))
        else:
            _print_table(arguments)
    except (SettingsChanged, Stalled, KafkaError, duckdb.IOException, OSError) as exc:
        log.error("%s: %s", type(exc).__name__, exc)  # no traceback: what to fix is said
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
