"""Notifications to tenants (mail arrived, a visitor is at the desk), by adapter.

`CONCIERGE_NOTIFIER=log` (default) appends JSON lines to `NOTIFY_LOG_PATH`; `smtp`
sends mail through `SMTP_HOST`/`SMTP_PORT` from `SMTP_SENDER` (with `SMTP_USER`/
`SMTP_PASSWORD` and STARTTLS when given). Delivery follows at-least-once Kafka
consumption, so a crash can repeat a notice, never lose one.
"""

from __future__ import annotations

import json
import os
import smtplib
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Notification:
    site_id: str
    unit: str
    to_name: str | None
    to_email: str | None
    subject: str
    body: str
    urgent: bool
    correlation_id: str


class Notifier(Protocol):
    def send(self, notification: Notification) -> None: ...


class LogNotifier:
    """Local and test use: one JSON line per notification in a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def send(self, notification: Notification) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(asdict(notification), ensure_ascii=False) + "\n")


class SmtpNotifier:
    def __init__(self, host: str, port: int, sender: str, user: str | None,
                 password: str | None) -> None:  # fmt: skip
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password = user, password

    def send(self, notification: Notification) -> None:
        if not notification.to_email:
            return  # no address on file: the desk tells the tenant in person
        message = EmailMessage()
        message["From"], message["To"] = self.sender, notification.to_email
        prefix = "[URGENT] " if notification.urgent else ""
        message["Subject"] = prefix + notification.subject
        message["X-Correlation-ID"] = notification.correlation_id
        message.set_content(notification.body)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            if self.user:
                smtp.starttls()
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


def notifier_from_env() -> Notifier:
    kind = os.environ.get("CONCIERGE_NOTIFIER", "log")
    if kind == "smtp":
        return SmtpNotifier(
            host=os.environ.get("SMTP_HOST", "127.0.0.1"),
            port=int(os.environ.get("SMTP_PORT", "25")),
            sender=os.environ.get("SMTP_SENDER", "concierge@localhost"),
            user=os.environ.get("SMTP_USER"),
            password=os.environ.get("SMTP_PASSWORD"),
        )
    return LogNotifier(Path(os.environ.get("NOTIFY_LOG_PATH", ".local/logs/notifications.jsonl")))
