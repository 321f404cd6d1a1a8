"""The local runner behind `make run` (deploy/local/supervisord.conf): a service killed
with SIGKILL is started again while the others keep serving, and Ctrl-C (SIGINT) stops
every process cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import SERVICES, suite_env
from tests.infra import ROOT, wait_http

CONF = ROOT / "deploy" / "local" / "supervisord.conf"
BIN = Path(sys.executable).parent


def test_a_killed_service_is_started_again_and_ctrl_c_stops_all(infra, tmp_path) -> None:  # type: ignore[no-untyped-def]
    suite = suite_env(infra, CONCIERGE_NAMESPACE=f"{infra.namespace}runner_")  # not the stack's
    env = {**os.environ, **suite, "CONCIERGE_STATE_DIR": str(tmp_path),
           "CONCIERGE_PYTHON": sys.executable}  # fmt: skip
    for directory in ("run", "logs/services"):
        (tmp_path / directory).mkdir(parents=True)

    def ctl(*args: str) -> str:
        done = subprocess.run([BIN / "supervisorctl", "-c", CONF, *args], env=env,
                              capture_output=True, text=True)  # fmt: skip
        return done.stdout.strip()

    seen: set[int] = set()  # every process the runner started, to clean up after a failure

    def pids() -> dict[str, int]:
        """The pid of each RUNNING process, from `status` lines like
        `billing   RUNNING   pid 4242, uptime 0:00:07`."""
        lines = [line.split() for line in ctl("status").splitlines()]
        found = {f[0]: int(f[3].rstrip(",")) for f in lines if f[1:3] == ["RUNNING", "pid"]}
        seen.update(found.values())
        return found

    readyz = f"http://127.0.0.1:{env['GATEWAY_PORT']}/readyz"
    with open(tmp_path / "terminal.log", "wb") as terminal:
        runner = subprocess.Popen([BIN / "supervisord", "-c", CONF], cwd=ROOT, env=env,
                                  stdout=terminal, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            wait_http(readyz, timeout=120)
            every = sorted((*SERVICES, "gateway"))
            wait_until(lambda: sorted(pids()) == every)  # up for `startsecs`: RUNNING
            before = pids()
            os.kill(before["billing"], signal.SIGKILL)
            killed_at = time.monotonic()
            restarted = wait_until(
                lambda: pids().get("billing", before["billing"]) != before["billing"]
            )
            wait_http(readyz, timeout=120)
            ready_again = time.monotonic() - killed_at
            after = pids()
            assert {n: p for n, p in after.items() if n != "billing"} == {
                n: p for n, p in before.items() if n != "billing"
            }, "the other processes kept running"

            runner.send_signal(signal.SIGINT)  # Ctrl-C
            assert runner.wait(timeout=60) == 0
            left = [name for name, pid in after.items() if running(pid)]
        finally:
            if runner.poll() is None:  # the test failed: stop the runner and what it runs
                runner.terminate()
                try:
                    runner.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    runner.kill()
                    runner.wait()
            for pid in filter(running, seen):
                os.kill(pid, signal.SIGKILL)
    print(f"\nbilling started again {restarted:.1f} s after kill -9, the suite ready again "
          f"{ready_again:.1f} s after")  # fmt: skip
    assert left == [], "Ctrl-C stopped every process"
    assert "billing" in (tmp_path / "logs" / "services" / "billing.log").read_text()


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until(predicate, timeout: float = 60) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "condition not met"
        time.sleep(0.1)
    return time.monotonic() - started
