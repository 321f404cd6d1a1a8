"""Whatever customer service accepts, the feedback read models show (issue 8.2).

Valid commands drawn from `contracts.feedback_api` (complaints walked through any run
of steps, tenant visits with findings and follow-ups, survey responses with any
questions, a reply deadline per site) go through the service, the published contract
and the projection; then the open complaints with their deadlines, the statistics, the
follow-ups and the satisfaction per quarter must hold every accepted fact as the write
side holds it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import feedback_api as api
from contracts.feedback import ComplaintChannel
from contracts.fields import BusinessDate, Name
from services.feedback.api import build_api
from services.feedback.application import FeedbackApplication, FeedbackSettings
from services.feedback.contract import contract_for
from services.feedback.domain import OPEN, is_satisfied
from services.feedback.projections import FeedbackQueries, FeedbackReadModel
from tests.command_strategies import clock_moments, command, field_strategy, zones
from tests.integration.pipeline import PROPERTY, Pipeline, business_day, unless_refused

SHOWN = ("status", "channel", "complainant", "unit", "company", "category", "content", "cause",
         "reopen_count", "work_order_id", "anonymous", "location", "received_on", "written_reply",
         "late")  # fmt: skip


@pytest.fixture(scope="module")
async def feedback(infra) -> AsyncIterator[Pipeline]:  # type: ignore[no-untyped-def]
    app = FeedbackApplication(FeedbackSettings(
        database_url=infra.database_url, kafka_bootstrap_servers=infra.kafka,
        concierge_namespace=f"{infra.namespace}accept_",
    ))  # fmt: skip
    async with Pipeline.open(app, contract_for, [FeedbackReadModel()], infra.database_url) as pipe:
        pipe.service = build_api(app, FeedbackQueries(pipe.pool))
        yield pipe


# The suggestion box, and only it, names the day it was emptied and may leave the name out.
registrations = st.one_of(
    command(api.RegisterComplaint, channel=st.just(ComplaintChannel.SUGGESTION_BOX),
            collected_on=field_strategy(BusinessDate)),
    command(api.RegisterComplaint,
            channel=st.sampled_from([c for c in ComplaintChannel
                                     if c is not ComplaintChannel.SUGGESTION_BOX]),
            complainant=field_strategy(Name), collected_on=st.none()),
)  # fmt: skip

STEPS = {  # each step of a complaint's handling, and its command
    api.REJECT: api.RejectComplaint,
    api.INVESTIGATE: api.InvestigateComplaint,
    api.ESCALATE: api.EscalateComplaint,
    api.RESOLVE: api.ResolveComplaint,
    api.REPLY: api.ReplyToComplainant,
    api.REOPEN: api.ReopenComplaint,
    api.INFORM: api.InformComplainant,
    api.GIVE_FEEDBACK: api.GiveInternalFeedback,
}


async def complaint_with_steps(pipe: Pipeline, site: UUID, data: st.DataObject) -> str | None:
    """One complaint, registered and taken through a drawn run of handling steps (each
    drawn before any runs; the domain may refuse some, and a box emptied after today)."""
    registered = data.draw(registrations, label="registration")
    names = data.draw(st.lists(st.sampled_from(list(STEPS)), max_size=8), label="steps")
    steps = [(name, data.draw(command(STEPS[name]))) for name in names]
    complaint = await unless_refused(pipe.call(api.REGISTER, site, registered))
    if complaint is None:
        return None
    for name, cmd in steps:
        await unless_refused(pipe.call(name, site, cmd, complaint_id=complaint["complaint_id"]))
    complaint_id = complaint["complaint_id"]
    view = await pipe.call(api.GET_COMPLAINT, site, complaint_id=complaint_id)
    if view["internal_feedback"] and data.draw(st.booleans(), label="acknowledge"):
        ack = data.draw(command(api.AcknowledgeInternalFeedback))
        await pipe.call(api.ACKNOWLEDGE_FEEDBACK, site, ack, complaint_id=complaint_id, number=1)
    return str(complaint_id)


@PROPERTY
@given(data=st.data(), zone=zones, now=clock_moments)
async def test_every_accepted_complaint_visit_and_survey_is_shown(
    feedback: Pipeline, data: st.DataObject, zone: str, now: datetime
) -> None:
    pipe, site = feedback, uuid4()
    with business_day(site, zone, now):
        start = pipe.mark()
        if data.draw(st.booleans(), label="configure"):
            await pipe.call(api.CONFIGURE, site, data.draw(command(api.ConfigureFeedback)))
        drawn = [
            await complaint_with_steps(pipe, site, data)
            for _ in range(data.draw(st.integers(1, 3), label="complaints"))
        ]
        ids = [i for i in drawn if i is not None]
        visits = data.draw(st.lists(command(api.LogTenantVisit), max_size=2), label="visits")
        for visit in visits:
            await pipe.call(api.LOG_VISIT, site, visit)
        surveys = data.draw(st.lists(command(api.RecordSurveyResponse), max_size=3))
        for survey in surveys:
            await pipe.call(api.RECORD_SURVEY, site, survey)
        await pipe.project(
            await pipe.published(start), data.draw(st.integers(1, 20), label="batch")
        )

        views = {i: await pipe.call(api.GET_COMPLAINT, site, complaint_id=i) for i in ids}
        still_open = {
            row["complaint_id"]: row for row in await pipe.call(api.OPEN_COMPLAINTS, site)
        }
        assert set(still_open) == {i for i, v in views.items() if v["status"] in OPEN}
        for complaint_id, row in still_open.items():
            view = views[complaint_id]
            for name in SHOWN:
                assert row[name] == view[name], name
            for name in ("deadline", "registered_at", "answered_at"):
                assert _instant(row[name]) == _instant(view[name]), name
            assert row["updates"] == len(view["updates"])

        given = [
            (i, f["number"], f["department"], f["content"], f["given_by"], f["acknowledged_by"])
            for i, v in views.items()
            for f in v["internal_feedback"]
        ]
        shown_feedback = [
            (r["complaint_id"], r["number"], r["department"], r["content"], r["given_by"],
             r["acknowledged_by"])
            for r in await pipe.call(api.INTERNAL_FEEDBACK, site)
        ]  # fmt: skip
        assert Counter(shown_feedback) == Counter(given), "every internal feedback is listed"

        days = {v["received_on"] for v in views.values()}
        for day in days:
            late = await pipe.call(api.LATE_COMPLAINTS, site, business_date=day)
            assert {r["complaint_id"] for r in late} == {
                i for i, v in views.items() if v["received_on"] == day and v["late"]
            }, "a complaint of the day unanswered before its deadline is listed as late"
            tally = await pipe.call(api.WEEKLY_TALLY, site, week_start=day)
            assert tally["complaints"] == sum(
                1 for v in views.values() if 0 <= (_day(v["received_on"]) - _day(day)).days < 7
            ), "the week's tally counts every complaint received on its days"

        statistics = await pipe.call(api.STATISTICS, site, site_ids=[str(site)])
        assert Counter(
            {(r["category"], r["cause"], r["status"]): r["complaints"] for r in statistics}
        ) == Counter(
            (v["category"], v["cause"] or "undetermined", v["status"]) for v in views.values()
        ), "every complaint is counted under its category, cause and status"  # fmt: skip

        shown = await pipe.call(api.FOLLOW_UPS, site)
        assert Counter(
            (r["unit"], r["tenant"], r["visited_by"], tuple(r["follow_ups"])) for r in shown
        ) == Counter(
            (v.unit, v.tenant, v.visited_by, tuple(v.follow_ups)) for v in visits if v.follow_ups
        ), "every follow-up of a visit is listed as written"  # fmt: skip

        quarters = {r["quarter"]: r for r in await pipe.call(api.SATISFACTION, site)}
        assert {q: (r["responses"], r["satisfied"]) for q, r in quarters.items()} == {
            q: (sum(calendar_quarter(s.quarter) == q for s in surveys),
                sum(calendar_quarter(s.quarter) == q and is_satisfied(s.scores) for s in surveys))
            for q in {calendar_quarter(s.quarter) for s in surveys}
        }, "every response counts in its quarter, named as the calendar names it"  # fmt: skip


def calendar_quarter(quarter: str) -> str:
    """The quarter a response names, written as BI and the calendar write it."""
    year, number = quarter.split("-Q")
    return f"{int(year)}-Q{int(number)}"


def _instant(text: str | None) -> Any:
    return text and datetime.fromisoformat(text)


def _day(text: str) -> date:
    return date.fromisoformat(text)
