"""The SMTP notifier speaks real SMTP (to a local aiosmtpd server), and the notifier is
chosen by environment."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from runtime.notify import LogNotifier, Notification, SmtpNotifier, notifier_from_env
from tests.infra import free_port


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.messages.append(message)


def notice(**overrides: object) -> Notification:
    fields = {"site_id": "s", "unit": "12A", "to_name": "Han", "to_email": "han@example.com",
              "subject": "A parcel is waiting for you at the front desk", "body": "Unit 12A.",
              "urgent": True, "correlation_id": "corr-1", **overrides}  # fmt: skip
    return Notification(**fields)  # type: ignore[arg-type]


def test_smtp_notifier_delivers_a_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("CONCIERGE_NOTIFIER", "smtp")
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(port))
        monkeypatch.setenv("SMTP_SENDER", "desk@tower-a.example")
        notifier = notifier_from_env()
        assert isinstance(notifier, SmtpNotifier)
        notifier.send(notice())
        notifier.send(notice(to_email=None))  # no address on file: nothing is sent
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "han@example.com" and mail["From"] == "desk@tower-a.example"
    assert mail["Subject"] == "[URGENT] A parcel is waiting for you at the front desk"
    assert mail["X-Correlation-ID"] == "corr-1"
    assert "Unit 12A." in message_from_bytes(mail.as_bytes()).get_payload()


def test_log_notifier_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONCIERGE_NOTIFIER", raising=False)
    monkeypatch.setenv("NOTIFY_LOG_PATH", str(tmp_path / "n.jsonl"))
    notifier = notifier_from_env()
    assert isinstance(notifier, LogNotifier)
    notifier.send(notice())
    assert '"unit": "12A"' in (tmp_path / "n.jsonl").read_text()
