"""E-mail through the outbox: every message is recorded before it is sent, then marked sent.

Messages go out over SMTP when MAIL_SERVER is set; otherwise they are written to the log, whole
in development and tests (where the invitation links are read from it) and without their bodies
anywhere else, since a body holds live sign-in links. A failed send, whatever the error, is
recorded and retried later with back-off by `deliver_due()`, and given up after MAX_ATTEMPTS; one
message that cannot be sent never stops the others. Subjects and recipients are made single-line
when queued, so no caller can queue a header that cannot be sent.

Before sending, a sender claims the message: one conditional UPDATE moves its next attempt
CLAIM_MINUTES ahead, and only the sender whose update changed the row goes on. So overlapping
runs of `flask reminders send`, or a run and a request sending what it just queued, never send a
message twice. A sender that dies between its claim and its record leaves the message to be
retried once the claim lapses (it may then go out twice if the first try had reached the server).
"""

from __future__ import annotations

import logging
import re
import smtplib
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.forms import BIDI_CONTROLS
from app.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

QUEUE_KEY = "queued_mail"
MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
CLAIM_MINUTES = 15  # longer than a send can take (SMTP timeout 10 s a step)
BODY_LOGGED_IN = {"development", "testing"}
# Whatever str.splitlines() breaks on; the email package refuses each of them in a header.
LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def header_value(text: str) -> str:
    """Text for one header line: each run of line breaks or tabs becomes a space, other controls go."""
    text = LINE_BREAKS.sub(" ", text)
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs") and c not in BIDI_CONTROLS).strip()


def external_url(endpoint: str, **values) -> str:
    """An absolute link that leaves the app (e-mail, calendars), always under the configured BASE_URL:
    never from the request's Host header, which whoever sends the request chooses."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


# kind -> a function that writes a message queued without a body when it is sent; it returns False
# when there is nothing to send, and the message is dropped.
COMPOSERS: dict[str, Callable[[OutboxMessage], bool]] = {}


def composer(kind: str):
    """Register the function that writes bodiless messages of this kind at send time."""

    def register(compose: Callable[[OutboxMessage], bool]):
        COMPOSERS[kind] = compose
        return compose

    return register


def queue(*, kind: str, dedupe_key: str, recipient: str, subject: str, body: str, html_body: str = "",
          calendar: str = "") -> OutboxMessage | None:
    """Record a message once per dedupe_key; returns None when it was already queued.

    html_body, when given, goes out as the HTML alternative of the plain body (the caller escapes what it puts
    in it); calendar is a whole iCalendar object, sent as a text/calendar part carrying its METHOD."""
    recipient, subject = header_value(recipient), header_value(subject)
    exists = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
    if exists:
        return None
    message = OutboxMessage(kind=kind, dedupe_key=dedupe_key, recipient=recipient, subject=subject, body=body,
                            html_body=html_body, calendar=calendar)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # another process queued the same message first
        return None
    db.session.info.setdefault(QUEUE_KEY, []).append(message)
    return message


CALENDAR_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


def calendar_method(calendar: str) -> str:
    """The iCalendar METHOD (REQUEST, CANCEL ...) that the text/calendar part must also carry as a parameter."""
    found = CALENDAR_METHOD.search(calendar)
    return found.group(1) if found else "PUBLISH"


def _smtp_send(message: OutboxMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    if message.calendar:
        email.add_alternative(message.calendar, subtype="calendar", params={"method": calendar_method(message.calendar)})
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _log_send(message: OutboxMessage) -> None:
    """Without an SMTP server: the whole message in development and tests, never its body elsewhere."""
    if current_app.config["ENV_NAME"] in BODY_LOGGED_IN:
        log.info("e-mail %s to %s: %s\n%s", message.id, message.recipient, message.subject, message.body)
    else:
        log.warning("e-mail %s to %s only logged, body left out (MAIL_SERVER is not set): %s", message.id,
                    message.recipient, message.subject)


def send(message: OutboxMessage, *, now: datetime | None = None) -> bool:
    """Try one message and record the result, a failure of any kind included; the caller commits."""
    message.attempts += 1
    try:
        if current_app.config["MAIL_SERVER"]:
            _smtp_send(message)
        else:
            _log_send(message)
    except Exception as error:  # any failure is this message's: record it and let the others go out
        message.last_error = f"{error.__class__.__name__}: {error}".replace("\x00", "")[:500]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.FAILED
        else:
            delay = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
            message.next_attempt_at = (now or utcnow()) + timedelta(minutes=delay)
        expected = isinstance(error, OSError | smtplib.SMTPException)
        log.log(logging.WARNING if expected else logging.ERROR, "e-mail %s failed (attempt %s%s): %s", message.id,
                message.attempts, ", given up" if message.status is OutboxStatus.FAILED else "", message.last_error,
                exc_info=not expected)
        return False
    message.status = OutboxStatus.SENT
    message.sent_at = now or utcnow()
    return True


def claim(message: OutboxMessage, now: datetime) -> bool:
    """Take a due, pending message for this sender and commit the claim; False when another sender
    holds it, it was sent, or it is not due."""
    taken = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.next_attempt_at <= now)
        .values(next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()  # the claim is seen by every other sender before anything is sent
    return taken


def deliver(message: OutboxMessage, *, now: datetime | None = None) -> bool | None:
    """Claim, send and record one message; None when it was not this sender's to send."""
    now = now or utcnow()
    if not claim(message, now):
        return None
    if not message.body and message.kind in COMPOSERS and not COMPOSERS[message.kind](message):
        message.status = OutboxStatus.DROPPED
        db.session.commit()
        return None
    delivered = send(message, now=now)
    db.session.commit()
    return delivered


def deliver_committed() -> None:
    """After a request: send what it queued, if its transaction committed; never raises (the request is done)."""
    queued = db.session.info.pop(QUEUE_KEY, [])
    sendable = [m for m in queued if inspect(m).persistent and m not in db.session.dirty]
    if not sendable or db.session.new or db.session.dirty:
        return
    for message in sendable:
        _deliver_quietly(message)


def _deliver_quietly(message: OutboxMessage) -> None:
    """deliver() once the request's own work is committed: a failure is logged, never raised, and
    deliver_due() retries the message once its claim lapses."""
    message_id = inspect(message).identity[0]
    try:
        deliver(message)
    except Exception:
        db.session.rollback()
        log.exception("e-mail %s could not be sent or recorded; it is retried later", message_id)


def deliver_after_response(response, message: OutboxMessage):
    """Send a message the request queued only once the response has gone to the client, so the time a
    request takes tells nothing about what the message turns out to be (or whether it is sent at all)."""
    queued = db.session.info.get(QUEUE_KEY, [])
    if message in queued:
        queued.remove(message)
    app, message_id = current_app._get_current_object(), message.id

    def deliver_now() -> None:
        with app.app_context():
            _deliver_quietly(db.session.get(OutboxMessage, message_id))

    response.call_on_close(deliver_now)
    return response


def deliver_due(limit: int = 500, *, now: datetime | None = None) -> tuple[int, int]:
    """Send pending messages whose time has come (at `now`, default the clock); returns (sent, failed)
    by this sender: a message another sender claimed first is left to it."""
    now = now or utcnow()
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for message_id in due:
        delivered = deliver(db.session.get(OutboxMessage, message_id), now=now)
        sent += delivered is True
        failed += delivered is False
    return sent, failed
