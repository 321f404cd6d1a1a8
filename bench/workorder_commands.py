"""Work-order commands through the gRPC API: report + dispatch pairs per second.

Baseline in the same run: the raw eventsourcing save rate, one new aggregate per
transaction from as many threads as the gRPC run has clients, straight into the same
kind of Postgres store (no gRPC, no validation, no number series). The ratio is what
the API, validation, loading and the number series cost on top of the store.

Beside the rates, the CPU each side needs per command: the service process's and the
gRPC client's (the bench process) against the raw saves' per save. On a loaded machine
the CPU figures hold better than the rates (a path needing more CPU waits longer for it).
And the same for as many `Ping`s: a gRPC call doing nothing, the floor under a command.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from contracts import workorder_api as api
from contracts.methods import Empty, SiteCommand
from runtime.errors import ServiceUnavailable
from runtime.rpc import RpcClient
from services.workorder.application import WorkOrderApplication, WorkOrderSettings
from services.workorder.domain import WorkOrder
from tests.infra import free_port, process

PAIRS = 1000
WORKERS = 8
SITES = 8  # dispatches of one site serialise on its number series


def raw_saves(infra: Any, count: int) -> float:
    """Saves/s of `count` new work orders from WORKERS threads, like the gRPC clients (one
    thread alone would wait out every commit serially: on a durable server, fsync)."""
    app = WorkOrderApplication(
        WorkOrderSettings(
            database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
            concierge_namespace=f"{infra.namespace}bench_raw_",
        )
    )  # fmt: skip
    site, now = uuid4(), datetime.now(UTC)

    def save(n: int) -> None:
        for _ in range(n):
            app.save(
                WorkOrder(
                    site_id=site, source="patrol", category="hvac", location="B2", unit=None,
                    tenant=None, content="noisy fan", reporter="bench", complaint_id=None,
                    at=now,
                )
            )  # fmt: skip

    threads = [threading.Thread(target=save, args=(count // WORKERS,)) for _ in range(WORKERS)]
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saves = count // WORKERS * WORKERS
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    app.close()
    return saves / seconds, cpu / saves


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


Timing = tuple[float, float, float]  # calls/s, the service's and the client's CPU s/call


async def timed(service_pid: int, calls: int, run: Callable[[], Awaitable[Any]]) -> Timing:
    started, service_cpu, cpu = time.perf_counter(), process_cpu(service_pid), time.process_time()
    await run()
    seconds = time.perf_counter() - started
    service_cpu, cpu = process_cpu(service_pid) - service_cpu, time.process_time() - cpu
    return calls / seconds, service_cpu / calls, cpu / calls


async def through_grpc(port: int, service_pid: int) -> tuple[Timing, Timing]:
    """The commands through the API; then as many `Ping`s (the cost of a gRPC call alone,
    the floor under every command)."""
    client = RpcClient(f"127.0.0.1:{port}", "workorder", timeout=30)
    sites = [uuid4() for _ in range(SITES)]
    report = api.ReportRepair(source="tenant_phone", category="plumbing", location="12F",
                              content="leak", reporter="bench")  # fmt: skip
    dispatch = api.DispatchRepair(team="engineering", urgency="normal")
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(PAIRS):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            site = sites[queue.get_nowait() % SITES]
            order = await client(api.REPORT, SiteCommand(site_id=site, payload=report))
            await client(
                api.DISPATCH,
                api.OnWorkOrder(site_id=site, work_order_id=order.work_order_id, payload=dispatch),
            )

    async def pinger() -> None:
        for _ in range(2 * PAIRS // WORKERS):
            await client(api.PING, Empty())

    deadline = time.monotonic() + 120
    while True:  # the service starts (imports, store, port) in a few seconds, more under load
        try:
            await client(api.PING, Empty())
            break
        except ServiceUnavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)
    calls = 2 * PAIRS
    commands = await timed(
        service_pid, calls, lambda: asyncio.gather(*(worker() for _ in range(WORKERS)))
    )
    pings = await timed(
        service_pid,
        calls // WORKERS * WORKERS,
        lambda: asyncio.gather(*(pinger() for _ in range(WORKERS))),
    )
    await client.close()
    return commands, pings


def measure(infra: Any) -> dict[str, Any]:
    port = free_port()
    env = infra.env(
        CONCIERGE_NAMESPACE=f"{infra.namespace}bench_wo_", WORKORDER_GRPC_PORT=str(port)
    )
    with process(["-m", "services.workorder", "--only", "api"], env, "bench-workorder") as service:
        (commands, service_cpu, client_cpu), pings = asyncio.run(through_grpc(port, service.pid))
    raw, raw_cpu = raw_saves(infra, 2 * PAIRS)
    return {
        "commands": 2 * PAIRS,
        "grpc_commands_per_s": round(commands),
        "raw_eventsourcing_saves_per_s": round(raw),
        "grpc_vs_raw_ratio": round(commands / raw, 3),
        "service_cpu_us_per_command": round(service_cpu * 1e6),
        "client_cpu_us_per_command": round(client_cpu * 1e6),
        "raw_cpu_us_per_save": round(raw_cpu * 1e6),
        "grpc_vs_raw_cpu_ratio": round(raw_cpu / (service_cpu + client_cpu), 3),
        "grpc_pings_per_s": round(pings[0]),
        "service_cpu_us_per_ping": round(pings[1] * 1e6),
        "client_cpu_us_per_ping": round(pings[2] * 1e6),
    }
