"""Operator commands every service has, beside `serve`: rebuild the read model online,
and look after dead letters.

    python -m services.<context> rebuild
    python -m services.<context> dead-letters list [--projection P] [--all]
    python -m services.<context> dead-letters replay [--projection P]
    python -m services.<context> dead-letters dismiss --id N [--id N ...]

Output is JSON, one object per line. `replay` re-applies unresolved dead letters
through the projection's normal path after a fix (reactions issue their commands
again, idempotently); `dismiss` resolves without applying, for messages that must never
apply (another site's reference, a forged envelope).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from runtime import deadletters
from runtime.errors import ConciergeError
from runtime.projection import ProjectionRunner
from runtime.rebuild import rebuild_online

if TYPE_CHECKING:
    from runtime.service import ServiceSpec


def add_operator_commands(commands: Any) -> None:
    """The sub-commands, on the service's argparse sub-parsers."""
    commands.add_parser("rebuild", help="rebuild the read model from offset 0, online")
    letters = commands.add_parser("dead-letters", help="list, replay or dismiss dead letters")
    letters.add_argument("action", choices=["list", "replay", "dismiss"])
    letters.add_argument("--projection", help="only this projection or reaction")
    letters.add_argument("--all", action="store_true", help="list resolved ones too")
    letters.add_argument("--id", type=int, action="append", default=[], dest="ids",
                         help="dismiss: the dead letter's id (repeatable)")  # fmt: skip


async def run_operator_command(spec: ServiceSpec, args: argparse.Namespace) -> int:
    """Run one operator command; the process's exit status."""
    try:
        if args.command == "rebuild":
            settings = spec.settings
            report = await rebuild_online(
                spec.read_model,
                topics=[settings.topic(spec.topic)],
                database_url=settings.database_url,
                bootstrap_servers=settings.kafka_bootstrap_servers,
                schema=spec.read_schema,
            )
            _print(report)
            return 0
        return await _dead_letters(spec, args)
    except ConciergeError as exc:
        _print({"error": exc.message})
        return 1


async def _dead_letters(spec: ServiceSpec, args: argparse.Namespace) -> int:
    # Any of the service's runners reaches the one schema its consumers share.
    store = spec.read_model_runner()
    pool = await store.connect()
    try:
        if args.action == "list":
            async with pool.acquire() as conn:
                for letter in await deadletters.listing(
                    conn, args.projection, unresolved_only=not args.all
                ):
                    _print(letter)
            return 0
        if args.action == "dismiss":
            if not args.ids:
                _print({"error": "dismiss needs --id"})
                return 2
            async with pool.acquire() as conn:
                dismissed = await deadletters.resolve(conn, args.ids, "dismissed")
            _print({"dismissed": dismissed})
            return 0
        async with pool.acquire() as conn:
            waiting = {d["projection"] for d in await deadletters.listing(conn, args.projection)}
        failed = False
        for runner in _runners(spec, waiting):
            try:
                outcome = await runner.replay_dead_letters()
            finally:
                await runner.close()
            _print({"projection": runner.projection.name, **outcome})
            failed = failed or bool(outcome.get("still_dead") or outcome.get("missing"))
        return 1 if failed else 0
    finally:
        await store.close()


def _runners(spec: ServiceSpec, names: set[str]) -> list[ProjectionRunner]:
    """Runners for the named consumers; the application only when a reaction needs it."""
    runners = [spec.read_model_runner()] if spec.read_model.name in names else []
    if names - {spec.read_model.name}:
        reactions = spec.reaction_runners(spec.make_app())
        runners += [r for r in reactions.values() if r.projection.name in names]
    return runners


def _print(row: dict[str, Any]) -> None:
    print(json.dumps(row, default=str), flush=True)
