"""The site directory: a name for each site id, so no screen shows a site's UUID.

Set from configuration (`CONSOLE_SITES`, JSON `{site_id: name}`); the demo's two sites
have their names by default. A site without a name is shown by the start of its id.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from runtime.auth import Principal
from runtime.sites import site_timezone

DEMO_SITES = {
    UUID("5a1e0000-0000-4000-8000-00000000000a"): "Shanghai Tower A",
    UUID("5a1e0000-0000-4000-8000-00000000000b"): "Hangzhou Park B",
}


@dataclass(frozen=True)
class Site:
    id: UUID
    name: str
    timezone: str  # dates and times on screen are the site's (runtime.sites)


class SiteDirectory:
    def __init__(self, names: dict[str, str]) -> None:
        self._names = {**DEMO_SITES, **{UUID(site): name for site, name in names.items()}}

    def site(self, site_id: UUID) -> Site:
        name = self._names.get(site_id) or f"{str(site_id)[:8]}…"
        return Site(site_id, name, site_timezone(site_id))

    def sites_of(self, who: Principal) -> list[Site]:
        """The sites a person may pick: their own, or every named site for group-wide staff."""
        ids = set(who.sites) | (set(self._names) if who.group_wide else set())
        return sorted((self.site(site) for site in ids), key=lambda s: s.name)
