"""A private, durable PostgreSQL for the bench's second profile.

The compose stack's server flushes every commit to disk (`fsync`, `synchronous_commit`
and `full_page_writes` on); the local stack the tests share trades that for speed. The
durable profile runs the same benchmarks on a server of its own with the compose
stack's settings: initdb into a temporary directory on disk, started on a free port,
stopped and removed afterwards. The shared server is never touched or restarted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.infra import free_port

# As deploy/compose/docker-compose.yml starts its PostgreSQL.
DURABLE_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "wal_compression": "on",
    "max_connections": "300",
    "shared_buffers": "256MB",
}


def pg_bindir() -> Path:
    """The newest installed PostgreSQL's binaries (as deploy/local/_lib.sh finds them)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name))  # fmt: skip
    if not found:
        raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql")
    return found[-1].parent


def _as_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def durable_postgres() -> Iterator[str]:
    """A database URL on a private durable PostgreSQL, for the duration of the block."""
    bindir, port = pg_bindir(), free_port()
    root = Path(tempfile.mkdtemp(prefix="concierge-bench-pg-"))
    data, log = root / "data", root / "postgres.log"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    run = lambda *cmd: subprocess.run(_as_owner([str(bindir / cmd[0]), *cmd[1:]]),  # noqa: E731
                                      check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        run("initdb", "-D", str(data), "-U", "concierge", "-E", "UTF8", "--locale=C",
            "--auth=trust")  # fmt: skip
        options = " ".join(f"-c {k}={v}" for k, v in DURABLE_SETTINGS.items())
        run("pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} {options}", "start")  # fmt: skip
        try:
            run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "concierge", "concierge")
            yield f"postgresql://concierge@127.0.0.1:{port}/concierge"
        finally:
            run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
