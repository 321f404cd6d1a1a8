"""Running a service: its parts as asyncio tasks in one process, stopped on a signal.

Each service's `__main__` lists its parts (gRPC API, outbox relay, projections,
schedulers); `--only` runs a subset, so a relay or a projection can run and be
killed on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

Part = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


async def run_parts(parts: dict[str, Part], only: list[str] | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    chosen = {name: part for name, part in parts.items() if not only or name in only}
    tasks = [asyncio.create_task(part(stop), name=name) for name, part in chosen.items()]
    logging.getLogger(__name__).info("running %s", ", ".join(chosen))
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if task.exception():
            raise task.exception()  # type: ignore[misc]


def parse_args(parts: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "rebuild"])
    parser.add_argument("--only", action="append", choices=parts, help="run only these parts")
    return parser.parse_args()
