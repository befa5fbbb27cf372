"""Registering, changing, turning on and off the webhook endpoints (admins only)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from app.audit import record
from app.extensions import db
from app.models import User, WebhookEndpoint, WebhookEvent
from app.webhooks.addresses import AddressRefused, check_url

log = logging.getLogger(__name__)

MAX_DESCRIPTION = 200


class WebhookError(Exception):
    """A change to an endpoint that cannot be made, with a message saying why (and the form field it is about)."""

    def __init__(self, message: str, field: str = "url"):
        super().__init__(message)
        self.field = field


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _clean(url: str, description: str, events: Iterable[str]) -> tuple[str, str, list[str]]:
    try:
        url = check_url(url)
    except AddressRefused as refused:
        raise WebhookError(str(refused)) from None
    known = {event.value for event in WebhookEvent}
    chosen = sorted(set(events))
    if not chosen:
        raise WebhookError("Choose at least one event to send to this URL.", "events")
    unknown = [event for event in chosen if event not in known]
    if unknown:
        raise WebhookError(f"There is no event called {unknown[0]}.", "events")
    description = " ".join((description or "").split())
    if len(description) > MAX_DESCRIPTION:
        raise WebhookError(f"Keep the description to {MAX_DESCRIPTION} characters.", "description")
    return url, description, chosen


def register_endpoint(*, actor: User, url: str, description: str, events: Iterable[str]) -> tuple[WebhookEndpoint, str]:
    """A new enabled endpoint and its signing secret (shown to the admin once)."""
    url, description, events = _clean(url, description, events)
    secret = new_secret()
    endpoint = WebhookEndpoint(url=url, description=description, events=events, signing_secret=secret,
                               created_by_id=actor.id)
    db.session.add(endpoint)
    db.session.flush()
    record(db.session, "webhook.registered", endpoint, url=url, events=events)
    db.session.flush()
    log.info("webhook endpoint %s registered by %s", endpoint.id, actor.id)
    return endpoint, secret


def update_endpoint(endpoint: WebhookEndpoint, *, actor: User, url: str, description: str,
                    events: Iterable[str]) -> WebhookEndpoint:
    """Change where an endpoint is and what it receives; the secret stays."""
    if endpoint.archived:
        raise WebhookError("This endpoint is removed; register a new one.")
    endpoint.url, endpoint.description, endpoint.events = _clean(url, description, events)
    db.session.flush()
    return endpoint


def set_enabled(endpoint: WebhookEndpoint, enabled: bool, *, actor: User) -> None:
    """Turn deliveries on or off; while off, nothing new is recorded and what waits is kept for later."""
    if endpoint.archived:
        raise WebhookError("This endpoint is removed; register a new one.")
    if endpoint.enabled == enabled:
        raise WebhookError(f"This endpoint is already {'on' if enabled else 'off'}.")
    endpoint.enabled = enabled
    record(db.session, "webhook.enabled" if enabled else "webhook.disabled", endpoint)
    db.session.flush()


def rotate_secret(endpoint: WebhookEndpoint, *, actor: User) -> str:
    """A new signing secret, returned to show once; deliveries from now on are signed with it."""
    if endpoint.archived:
        raise WebhookError("This endpoint is removed; register a new one.")
    endpoint.signing_secret = new_secret()
    record(db.session, "webhook.secret_rotated", endpoint)
    db.session.flush()
    return endpoint.signing_secret


def remove_endpoint(endpoint: WebhookEndpoint, *, actor: User) -> None:
    """Archive the endpoint: no more deliveries; its delivery log is kept."""
    if endpoint.archived:
        raise WebhookError("This endpoint is already removed.")
    endpoint.enabled = False
    endpoint.archive()
    record(db.session, "webhook.removed", endpoint)
    db.session.flush()
