"""Watchlist alerts: the site's supervisor always, the group's for a group-wide entry;
acknowledged once with what was done."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from runtime.errors import Conflict
from services.visitor.contract import contract_for
from services.visitor.watchlist_alert import WatchlistAlert

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("group_wide", "notify"),
    [(False, ["site_supervisor"]), (True, ["site_supervisor", "group_supervisor"])],
)
def test_a_match_alerts_the_sites_supervisor_and_the_groups_for_a_group_entry(
    group_wide: bool, notify: list[str]
) -> None:
    alert = WatchlistAlert.raise_for(site_id=uuid4(), group_wide=group_wide,
                                     visitor_name="Mallory", host_unit="8B", visit_id=None,
                                     at=NOW)  # fmt: skip
    assert alert.notify == notify
    alert.acknowledge(acknowledged_by="Sun", action="escorted out", at=NOW)
    with pytest.raises(Conflict, match="acknowledged by Sun"):
        alert.acknowledge(acknowledged_by="Li", action="again", at=NOW)
    published = [contract_for(e) for e in alert.collect_events()]
    assert [type(p).__name__ for p in published] == [
        "WatchlistAlertRaised",
        "WatchlistAlertAcknowledged",
    ]
    assert published[0].notify == notify  # type: ignore[union-attr]
