"""Whatever the mail room accepts, the register shows and the tenant is told (issue 8.2).

Valid commands drawn from `contracts.mail_api` (a directory of exotic unit numbers and
contacts, items of every kind, lookups, pickups by proxy, forwarding, sweeps days later)
go through the service, the published contract, the register projection and the
tenant-notice reaction (to a log and by SMTP); then the register and its exports, the
awaiting-pickup list, the ageing and the notices must hold every accepted fact as the
write side holds it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiosmtpd.controller import Controller
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from contracts import mail as published
from contracts import mail_api as api
from contracts.fields import BusinessDate, Label
from runtime.clock import clock, local_date
from runtime.notify import LogNotifier, SmtpNotifier
from services.gateway.mail_routes import REGISTER_COLUMNS
from services.mail.api import build_api
from services.mail.application import MailApplication, MailSettings
from services.mail.contract import contract_for
from services.mail.projections import MailQueries, MailReadModel
from services.mail.reactions import TenantNotices
from tests.command_strategies import clock_moments, command, field_strategy, zones
from tests.infra import free_port
from tests.integration.pipeline import (
    PROPERTY,
    Pipeline,
    business_day,
    exported,
    unless_refused,
)

TEXT_COLUMNS = ["carrier", "tracking_number", "recipient_unit", "recipient_company",
                "recipient_person", "signed_by", "on_behalf_of"]  # fmt: skip
PLANS = ("waiting", "collected", "archived", "resolved", "resolved and collected")


@pytest.fixture(scope="module")
def notice_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("notices") / "notifications.jsonl"


class Inbox:
    """A local SMTP server's handler (aiosmtpd): who each message went to, and its
    correlation id."""

    def __init__(self) -> None:
        self.delivered: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.SMTPUTF8)
        self.delivered.append((list(envelope.rcpt_tos), str(message["X-Correlation-ID"])))
        return "250 OK"


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield inbox, port
    finally:
        server.stop()


@pytest.fixture(scope="module")
async def mail(infra, notice_log: Path, inbox: tuple[Inbox, int]) -> AsyncIterator[Pipeline]:  # type: ignore[no-untyped-def]
    app = MailApplication(MailSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
        concierge_namespace=f"{infra.namespace}accept_",
    ))  # fmt: skip
    smtp = SmtpNotifier("127.0.0.1", inbox[1], "desk@tower-a.example", None, None)
    read_models = [MailReadModel(), TenantNotices(app, LogNotifier(notice_log)),
                   TenantNotices(app, smtp)]  # fmt: skip
    async with Pipeline.open(app, contract_for, read_models, infra.database_url) as pipe:
        pipe.service = build_api(app, MailQueries(pipe.pool))
        yield pipe


async def item_with_plan(pipe: Pipeline, site: UUID, units: list[str],
                         data: st.DataObject) -> dict[str, Any]:  # fmt: skip
    """One item, received and walked to a drawn end; what the register should hold."""
    units_here = st.sampled_from(units)
    cmd = data.draw(command(api.ReceiveMail, recipient_unit=st.none() | units_here))
    item = await pipe.call(api.RECEIVE, site, cmd)
    expected = {
        "item_id": item["item_id"], **cmd.model_dump(mode="json", exclude={"addressed_to"}),
        "addressed_to": None if cmd.recipient_unit else cmd.addressed_to,
    }  # fmt: skip
    plan = data.draw(st.sampled_from(PLANS), label="plan")
    on_item = {"item_id": item["item_id"]}
    if plan.startswith("resolved") and cmd.recipient_unit is None:
        lookup = data.draw(command(api.ResolveRecipient, recipient_unit=units_here))
        await pipe.call(api.RESOLVE, site, lookup, actor="cs-rep", **on_item)
        expected |= lookup.model_dump(mode="json")
    if plan.endswith("collected"):
        pickup = data.draw(command(api.CollectMail))
        if await unless_refused(pipe.call(api.COLLECT, site, pickup, **on_item)):
            consent = pickup.phone_consent
            expected |= {**pickup.model_dump(mode="json", exclude={"phone_consent"}),
                         "by_proxy": pickup.on_behalf_of is not None,
                         "proxy_consent_phone": consent.phone if consent else None}  # fmt: skip
    if plan == "archived":
        archive = data.draw(command(api.ArchiveMail))
        if await unless_refused(pipe.call(api.ARCHIVE, site, archive, **on_item)):
            expected |= {"archive_reason": archive.reason, "forwarded_to": archive.forwarded_to}
    return expected


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_item_is_in_the_register(
    mail: Pipeline,
    notice_log: Path,
    inbox: tuple[Inbox, int],
    data: st.DataObject,
    zone: str,
    now: datetime,
) -> None:
    pipe, site = mail, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        directory = data.draw(command(api.UpdateDirectory))
        await pipe.call(api.UPDATE_DIRECTORY, site, directory)
        contacts = {entry.unit: entry for entry in directory.entries}  # the last entry wins
        if data.draw(st.booleans(), label="configure"):
            await pipe.call(api.CONFIGURE, site, data.draw(command(api.ConfigureMail)))
        expected = [
            await item_with_plan(pipe, site, list(contacts), data)
            for _ in range(data.draw(st.integers(1, 3), label="items"))
        ]
        round_stops = None
        if data.draw(st.booleans(), label="round"):
            items = [await pipe.call(api.GET_ITEM, site, item_id=i["item_id"]) for i in expected]
            awaiting = [(str(i["item_id"]), i["recipient_unit"]) for i in items
                        if i["status"] == "awaiting_pickup"]  # fmt: skip
            round_day = clock.today(zone).isoformat()
            round_stops = await round_of_today(pipe, site, zone, list(contacts), awaiting, data)
        batch_size = data.draw(st.integers(1, 20), label="batch size")
        envelopes = await pipe.published(start)
        await pipe.project(envelopes, batch_size)
        if data.draw(st.booleans(), label="sweep"):
            clock.advance(timedelta(hours=data.draw(st.integers(0, 240), label="hours later")))
            swept = pipe.mark()
            await pipe.call(api.SWEEP, site)
            envelopes += await pipe.published(swept)
            await pipe.project(await pipe.published(swept), batch_size)

        views = {
            item["item_id"]: await pipe.call(api.GET_ITEM, site, item_id=item["item_id"])
            for item in expected
        }
        days = {local_date(datetime.fromisoformat(v["received_at"]), zone) for v in views.values()}
        register: dict[str, dict[str, Any]] = {}
        for day in days:
            TypeAdapter(BusinessDate).validate_python(day)  # the gateway can ask for that day
            rows = await pipe.call(api.REGISTER, site, date=day.isoformat())
            register |= {row["item_id"]: row for row in rows}
            exported(rows, REGISTER_COLUMNS, TEXT_COLUMNS)
        assert set(register) == set(views), "every item is in the register of its day"
        for item in expected:
            row, view = register[item["item_id"]], views[item["item_id"]]
            assert row["status"] == view["status"]
            assert row["reminders"] == view["reminders"]
            for name, value in item.items():
                assert row[name] == value, name

        if round_stops is not None:
            shown = await pipe.call(api.ROUND, site, business_date=round_day)
            assert [(r["unit"], r["item_ids"], r["newspapers"], r["outcome"], r["delivered_by"])
                    for r in shown] == sorted(
                (s["unit"], s["item_ids"], s["newspapers"], s["outcome"], s["delivered_by"])
                for s in round_stops
            ), "every stop of the round is shown as planned and recorded"  # fmt: skip

        awaiting = await pipe.call(api.AWAITING_PICKUP, site)
        assert {(unit["unit"], i["item_id"]) for unit in awaiting for i in unit["items"]} == {
            (v["recipient_unit"], v["item_id"]) for v in views.values()
            if v["status"] == "awaiting_pickup"
        }, "every item awaiting pickup is listed under its unit"  # fmt: skip
        ageing = await pipe.call(api.AGEING, site)
        waiting = ("awaiting_pickup", "pending_lookup")
        assert ageing["uncollected"] == sum(v["status"] in waiting for v in views.values())

        told = [e.data for e in envelopes if isinstance(
            e.data, published.RecipientNotified | published.MailReminderSent)]  # fmt: skip
        notices = [n for n in read_notices(notice_log) if n["site_id"] == str(site)]
        assert [n["unit"] for n in notices] == [e.recipient_unit for e in told]
        for notice in notices:
            contact = contacts[notice["unit"]]
            assert notice["to_email"] == contact.contact_email
        flows = {e.correlation_id for e in envelopes}
        mailed = [to for rcpt, flow in inbox[0].delivered if flow in flows for to in rcpt]
        assert sorted(mailed) == sorted(n["to_email"] for n in notices if n["to_email"]), (
            "every notice to a tenant with an address on file is mailed to that address"
        )


async def round_of_today(pipe: Pipeline, site: UUID, zone: str, units: list[str],
                         items: list[tuple[str, str]],
                         data: st.DataObject) -> list[dict[str, Any]]:  # fmt: skip
    """Today's round: drawn units of the directory with their items awaiting pickup (a
    drawn subset) and drawn newspapers, and a drawn outcome at some of them; the
    round's stops as the write side holds them."""
    stops_units = data.draw(st.lists(st.sampled_from(units), min_size=1, max_size=3,
                                     unique=True), label="round units")  # fmt: skip
    stops = []
    for unit in stops_units:
        ids = [i for i, u in items if u == unit]
        taken = data.draw(st.lists(st.sampled_from(ids), unique=True) if ids else st.just([]))
        papers = data.draw(st.lists(field_strategy(Label), min_size=0 if taken else 1,
                                    max_size=3), label="newspapers")  # fmt: skip
        stops.append(api.RoundStopPlan(unit=unit, item_ids=taken, newspapers=papers))
    plan = data.draw(command(api.PlanDeliveryRound, stops=st.just(stops)))
    today = clock.today(zone).isoformat()
    view = await pipe.call(api.PLAN_ROUND, site, plan, business_date=today)
    for unit in stops_units:
        if data.draw(st.booleans(), label="recorded"):
            cmd = data.draw(command(api.RecordRoundStop, unit=st.just(unit)))
            view = await pipe.call(api.RECORD_STOP, site, cmd, business_date=today)
    return list(view["stops"])


def read_notices(path: Path) -> list[dict[str, Any]]:
    """The notice log: one JSON object per line (names may hold U+2028, which is not a
    line break in JSON Lines)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]
