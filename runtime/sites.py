"""Per-site time zones: day and month boundaries are taken in the site's own zone."""

from __future__ import annotations

import json
import os
from functools import cache
from uuid import UUID

from runtime.clock import DEFAULT_TIMEZONE


def site_timezone(site_id: UUID | str) -> str:
    """The zone of a site from CONCIERGE_SITE_TIMEZONES (JSON {site_id: zone})."""
    zones = _zones(os.environ.get("CONCIERGE_SITE_TIMEZONES") or "{}")
    return zones.get(str(site_id), DEFAULT_TIMEZONE)


@cache
def _zones(setting: str) -> dict[str, str]:
    # Parsed once per value: projections ask for every event they fold.
    return {str(site): str(zone) for site, zone in json.loads(setting).items()}
