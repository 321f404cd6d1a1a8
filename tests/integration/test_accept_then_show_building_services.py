"""Whatever the desk accepts for the building services, the `service_orders` read model
shows as the write side holds it (issue 12 item 10).

Valid commands drawn from `contracts.building_services_api` (any text, any zone, the
ends of the date window): a laundry price list and requests of its items, taken, picked
up and signed for; business-centre slips signed or voided; each through the service, the
published contract and the projection; then each business day's list of orders must be
exactly the orders as the service answers them one by one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import building_services_api as api
from services.visitor.api import build_api
from services.visitor.application import VisitorApplication, VisitorSettings
from services.visitor.contract import contract_for
from services.visitor.projections import VisitorQueries, VisitorReadModel
from tests.command_strategies import clock_moments, command, zones
from tests.integration.pipeline import PROPERTY, Pipeline, business_day, unless_refused


@pytest.fixture(scope="module")
async def desk(infra) -> AsyncIterator[Pipeline]:  # type: ignore[no-untyped-def]
    app = VisitorApplication(VisitorSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
        concierge_namespace=f"{infra.namespace}services_accept_",
    ))  # fmt: skip
    async with Pipeline.open(app, contract_for, [VisitorReadModel()], infra.database_url) as pipe:
        pipe.service = build_api(app, VisitorQueries(pipe.pool))
        yield pipe


async def laundry(pipe: Pipeline, site: Any, data: st.DataObject) -> list[str]:
    prices = data.draw(command(api.SetLaundryPrices))
    await pipe.call(api.SET_LAUNDRY_PRICES, site, prices)
    listed = st.sampled_from([line.item for line in prices.prices])
    line = command(api.OrderLine, item=listed)
    orders = []
    for _ in range(data.draw(st.integers(1, 3), label="laundry requests")):
        asked = data.draw(command(api.RequestLaundry, items=st.lists(line, min_size=1, max_size=4)))
        order = await pipe.call(api.REQUEST_LAUNDRY, site, asked)
        path = {"order_id": order["order_id"]}
        steps = data.draw(st.integers(0, 3), label="laundry steps")
        if steps >= 1:
            await pipe.call(
                api.PICK_UP_LAUNDRY, site, data.draw(command(api.PickUpLaundry)), **path
            )
        if steps >= 2:
            await pipe.call(api.SIGN_LAUNDRY_RETURN, site, data.draw(command(api.SignForService)),
                            **path)  # fmt: skip
        if steps >= 3:
            rewash = await pipe.call(api.REQUEST_REWASH, site, data.draw(command(api.RequestRewash)),
                                     **path)  # fmt: skip
            orders.append(rewash["order_id"])
        orders.append(order["order_id"])
    return orders


async def slips(pipe: Pipeline, site: Any, data: st.DataObject) -> list[str]:
    opened = []
    for _ in range(data.draw(st.integers(0, 3), label="slips")):
        slip = await pipe.call(api.OPEN_SERVICE_SLIP, site, data.draw(command(api.OpenServiceSlip)),
                               actor="clerk")  # fmt: skip
        path = {"order_id": slip["order_id"]}
        end = data.draw(st.sampled_from(["open", "signed", "voided"]), label="slip end")
        if end == "signed":
            await pipe.call(api.SIGN_SERVICE_SLIP, site, data.draw(command(api.SignForService)),
                            **path)  # fmt: skip
        elif end == "voided":
            await unless_refused(pipe.call(
                api.VOID_SERVICE_SLIP, site, data.draw(command(api.VoidServiceSlip)),
                actor="supervisor", role="cs_supervisor", **path))  # fmt: skip
        opened.append(slip["order_id"])
    return opened


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_order_is_shown_as_the_service_holds_it(
    desk: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = desk, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        order_ids = await laundry(pipe, site, data) + await slips(pipe, site, data)
        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 20), label="batch")
        )

        held = {i: await pipe.call(api.GET_SERVICE_ORDER, site, order_id=i) for i in order_ids}
        shown: dict[str, Any] = {}
        for day in {order["business_date"] for order in held.values()}:
            rows = await pipe.call(api.SERVICE_ORDERS, site, date=day)
            shown |= {row["order_id"]: row for row in rows}
        assert shown == held, "each day's list shows every order as the service holds it"
        period = next(iter(held.values()))["business_date"][:7]
        times = await pipe.call(api.LAUNDRY_PICKUP_TIMES, site, period=period)
        laundry_rows = [o for o in held.values() if o["service"] == "laundry"
                        and o["business_date"][:7] == period]  # fmt: skip
        assert times["requested"] == len(laundry_rows)
        assert times["picked_up"] == sum(1 for o in laundry_rows if o["picked_up_at"])
