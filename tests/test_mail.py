"""The outbox over a real SMTP server on loopback: clean headers, a bad message that fails alone, quiet logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import mail
from app.models import OutboxMessage, OutboxStatus, utcnow

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


# A bad message fails alone -------------------------------------------------------------------------
def test_a_message_that_cannot_be_sent_fails_alone_and_the_rest_are_delivered(db, inbox, unexpected_failure):
    first = queued("first")
    header = poisoned(db, "header")
    middle = queued("middle")
    broken = queued("broken")
    last = queued("last")
    db.session.commit()
    unexpected_failure(broken)
    now = utcnow()

    assert mail.deliver_due(now=now) == (3, 2)

    assert sorted((rcpt, m["Subject"]) for [rcpt], m in inbox.messages) == [
        ("first@example.org", "About first"), ("last@example.org", "About last"), ("middle@example.org", "About middle")]
    for message, error in ((header, "ValueError: Header values may not contain linefeed"),
                           (broken, "KeyError: 'MAIL_DEFAULT_SENDER'")):
        row = stored(db, message.id)
        assert (row.status, row.attempts, row.sent_at) == (OutboxStatus.PENDING, 1, None)
        assert row.last_error.startswith(error)
        assert row.next_attempt_at == now + timedelta(minutes=mail.BACKOFF_MINUTES[0])
    assert {stored(db, m.id).status for m in (first, middle, last)} == {OutboxStatus.SENT}


def test_a_message_that_keeps_failing_is_given_up_after_max_attempts(db, inbox, unexpected_failure):
    header, broken, good = poisoned(db, "header"), queued("broken"), queued("good")
    db.session.commit()
    unexpected_failure(broken)
    now = utcnow()

    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        assert mail.deliver_due(now=now) == (1 if attempt == 1 else 0, 2)
        now += timedelta(days=1)  # past any back-off
    assert mail.deliver_due(now=now) == (0, 0)  # given up: nothing is tried again

    for message in (header, broken):
        row = stored(db, message.id)
        assert (row.status, row.attempts) == (OutboxStatus.FAILED, mail.MAX_ATTEMPTS)
        assert row.last_error
    assert [rcpt for rcpt, _ in inbox.messages] == [[good.recipient]]


def test_flask_reminders_send_goes_on_past_a_message_that_cannot_be_sent(db, runner, inbox):
    before = queued("before")
    header = poisoned(db, "header")
    after = queued("after")
    db.session.commit()

    result = runner.invoke(args=["reminders", "send"])

    assert result.exit_code == 0, result.output
    assert "E-mail: 2 sent, 1 failed" in result.output
    assert sorted(rcpt for [rcpt], _ in inbox.messages) == [after.recipient, before.recipient]
    row = stored(db, header.id)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.last_error.startswith("ValueError")


def test_mail_a_request_queued_that_cannot_be_sent_is_recorded_and_logged_not_raised(
        db, inbox, unexpected_failure, caplog):
    message, other = queued("doomed"), queued("other")
    db.session.commit()
    unexpected_failure(message)

    with caplog.at_level(logging.WARNING, logger="app.mail"):
        mail.deliver_committed()

    row = stored(db, message.id)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.last_error == "KeyError: 'MAIL_DEFAULT_SENDER'"
    assert f"e-mail {message.id} failed (attempt 1)" in caplog.text
    assert [rcpt for rcpt, _ in inbox.messages] == [[other.recipient]]


def test_an_error_recording_a_request_s_mail_is_logged_and_the_next_message_still_goes(db, inbox, monkeypatch, caplog):
    message, other = queued("unrecorded"), queued("other")
    db.session.commit()
    real_send = mail.send

    def send(outgoing, **kwargs):
        if outgoing.id == message.id:
            raise RuntimeError("database went away")
        return real_send(outgoing, **kwargs)

    monkeypatch.setattr(mail, "send", send)
    with caplog.at_level(logging.ERROR, logger="app.mail"):
        mail.deliver_committed()

    assert f"e-mail {message.id} could not be sent or recorded" in caplog.text
    assert stored(db, message.id).status is OutboxStatus.PENDING  # retried once its claim lapses
    assert stored(db, other.id).status is OutboxStatus.SENT
    assert [rcpt for rcpt, _ in inbox.messages] == [[other.recipient]]


# The log without an SMTP server ------------------------------------------------------------------------
@pytest.mark.parametrize(("env_name", "body_logged"), [("production", False), ("base", False),
                                                       ("development", True), ("testing", True)])
def test_without_mail_server_the_body_is_logged_only_in_development_and_tests(
        db, app, monkeypatch, caplog, env_name, body_logged):
    monkeypatch.setitem(app.config, "ENV_NAME", env_name)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    message = mail.queue(kind="password-reset", dedupe_key="reset-log", recipient="nia@example.org",
                         subject="Reset your password", body=f"Choose a new password here:\n{RESET_LINK}\n")
    db.session.commit()

    with caplog.at_level(logging.DEBUG):
        assert mail.deliver(message) is True

    assert f"e-mail {message.id} to nia@example.org" in caplog.text and "Reset your password" in caplog.text
    assert (RESET_LINK in caplog.text) is body_logged
    assert ("Choose a new password" in caplog.text) is body_logged
    assert db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message.id)) is OutboxStatus.SENT


# Letters and invitations ---------------------------------------------------------------------------
CALENDAR = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
    "UID:interview-7@example.org", "SEQUENCE:0", "DTSTAMP:20261204T100000Z", "DTSTART:20261210T150000Z",
    "DTEND:20261210T160000Z", "SUMMARY:Interview", "END:VEVENT", "END:VCALENDAR", "",
])


def test_a_message_with_html_and_a_calendar_arrives_with_all_three_parts(db, inbox):
    message = mail.queue(kind="test", dedupe_key="parts", recipient="ann@example.org", subject="Your interview",
                         body="Plain text", html_body="<p>The <b>letter</b></p>", calendar=CALENDAR)
    db.session.commit()

    assert mail.deliver(message) is True

    [(_, received)] = inbox.messages
    assert received.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in received.iter_parts()}
    assert parts["text/plain"].get_content().strip() == "Plain text"
    assert "<b>letter</b>" in parts["text/html"].get_content()
    invitation = parts["text/calendar"]
    assert invitation.get_param("method") == "REQUEST"
    assert "UID:interview-7@example.org" in invitation.get_content()


def test_a_plain_message_stays_a_single_text_part(db, inbox):
    message = queued("plain")
    db.session.commit()

    assert mail.deliver(message) is True

    [(_, received)] = inbox.messages
    assert received.get_content_type() == "text/plain"


@pytest.mark.parametrize(("calendar", "method"), [
    (CALENDAR, "REQUEST"),
    (CALENDAR.replace("METHOD:REQUEST", "METHOD:CANCEL"), "CANCEL"),
    ("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "PUBLISH"),
])
def test_the_calendar_part_carries_the_method_of_its_object(calendar, method):
    assert mail.calendar_method(calendar) == method
