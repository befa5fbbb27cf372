"""E-mail through the outbox: every message is recorded before it is sent, then marked sent.

Messages go out over SMTP when MAIL_SERVER is set; otherwise (development) they are written to
the log. A failed send is retried later with back-off by `deliver_due()`.

Before sending, a sender claims the message: one conditional UPDATE moves its next attempt
CLAIM_MINUTES ahead, and only the sender whose update changed the row goes on. So overlapping
runs of `flask reminders send`, or a run and a request sending what it just queued, never send a
message twice. A sender that dies between its claim and its record leaves the message to be
retried once the claim lapses (it may then go out twice if the first try had reached the server).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

QUEUE_KEY = "queued_mail"
MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
CLAIM_MINUTES = 15  # longer than a send can take (SMTP timeout 10 s a step)


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


def queue(*, kind: str, dedupe_key: str, recipient: str, subject: str, body: str) -> OutboxMessage | None:
    """Record a message once per dedupe_key; returns None when it was already queued."""
    exists = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
    if exists:
        return None
    message = OutboxMessage(kind=kind, dedupe_key=dedupe_key, recipient=recipient, subject=subject, body=body)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:  # another process queued the same message first
        return None
    db.session.info.setdefault(QUEUE_KEY, []).append(message)
    return message


def _smtp_send(message: OutboxMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def send(message: OutboxMessage, *, now: datetime | None = None) -> bool:
    """Try one message and record the result; the caller commits."""
    message.attempts += 1
    try:
        if current_app.config["MAIL_SERVER"]:
            _smtp_send(message)
        else:
            log.info("e-mail %s to %s: %s\n%s", message.id, message.recipient, message.subject, message.body)
    except (OSError, smtplib.SMTPException) as error:
        message.last_error = f"{error.__class__.__name__}: {error}"[:500]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.FAILED
        else:
            delay = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
            message.next_attempt_at = (now or utcnow()) + timedelta(minutes=delay)
        log.warning("e-mail %s failed (attempt %s): %s", message.id, message.attempts, message.last_error)
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
    """After a request: send what it queued, if its transaction committed."""
    queued = db.session.info.pop(QUEUE_KEY, [])
    sendable = [m for m in queued if inspect(m).persistent and m not in db.session.dirty]
    if not sendable or db.session.new or db.session.dirty:
        return
    for message in sendable:
        deliver(message)


def deliver_after_response(response, message: OutboxMessage):
    """Send a message the request queued only once the response has gone to the client, so the time a
    request takes tells nothing about what the message turns out to be (or whether it is sent at all)."""
    queued = db.session.info.get(QUEUE_KEY, [])
    if message in queued:
        queued.remove(message)
    app, message_id = current_app._get_current_object(), message.id

    def deliver_now() -> None:
        with app.app_context():
            try:
                deliver(db.session.get(OutboxMessage, message_id))
            except Exception:  # noqa: BLE001 (the response is gone; the message stays queued for the next run)
                log.exception("e-mail %s could not be sent after its response", message_id)

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
