"""`make bench`: run every benchmark against the real infrastructure, print figures and
ratios, and write them to bench/results.json."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench import billing_run, checkin_latency, projection_rebuild, relay, workorder_commands
from tests.conftest import Infra
from tests.infra import provided_infra


async def run_async(infra: Infra) -> dict:
    relay_figures = await relay.measure(infra)
    print("relay:", relay_figures, flush=True)
    rebuild_figures = await projection_rebuild.measure(infra, relay_figures["topic"])
    print("projection rebuild:", rebuild_figures, flush=True)
    return {"relay": relay_figures, "projection_rebuild": rebuild_figures}


def main() -> None:
    with provided_infra() as (database_url, kafka):
        infra = Infra(database_url, kafka, f"b{uuid.uuid4().hex[:8]}_")
        results = asyncio.run(run_async(infra))
        results["checkin_latency"] = checkin_latency.measure(infra)
        print("check-in latency:", results["checkin_latency"], flush=True)
        results["workorder_commands"] = workorder_commands.measure(infra)
        print("work-order commands:", results["workorder_commands"], flush=True)
        results["billing_run"] = billing_run.measure(infra)
        print("billing run:", results["billing_run"], flush=True)
    results["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    results["measured_at"] = datetime.now(UTC).isoformat()
    path = Path(__file__).parent / "results.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
