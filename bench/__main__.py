"""`make bench`: run every benchmark against the real infrastructure, print figures and
ratios, and write them to bench/results.json.

Two profiles, each figure beside the baseline measured in the same profile and run:
- `fast`: the PostgreSQL the tests share (fsync and synchronous commit off);
- `durable`: a private PostgreSQL with the compose stack's settings (fsync, synchronous
  commit and full-page writes on; `bench.durable_pg`), started on a free port.
Kafka is the shared broker in both. Every figure notes the 1-minute load average when it
was taken: on a shared machine the ratios hold better than the rates.

    python -m bench [--profiles fast,durable] [--only relay,billing_run,...]
                    [--units 100000] [--out bench/results.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import billing_run, checkin_latency, projection_rebuild, relay, workorder_commands
from bench.durable_pg import DURABLE_SETTINGS, durable_postgres
from tests.conftest import Infra
from tests.infra import provided_infra

FIGURES = ("relay", "projection_rebuild", "checkin_latency", "workorder_commands", "billing_run")
PROFILES = ("fast", "durable")


def noted(figures: dict[str, Any]) -> dict[str, Any]:
    return {**figures, "load_average_1m": round(os.getloadavg()[0], 1)}


def billing_in_own_process(infra: Infra, units: int) -> dict[str, Any]:
    """The billing run in a process of its own, so its peak RSS is the run's alone."""
    env = {**os.environ, **infra.env(), "BENCH_UNITS": str(units)}
    child = subprocess.Popen([sys.executable, "-m", "bench.billing_run"], env=env,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"billing run failed ({child.returncode})")
    figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    figures["peak_rss_mib"] = round(usage.ru_maxrss / 1024)  # Linux: KiB
    figures["peak_rss_limit_mib"] = 2048
    return figures


def run_profile(infra: Infra, only: set[str], units: int) -> dict[str, Any]:
    results: dict[str, Any] = {}

    def step(name: str, measure: Callable[[], dict[str, Any]]) -> None:
        if name in only:
            try:
                results[name] = noted(measure())
            except Exception as exc:  # the other figures are still worth having
                results[name] = noted({"error": f"{type(exc).__name__}: {exc}"})
            print(f"{name}:", results[name], flush=True)

    topic: dict[str, str] = {}

    def relay_step() -> dict[str, Any]:
        figures = asyncio.run(relay.measure(infra))
        topic["relay"] = figures["topic"]
        return figures

    step("relay", relay_step)
    if "projection_rebuild" in only and "relay" not in topic:  # the rebuild reads its topic
        topic["relay"] = asyncio.run(relay.measure(infra))["topic"]
    step("projection_rebuild",
         lambda: asyncio.run(projection_rebuild.measure(infra, topic["relay"])))  # fmt: skip
    step("checkin_latency", lambda: checkin_latency.measure(infra))
    step("workorder_commands", lambda: workorder_commands.measure(infra))
    step("billing_run", lambda: billing_in_own_process(infra, units))
    return results


@contextlib.contextmanager
def database(profile: str, shared_url: str) -> Iterator[str]:
    if profile == "durable":
        with durable_postgres() as url:
            yield url
    else:
        yield shared_url


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--profiles", default=",".join(PROFILES))
    parser.add_argument("--only", default=",".join(FIGURES))
    parser.add_argument("--units", type=int, default=billing_run.UNITS)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results.json")
    args = parser.parse_args()
    only = set(args.only.split(","))
    results: dict[str, Any] = {"profiles": {}}
    with provided_infra() as (shared_url, kafka):
        for profile in args.profiles.split(","):
            with database(profile, shared_url) as url:
                infra = Infra(url, kafka, f"b{uuid.uuid4().hex[:8]}_")
                print(f"== profile {profile}", flush=True)
                figures = run_profile(infra, only, args.units)
            settings = DURABLE_SETTINGS if profile == "durable" else {
                "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}  # fmt: skip
            results["profiles"][profile] = {"postgres": settings, **figures}
            results["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
            results["measured_at"] = datetime.now(UTC).isoformat()
            args.out.write_text(json.dumps(results, indent=2) + "\n")  # after each profile
            print(f"wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
