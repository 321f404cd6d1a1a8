"""The compose stack under test (deploy/compose) and the faults done to it.

Containers are found by their compose labels (Compose v1 or v2); a crash is a SIGKILL
of the container's main process from the host, so Docker's restart policy, not the
test, brings it back.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass

import httpx

from tests.infra import ROOT


@dataclass(frozen=True)
class ComposeStack:
    project: str
    gateway_url: str
    database_url: str
    kafka: str

    @classmethod
    def from_environment(cls) -> ComposeStack:
        return cls(
            os.environ["CONCIERGE_COMPOSE_PROJECT"],
            os.environ["CONCIERGE_GATEWAY_URL"],
            os.environ["DATABASE_URL"],
            os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        )

    @property
    def network(self) -> str:
        # Compose v1 strips the dash from project names in network names; v2 keeps it.
        names = docker("network", "ls", "--format", "{{.Name}}").split()
        return next(
            n for n in names if n.replace("-", "") == f"{self.project}_concierge".replace("-", "")
        )

    def container(self, service: str) -> str:
        """The id of the compose service's container (e.g. "kafka-2", "visitor-1")."""
        ids = docker("ps", "-aq", "--filter", f"label=com.docker.compose.project={self.project}",
                     "--filter", f"label=com.docker.compose.service={service}").split()  # fmt: skip
        if len(ids) != 1:
            raise AssertionError(f"expected one container for {service}, found {ids}")
        return ids[0]

    def state(self, service: str) -> dict:
        return json.loads(docker("inspect", "--format", "{{json .State}}", self.container(service)))

    def crash(self, service: str) -> None:
        """SIGKILL the service's main process, as a crash would (not `docker kill`, which
        Docker counts as a manual stop and does not restart)."""
        os.kill(self.state(service)["Pid"], signal.SIGKILL)

    def restart(self, service: str) -> None:
        docker("restart", "--time", "10", self.container(service))

    def disconnect(self, service: str) -> None:
        docker("network", "disconnect", self.network, self.container(service))

    def reconnect(self, service: str) -> None:
        docker("network", "connect", "--alias", service, self.network, self.container(service))

    def wait_healthy(self, services: list[str], timeout: float = 240) -> None:
        """Every service running and healthy again, then the gateway ready."""
        deadline = time.monotonic() + timeout
        while True:
            states = {s: self.state(s) for s in services}
            unhealthy = [s for s, st in states.items()
                         if not st["Running"] or st.get("Health", {}).get("Status") != "healthy"]  # fmt: skip
            if not unhealthy and ready(self.gateway_url):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"not restored within {timeout}s: {unhealthy}")
            time.sleep(1)


SERVICES = [
    "postgres", "kafka-1", "kafka-2", "kafka-3", "gateway",
    *(f"{s}-{r}" for s in ("visitor", "mail", "workorder", "billing", "feedback", "tenancy") for r in (1, 2)),
]  # fmt: skip


def ready(gateway_url: str) -> bool:
    try:
        return httpx.get(f"{gateway_url}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def docker(*args: str) -> str:
    return subprocess.run(
        ["docker", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
