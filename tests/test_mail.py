"""The outbox over a real SMTP server on loopback: clean headers, a bad message that fails alone, quiet logs."""

from __future__ import annotations

import pytest

from app import mail
from app.models import OutboxMessage

INJECTED = "Your training\r\nBcc: everyone@example.org"
RESET_LINK = "http://127.0.0.1:5000/reset/secret-token-abc123"


def poisoned(db, key: str, subject: str = INJECTED) -> OutboxMessage:
    """A message written straight to the table, as an older release or a script could have."""
    message = OutboxMessage(kind="test", dedupe_key=key, recipient=f"{key}@example.org", subject=subject, body="Hi")
    db.session.add(message)
    return message


def queued(key: str) -> OutboxMessage:
    return mail.queue(kind="test", dedupe_key=key, recipient=f"{key}@example.org", subject=f"About {key}", body="Hi")


def stored(db, message_id: int) -> OutboxMessage:
    """The row as committed: whatever the session still held uncommitted is thrown away first."""
    db.session.rollback()
    return db.session.get(OutboxMessage, message_id)


@pytest.fixture
def inbox(smtp_config, smtp_server):
    """A real SMTP server on loopback that every send in the test goes to."""
    received, controller = smtp_server()
    smtp_config(controller.port)
    return received


@pytest.fixture
def unexpected_failure(monkeypatch):
    """unexpected_failure(message): sending that message raises an error no sender plans for."""
    doomed: set[int] = set()
    real_send = mail._smtp_send

    def send(message):
        if message.id in doomed:
            raise KeyError("MAIL_DEFAULT_SENDER")
        real_send(message)

    monkeypatch.setattr(mail, "_smtp_send", send)
    return lambda message: doomed.add(message.id)


# Queueing ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("subject", "expected"), [
    ("Interview to score: Ann\r\nBcc: x@example.org", "Interview to score: Ann Bcc: x@example.org"),
    ("Ann\n\nLee\tand\x1b[31m red\x00", "Ann Lee and[31m red"),
    ("Ann\u2028Lee\x85Moe\x0bKai", "Ann Lee Moe Kai"),
    ("Ann \u202eeeL", "Ann eeL"),
])
def test_queue_keeps_each_header_on_one_line(db, subject, expected):
    message = mail.queue(kind="test", dedupe_key="one-line", recipient="ann@example.org\r\nBcc: x@example.org",
                         subject=subject, body="Line one\nLine two\n")
    assert (message.subject, message.recipient) == (expected, "ann@example.org Bcc: x@example.org")
    assert message.body == "Line one\nLine two\n"
