"""Luggage held at the desk (no I/O), by tag: deposited, collected with the tag, and the
list of what the desk holds.

Seed 002, 接待的流程和规范服务: "如客户有行李应征得客户同意后由司机帮忙把行李搬运到前台暂时
保管". Seed 000, 禮賓員: "協助搬運客戶行李及物品 ... 注意保護客戶物品安全,避免損壞";
安全管理: "嚴格執行相關保管和交接制度,防止丟失或被盜" (every hand-over recorded).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from runtime.aggregate import SiteAggregate
from runtime.errors import Conflict


class LuggageTag(SiteAggregate):
    """One of a site's luggage tags: it holds one deposit at a time, and is used again
    once the deposit is collected."""

    @classmethod
    def create_id(cls, site_id: UUID, tag: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"concierge:visitor:luggage-tag:{site_id}:{tag}")

    @event("Issued")
    def __init__(self, site_id: UUID, tag: str) -> None:
        self.site_id = site_id
        self.tag = tag
        self.deposits = 0
        self.last: dict[str, Any] | None = None  # the latest deposit, held or collected

    def deposit(
        self, *, owner_name: str, pieces: int, description: str, deposited_by: str, at: datetime
    ) -> UUID:
        """The desk takes luggage into its keeping under a free tag; the deposit's id."""
        if self.held:
            raise Conflict(f"tag {self.tag} holds {self.held['owner_name']}'s luggage")
        number = self.deposits + 1
        deposit_id = uuid5(self.id, str(number))
        self._deposited(
            deposit_id=deposit_id,
            tag=self.tag,
            owner_name=owner_name,
            pieces=pieces,
            description=description,
            deposited_by=deposited_by,
            at=at,
        )
        return deposit_id

    @event("Deposited")
    def _deposited(
        self,
        deposit_id: UUID,
        tag: str,
        owner_name: str,
        pieces: int,
        description: str,
        deposited_by: str,
        at: datetime,
    ) -> None:
        self.deposits += 1
        self.last = {
            "deposit_id": deposit_id,
            "owner_name": owner_name,
            "pieces": pieces,
            "description": description,
            "deposited_by": deposited_by,
            "deposited_at": at,
            "collected_by": None,
            "collected_at": None,
        }

    @property
    def held(self) -> dict[str, Any] | None:
        """The deposit the tag holds now, if any."""
        return self.last if self.last and self.last["collected_at"] is None else None

    def collect(self, *, collected_by: str, at: datetime) -> None:
        """The luggage goes back against its tag, signed for by name, once."""
        if not self.held:
            raise Conflict(f"tag {self.tag} holds no luggage")
        self._collected(
            deposit_id=self.held["deposit_id"], tag=self.tag, collected_by=collected_by, at=at
        )

    @event("Collected")
    def _collected(self, deposit_id: UUID, tag: str, collected_by: str, at: datetime) -> None:
        assert self.last is not None
        self.last |= {"collected_by": collected_by, "collected_at": at}
