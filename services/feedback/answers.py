"""When a complaint must be answered, and what counts as its answer (no I/O).

Seed 001 (十一、用户投诉, 接待和方针): "礼貌接听电话 ... 能回复问题要立即给解释。不能回复问题要
通知问清后,当日给回复" (a phone complaint is answered the same day even when the problem is not
solved yet); "对于收取信件 ... 不能处理问题,要上报领导,并以书面形式给客人以回复" (a letter gets a
written reply); "接直接投诉客人 ... 所提问题给回复,立即处理" (a complaint in person is answered at
once); "对全部不能立即处理问题,要一直跟踪督促相关部门,不停给用户反馈其进展,直至完成" (progress
reports until it is done). Seed 003 (投訴受理) adds the channels "投訴電話、郵箱、意見箱" and
(投訴處理) "對於需要一定時間處理的投訴問題,應向客戶說明處理進度和預計完成時間". DOMAIN.md,
Service standards: "complaint reply the same day".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from runtime.clock import end_of_day


@dataclass(frozen=True)
class AnswerDeadline:
    """A channel's default time for the first answer, and the passage it comes from."""

    channel: str
    rule: str
    source: str


# No seed gives a figure other than the same day, for any channel: each is due by the
# end of the site's local day the complaint arrived on (a suggestion-box note: the day
# the box was emptied). A site may set hours per channel instead (`answer_within_hours`).
DEFAULT_DEADLINES = {
    d.channel: d
    for d in (
        AnswerDeadline("phone", "the same local day",
                       "seed 001: 不能回复问题要通知问清后,当日给回复"),
        AnswerDeadline("in_person", "the same local day", "seed 001: 所提问题给回复,立即处理"),
        AnswerDeadline("letter", "the same local day, a written reply before closing",
                       "seed 001: 以书面形式给客人以回复; DOMAIN.md: complaint reply the same day"),
        AnswerDeadline("email", "the same local day",
                       "seed 003: 郵箱 (a channel); DOMAIN.md: complaint reply the same day"),
        AnswerDeadline("suggestion_box", "the local day the box was emptied",
                       "seed 003: 意見箱 (a channel); DOMAIN.md: complaint reply the same day"),
        AnswerDeadline("app", "the same local day", "DOMAIN.md: complaint reply the same day"),
    )
}  # fmt: skip

WRITTEN = frozenset({"letter", "email"})  # 书面形式: on paper or by email

# The channel the events published before `intake_channel` existed can hold.
LEGACY_CHANNEL = {"email": "app", "suggestion_box": "letter"}


def answer_due(
    *,
    received: datetime,
    received_on: date,
    zone: str,
    hours: int | None,
) -> datetime:
    """The first answer is due by the end of the local day it arrived on (`received_on`,
    a suggestion box's collection day), or `hours` after it was received when the site
    set hours for its channel."""
    if hours:
        return received + timedelta(hours=hours)
    return end_of_day(received_on, zone)


def is_late(
    *, deadline: datetime, answered_at: datetime | None, anonymous: bool, now: datetime
) -> bool:
    """Late: no answer before the deadline (the local midnight ending its day): none
    yet once it has passed, or one at or after it.
    An anonymous note has nobody to answer, so it is never late."""
    if anonymous:
        return False
    if answered_at is None:
        return now >= deadline
    return answered_at >= deadline
