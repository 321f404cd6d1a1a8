"""Read model of the building services (part of the visitor read model): one
`service_orders` row per laundry order, catering order or business-centre slip, keyed
by its aggregate and filed by site and business date (the local date a laundry request
or slip was taken, a catering order's delivery date), with the monthly laundry pickup
statistic (seed 001: 洗衣单位应在接到电话30分钟内来收取客衣).
"""

from __future__ import annotations

import json
from calendar import monthrange
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from uuid import UUID

import asyncpg

from contracts import visitor as ev
from runtime.clock import local_date
from runtime.readmodel import Keys, RowSet
from runtime.sites import site_timezone
from services.visitor.laundry import PICKUP_WITHIN

SERVICE_ORDERS_SQL = """
CREATE TABLE IF NOT EXISTS service_orders (
    order_id uuid PRIMARY KEY,
    site_id uuid NOT NULL,
    service text NOT NULL,
    unit text NOT NULL,
    customer_name text NOT NULL,
    business_date date NOT NULL,
    items jsonb NOT NULL,
    amount numeric NOT NULL,
    status text NOT NULL,
    description text,
    taken_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    rewash_of uuid,
    picked_up_by text,
    picked_up_at timestamptz,
    picked_up_in_time bool,
    delivery_date date,
    delivered_by text,
    delivered_at timestamptz,
    signed_by text,
    signed_at timestamptz,
    voided_by text,
    void_reason text,
    voided_at timestamptz);
CREATE INDEX IF NOT EXISTS service_orders_site_date ON service_orders (site_id, business_date);
"""
SERVICE_ORDER_TABLES = ("service_orders",)
ORDER_COLUMNS = (
    "order_id", "site_id", "service", "unit", "customer_name", "business_date", "items",
    "amount", "status", "description", "taken_by", "requested_at", "rewash_of",
    "picked_up_by", "picked_up_at", "picked_up_in_time", "delivery_date", "delivered_by",
    "delivered_at", "signed_by", "signed_at", "voided_by", "void_reason", "voided_at",
)  # fmt: skip


def _lines(items: list[ev.ServiceLine]) -> str:
    return json.dumps([line.model_dump(mode="json") for line in items])


class ServiceOrderFold:
    """How the building services' events change the `service_orders` rows (in memory)."""

    def __init__(self, orders: RowSet) -> None:
        self.orders = orders

    @classmethod
    async def load(cls, conn: asyncpg.Connection, keys: Keys) -> ServiceOrderFold:
        return cls(await RowSet.load(conn, "service_orders", ORDER_COLUMNS, keys["order_id"]))

    async def save(self, conn: asyncpg.Connection) -> None:
        await self.orders.save(conn)

    def apply(self, e: Any) -> None:
        match e:
            case ev.LaundryRequested():
                self.orders.create(
                    e.order_id, site_id=e.site_id, service="laundry", unit=e.unit,
                    customer_name=e.customer_name,
                    business_date=local_date(e.occurred_at, site_timezone(e.site_id)),
                    items=_lines(e.items), amount=e.amount, status="requested",
                    taken_by=e.taken_by, requested_at=e.occurred_at, rewash_of=e.rewash_of,
                )  # fmt: skip
            case ev.LaundryPickedUp():
                row = self.orders.get(e.order_id)
                self.orders.update(
                    e.order_id, status="picked_up", picked_up_by=e.picked_up_by,
                    picked_up_at=e.occurred_at,
                    picked_up_in_time=e.occurred_at - row["requested_at"] <= PICKUP_WITHIN,
                )  # fmt: skip
            case ev.CateringOrdered():
                self.orders.create(
                    e.order_id, site_id=e.site_id, service="catering", unit=e.unit,
                    customer_name=e.customer_name, business_date=e.delivery_date,
                    items=_lines(e.items), amount=e.amount, status="ordered",
                    taken_by=e.taken_by, requested_at=e.occurred_at,
                    delivery_date=e.delivery_date,
                )  # fmt: skip
            case ev.CateringDelivered():
                self.orders.update(
                    e.order_id, status="delivered", delivered_by=e.delivered_by,
                    delivered_at=e.occurred_at,
                )  # fmt: skip
            case ev.ServiceSlipOpened():
                line = ev.ServiceLine(item=e.service, quantity=e.quantity,
                                      unit_price=e.unit_price, amount=e.amount)  # fmt: skip
                self.orders.create(
                    e.order_id, site_id=e.site_id, service="business_centre", unit=e.unit,
                    customer_name=e.customer_name,
                    business_date=local_date(e.occurred_at, site_timezone(e.site_id)),
                    items=_lines([line]), amount=e.amount, status="open",
                    description=e.description, taken_by=e.served_by,
                    requested_at=e.occurred_at,
                )  # fmt: skip
            case ev.ServiceSlipVoided():
                self.orders.update(
                    e.order_id, status="voided", voided_by=e.voided_by, void_reason=e.reason,
                    voided_at=e.occurred_at,
                )  # fmt: skip
            case ev.ServiceOrderSigned():
                self.orders.update(
                    e.order_id, status="signed", signed_by=e.signed_by, signed_at=e.occurred_at
                )


class ServiceOrderQueries:
    """Reads of the building services, always filtered by site."""

    pool: asyncpg.Pool

    async def service_orders(self, site_id: UUID, service: str | None, day: date,
                             open_only: bool) -> list[dict[str, Any]]:  # fmt: skip
        """A business date's orders and slips in the order taken (open ones only: not yet
        signed or voided)."""
        rows = await self.pool.fetch(
            "SELECT * FROM service_orders WHERE site_id = $1 AND business_date = $2"
            " AND ($3::text IS NULL OR service = $3)"
            " AND (NOT $4 OR status NOT IN ('signed', 'voided'))"
            " ORDER BY requested_at, order_id LIMIT 1000",
            site_id, day, service, open_only,
        )  # fmt: skip
        return [{**dict(r), "items": json.loads(r["items"])} for r in rows]

    async def laundry_pickup_times(self, site_id: UUID, period: str) -> dict[str, Any]:
        """Seed 001: 洗衣单位应在接到电话30分钟内来收取客衣: the month's requests (by local
        date taken) picked up, within 30 minutes, their share and the average wait."""
        year, month = (int(part) for part in period.split("-"))
        first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
        row = await self.pool.fetchrow(
            "SELECT count(*) AS requested, count(picked_up_at) AS picked_up,"
            " count(*) FILTER (WHERE picked_up_in_time) AS within,"
            " avg(extract(epoch FROM picked_up_at - requested_at)) / 60 AS average_minutes"
            " FROM service_orders WHERE site_id = $1 AND service = 'laundry'"
            " AND business_date BETWEEN $2 AND $3",
            site_id, first, last,
        )  # fmt: skip
        picked, within = row["picked_up"], row["within"]
        average = row["average_minutes"]
        return {
            "period": period,
            "requested": row["requested"],
            "picked_up": picked,
            "within_30_minutes": within,
            "share_within_30_minutes": (
                (Decimal(within) / picked).quantize(Decimal("0.0001")) if picked else None
            ),
            "average_minutes": (
                None if average is None
                else Decimal(average).quantize(Decimal("0.1"), ROUND_HALF_EVEN)
            ),
        }  # fmt: skip
