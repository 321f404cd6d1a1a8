"""The one clock every business date and time comes from.

Tests and the demo set or advance it so day ends, deadlines and month ends can be
exercised without waiting. Every value is timezone-aware; day boundaries are taken
in the site's own zone.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"


class Clock:
    """Real time shifted by an offset that tests and the demo may change."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def set(self, moment: datetime) -> None:
        """Make `now()` return `moment` from here on (then keep ticking)."""
        if moment.tzinfo is None:
            raise ValueError("the clock only takes timezone-aware datetimes")
        with self._lock:
            self._offset = moment - datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._offset += delta

    def reset(self) -> None:
        with self._lock:
            self._offset = timedelta(0)

    def today(self, timezone: str = DEFAULT_TIMEZONE) -> date:
        """The business date at the site, in the site's zone."""
        return self.now().astimezone(ZoneInfo(timezone)).date()


def local_date(moment: datetime, timezone: str = DEFAULT_TIMEZONE) -> date:
    """The calendar date of `moment` at a site in `timezone`."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def end_of_day(day: date, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """The first instant after `day` ends at the site (its local midnight)."""
    zone = ZoneInfo(timezone)
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)


clock = Clock()


def apply_change(change: object) -> datetime:
    """Apply a `contracts.clock_api.ClockChange` to the process clock; the new now."""
    set_to = getattr(change, "set_to", None)
    advance = getattr(change, "advance_seconds", None)
    if getattr(change, "reset", False):
        clock.reset()
    elif set_to is not None:
        clock.set(set_to)
    elif advance is not None:
        clock.advance(timedelta(seconds=advance))
    return clock.now()
