"""The webhook outbox: events recorded with the change that caused them, then signed and POSTed.

`emit(event, payload)` adds one delivery row per endpoint that wants the event, in the caller's
transaction, so an event exists exactly when its change was committed. A delivery is sent after the
request that committed it (`deliver_committed`) and by `flask webhooks send` (`deliver_due`), which
also retries failures with back-off and gives up after MAX_ATTEMPTS.

Before sending, a sender claims the delivery with one conditional UPDATE that moves its next attempt
CLAIM_MINUTES ahead; only the sender whose update changed the row goes on, so overlapping senders never
POST the same delivery twice. The (endpoint, event id) pair is unique, so an event is recorded once per
endpoint even when two runs emit it. Receivers get the event id in a header and should still ignore
an id they have seen: a sender that dies after the POST but before recording it retries once the
claim lapses.

Each POST carries X-Webhook-Timestamp (Unix seconds) and X-Webhook-Signature:
"sha256=" + hex HMAC-SHA256 of timestamp + "." + body under the endpoint's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import uuid
from calendar import timegm
from datetime import date, datetime, timedelta
from typing import Any

import requests
from flask import current_app
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent, utcnow
from app.webhooks.addresses import AddressRefused, checked
from app.webhooks.pinning import pinned_session

log = logging.getLogger(__name__)

QUEUE_KEY = "queued_webhooks"
MAX_ATTEMPTS = 8
BACKOFF_MINUTES = (1, 5, 15, 60, 240, 720, 1440)  # after attempts 1..7; the 8th failure gives up
CLAIM_MINUTES = 5  # far longer than one POST can take (connect and read timeouts of WEBHOOK_TIMEOUT)
EVENT_NAMESPACE = uuid.UUID("5f0c8a52-3f6e-4d7a-9a83-0c7b1b7e7a11")
USER_AGENT = "MedicalHome-Webhooks/1"
HEADER_EVENT, HEADER_ID = "X-Webhook-Event", "X-Webhook-Id"
HEADER_TIMESTAMP, HEADER_SIGNATURE = "X-Webhook-Timestamp", "X-Webhook-Signature"


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, str | int | float | bool):  # an enum
        return value.value
    raise TypeError(f"{type(value).__name__} cannot go into a webhook")


def event_id_for(key: str) -> str:
    """A stable event id for a reason (like "credential.expiring:12:2026-12-04"), so re-running the job that
    emits it records it once."""
    return str(uuid.uuid5(EVENT_NAMESPACE, key))


def emit(event: WebhookEvent, payload: dict, *, key: str | None = None, now: datetime | None = None) -> list[WebhookDelivery]:
    """Record `event` for every enabled endpoint that wants it, in the caller's transaction (the caller
    flushes or commits). `key` makes the event id stable for a reason; without it every call is a new event."""
    endpoints = [e for e in db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.enabled, WebhookEndpoint.archived_at.is_(None))
        .order_by(WebhookEndpoint.id)) if e.wants(event)]
    if not endpoints:
        return []
    now = now or utcnow()
    event_id = event_id_for(key) if key else str(uuid.uuid4())
    body = json.dumps({"id": event_id, "type": event.value, "created_at": now.isoformat() + "Z", "data": payload},
                      default=_json_safe, sort_keys=True, separators=(",", ":"))
    recorded = []
    for endpoint in endpoints:
        delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event_id, event=event.value, body=body,
                                   created_at=now, next_attempt_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(delivery)
        except IntegrityError:  # this event was already recorded for this endpoint
            continue
        recorded.append(delivery)
    db.session.info.setdefault(QUEUE_KEY, []).extend(recorded)
    return recorded


def signature(secret: str, timestamp: str, body: str | bytes) -> str:
    """The X-Webhook-Signature value: "sha256=" + hex HMAC-SHA256 of timestamp + "." + body."""
    raw = body if isinstance(body, bytes) else body.encode()
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _post(delivery: WebhookDelivery, now: datetime) -> int:
    """POST the delivery once (no redirects followed, short timeouts); returns the status code."""
    endpoint = delivery.endpoint
    # Resolved and checked again now (the name may point elsewhere than at registration), and the connection
    # goes to the address checked, not to whatever a second lookup would answer.
    url, addresses = checked(endpoint.url)
    timestamp = str(timegm(now.timetuple()))
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        HEADER_EVENT: delivery.event, HEADER_ID: delivery.event_id,
        HEADER_TIMESTAMP: timestamp, HEADER_SIGNATURE: signature(endpoint.signing_secret, timestamp, body),
    }
    timeout = current_app.config.get("WEBHOOK_TIMEOUT", 5)
    with pinned_session(addresses[0]) as session:
        with session.post(url, data=body, headers=headers, timeout=(timeout, timeout), allow_redirects=False,
                          stream=True) as response:
            return response.status_code


def send(delivery: WebhookDelivery, *, now: datetime | None = None) -> bool:
    """Try one delivery and record the result, any failure included; the caller commits."""
    now = now or utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    try:
        code = _post(delivery, now)
    except AddressRefused as refused:
        code, problem = None, f"Refused: {refused}"
    except requests.Timeout:
        code, problem = None, f"No answer within {current_app.config.get('WEBHOOK_TIMEOUT', 5)} seconds."
    except requests.ConnectionError as error:
        reason = re.search(r"\[Errno -?\d+\] [^'\")]+", str(error))
        code, problem = None, f"Could not connect ({reason.group(0) if reason else error.__class__.__name__})."
    except requests.RequestException as error:
        code, problem = None, f"{error.__class__.__name__}: {error}"
    else:
        problem = "" if 200 <= code < 300 else (
            f"Answered {code}; redirects are not followed." if 300 <= code < 400 else f"Answered {code}.")
    delivery.response_code = code
    if not problem:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.last_error = ""
        return True
    delivery.last_error = problem.replace("\x00", "")[:500]
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES[delivery.attempts - 1])
    log.warning("webhook delivery %s to endpoint %s failed (attempt %s%s): %s", delivery.id, delivery.endpoint_id,
                delivery.attempts, ", given up" if delivery.status is DeliveryStatus.FAILED else "", delivery.last_error)
    return False


def claim(delivery_id: int, now: datetime) -> bool:
    """Take a due, pending delivery for this sender and commit the claim; False when another sender holds it,
    it was delivered or given up, or it is not due."""
    taken = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == DeliveryStatus.PENDING,
               WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()  # every other sender sees the claim before anything is sent
    return taken


def deliver(delivery_id: int, *, now: datetime | None = None) -> bool | None:
    """Claim, send and record one delivery; None when it was not this sender's to send (or its endpoint is
    disabled: it waits until the endpoint is enabled again)."""
    now = now or utcnow()
    endpoint = db.session.scalar(select(WebhookEndpoint).join(WebhookDelivery)
                                 .where(WebhookDelivery.id == delivery_id))
    if endpoint is None or not endpoint.enabled or endpoint.archived:
        return None
    if not claim(delivery_id, now):
        return None
    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    delivered = send(delivery, now=now)
    db.session.commit()
    return delivered


def deliver_due(limit: int = 500, *, now: datetime | None = None) -> tuple[int, int]:
    """Send pending deliveries whose time has come to enabled endpoints; returns (delivered, failed) by this
    sender. A delivery another sender claimed first is left to it."""
    now = now or utcnow()
    due = db.session.scalars(
        select(WebhookDelivery.id).join(WebhookEndpoint)
        .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now,
               WebhookEndpoint.enabled, WebhookEndpoint.archived_at.is_(None))
        .order_by(WebhookDelivery.id).limit(limit)
    ).all()
    delivered = failed = 0
    for delivery_id in due:
        result = deliver(delivery_id, now=now)
        delivered += result is True
        failed += result is False
    return delivered, failed


def deliver_committed() -> None:
    """After a request: send the deliveries it recorded, if its transaction committed; never raises."""
    queued = db.session.info.pop(QUEUE_KEY, [])
    sendable = [inspect(d).identity[0] for d in queued if inspect(d).persistent and d not in db.session.dirty]
    if not sendable or db.session.new or db.session.dirty:
        return
    for delivery_id in sendable:
        try:
            deliver(delivery_id)
        except Exception:  # the request is done; `flask webhooks send` retries once the claim lapses
            db.session.rollback()
            log.exception("webhook delivery %s could not be sent or recorded; it is retried later", delivery_id)
