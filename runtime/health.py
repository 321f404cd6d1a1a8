"""Health of a service: what its projections know of Kafka, Postgres, lag and dead letters.

Each projection runner refreshes its `ProjectionHealth` every few seconds in the
background (end offsets from Kafka, unresolved dead letters from Postgres), so the
`Ping` a service answers, and the gateway's `/readyz` built from the Pings, read memory
only and stay fast however often they are polled.

A service is `unavailable` when its database does not answer (it can neither take
commands nor answer queries), `degraded` when it still serves but a read model may be
stale or incomplete (Kafka unreachable, a projection stopped or lagging past the
threshold, unresolved dead letters), else `ready`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.methods import CallContext, Empty
from contracts.operations_api import HealthReport, ping
from runtime.clock import clock
from runtime.rpc import RpcService

READY, DEGRADED, UNAVAILABLE = "ready", "degraded", "unavailable"
OK, UNREACHABLE, UNKNOWN = "ok", "unreachable", "unknown"


@dataclass
class ProjectionHealth:
    """What one projection (or reaction) runner last found out about itself."""

    name: str
    running: bool = False
    kafka: str = UNKNOWN
    database: str = UNKNOWN
    lag: dict[str, int] = field(default_factory=dict)  # "topic/partition" -> messages behind
    dead_letters: dict[str, int] = field(default_factory=dict)  # unresolved, by reason
    checked_at: datetime | None = None

    def problems(self, lag_threshold: int) -> list[str]:
        found = []
        if not self.running:
            found.append(f"{self.name} is not running")
        elif self.checked_at is None:
            found.append(f"{self.name} is starting")
        if self.kafka == UNREACHABLE:
            found.append(f"{self.name} cannot reach Kafka")
        if self.database == UNREACHABLE:
            found.append(f"{self.name} cannot reach PostgreSQL")
        behind = sum(self.lag.values())
        if behind > lag_threshold:
            found.append(f"{self.name} is {behind} messages behind (threshold {lag_threshold})")
        if dead := sum(self.dead_letters.values()):
            reasons = ", ".join(f"{n} {r}" for r, n in sorted(self.dead_letters.items()))
            found.append(f"{self.name} has {dead} unresolved dead letter(s): {reasons}")
        return found

    def view(self, lag_threshold: int) -> dict[str, Any]:
        return {
            "name": self.name,
            "running": self.running,
            "kafka": self.kafka,
            "database": self.database,
            "lag": sum(self.lag.values()),
            "lagging": sum(self.lag.values()) > lag_threshold,
            "dead_letters": sum(self.dead_letters.values()),
            "dead_letters_by_reason": self.dead_letters,
            "checked_at": self.checked_at,
        }


@dataclass
class ServiceHealth:
    """The health parts one service process knows: its projections and reactions."""

    service: str
    projections: list[ProjectionHealth]
    lag_threshold: int

    def report(self) -> dict[str, Any]:
        problems = [p for h in self.projections for p in h.problems(self.lag_threshold)]
        if any(h.database == UNREACHABLE for h in self.projections):
            status = UNAVAILABLE
        else:
            status = DEGRADED if problems else READY
        return {
            "service": self.service,
            "time": clock.now(),
            "status": status,
            "kafka": _worst(h.kafka for h in self.projections),
            "database": _worst(h.database for h in self.projections),
            "problems": problems,
            "projections": [h.view(self.lag_threshold) for h in self.projections],
        }


def _worst(states: Any) -> str:
    seen = set(states)
    for state in (UNREACHABLE, UNKNOWN, OK):
        if state in seen:
            return state
    return UNKNOWN  # no projection runs in this process


def add_health(rpc: RpcService, health: ServiceHealth) -> None:
    """`Ping`: the service's health parts (read by the gateway's /readyz)."""

    @rpc.implements(ping(rpc.name))
    async def answer_ping(request: Empty, call: CallContext) -> HealthReport:
        return HealthReport.model_validate(health.report())
