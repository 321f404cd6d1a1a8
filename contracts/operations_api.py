"""Methods every service answers: its health (`Ping`) and the business clock (`SetClock`).

Each context's `*_api.py` names them for its service (`PING = ping("workorder")`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel

from contracts.clock_api import ClockChange
from contracts.methods import Empty, Method, Request

Probe = Literal["ok", "unreachable", "unknown"]


class ConsumerHealth(BaseModel):
    """What one projection or reaction runner last found out about itself."""

    name: str
    running: bool
    kafka: Probe
    database: Probe
    lag: int
    lagging: bool
    dead_letters: int
    dead_letters_by_reason: dict[str, int]
    checked_at: AwareDatetime | None


class HealthReport(BaseModel):
    """`unavailable` when the service's database does not answer, `degraded` when it
    serves but a read model may be stale or incomplete, else `ready` (runtime.health)."""

    service: str
    time: AwareDatetime
    status: Literal["ready", "degraded", "unavailable"]
    kafka: Probe
    database: Probe
    problems: list[str]
    projections: list[ConsumerHealth]


class ClockRequest(Request):
    payload: ClockChange


class ClockNow(BaseModel):
    now: datetime


def ping(service: str) -> Method[Empty, HealthReport]:
    return Method(service, "Ping", Empty, HealthReport, read=True)


def set_clock(service: str) -> Method[ClockRequest, ClockNow]:
    return Method(service, "SetClock", ClockRequest, ClockNow)
