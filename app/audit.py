"""The audit log: one session listener records create, update and archive of every model.

Services may add a named event with `record()` for workflow steps that are more than a field
change (a posting opened over a coverage gap, a sign-in, a seed load). The actor is the signed-in
user, or whoever a CLI command or test names with `acting_as()`.
"""

from __future__ import annotations

import enum
import logging
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.models import (
    ApiCall,
    ApiToken,
    ApplicationResubmission,
    AuditEvent,
    CheckIn,
    CheckInRating,
    Completion,
    CredentialingEvent,
    CredentialScan,
    CredentialType,
    EmployeeCredential,
    IdempotentRequest,
    OutboxMessage,
    Privilege,
    StageChange,
    WebhookDelivery,
    utcnow,
)

log = logging.getLogger(__name__)

NOT_AUDITED = {AuditEvent, OutboxMessage, ApiCall, IdempotentRequest, WebhookDelivery}  # logs and outboxes of their own
SECRET_FIELDS = {"password_hash", "session_token", "calendar_token", "token_hash", "signing_secret"}
IGNORED_FIELDS = {"created_at", "updated_at"}
ACTOR_KEY = "audit_actor_id"


def _plain(value: Any) -> Any:
    """A JSON-safe copy of a column value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _shown(field: str, value: Any) -> Any:
    return "[changed]" if field in SECRET_FIELDS and value is not None else _plain(value)


def _actor_id(session: Session) -> int | None:
    if ACTOR_KEY in session.info:
        return session.info[ACTOR_KEY]
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


@contextmanager
def acting_as(session: Session, actor_id: int | None):
    """Attribute the changes made inside the block to actor_id (None = the system)."""
    had_actor, previous = ACTOR_KEY in session.info, session.info.get(ACTOR_KEY)
    session.info[ACTOR_KEY] = actor_id
    try:
        yield
    finally:
        if had_actor:
            session.info[ACTOR_KEY] = previous
        else:
            session.info.pop(ACTOR_KEY, None)


def record(session: Session, action: str, entity: Any = None, note: str = "", **after: Any) -> AuditEvent:
    """Add a named audit event for a workflow step; the caller's flush writes it."""
    event_row = AuditEvent(
        actor_id=_actor_id(session),
        action=action,
        entity_type=_entity_type(entity) if entity is not None else "",
        entity_id=getattr(entity, "id", None),
        after=_plain(after),
        note=note,
    )
    session.add(event_row)
    return event_row


def _entity_type(obj: Any) -> str:
    return getattr(obj, "__tablename__", type(obj).__name__.lower())


def _row(obj: Any, action: str, before: dict, after: dict, actor_id: int | None) -> dict:
    return {
        "at": utcnow(),
        "actor_id": actor_id,
        "action": action,
        "entity_type": _entity_type(obj),
        "entity_id": getattr(obj, "id", None),
        "before": before,
        "after": after,
        "note": "",
    }


def _created(obj: Any) -> tuple[dict, dict]:
    state = inspect(obj)
    after = {
        attr.key: _shown(attr.key, getattr(obj, attr.key))
        for attr in state.mapper.column_attrs
        if attr.key not in IGNORED_FIELDS
    }
    return {}, after


def _changed(obj: Any) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        if attr.key in IGNORED_FIELDS:
            continue
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if _plain(old) == _plain(new):
            continue
        before[attr.key] = _shown(attr.key, old)
        after[attr.key] = _shown(attr.key, new)
    return before, after


def _after_flush(session: Session, flush_context: Any) -> None:
    actor_id = _actor_id(session)
    rows = []
    for obj in session.new:
        if type(obj) in NOT_AUDITED:
            continue
        before, after = _created(obj)
        rows.append(_row(obj, f"{_entity_type(obj)}.created", before, after, actor_id))
    for obj in session.dirty:
        if type(obj) in NOT_AUDITED or not session.is_modified(obj, include_collections=False):
            continue
        before, after = _changed(obj)
        if not after:
            continue
        if "archived_at" in after:
            verb = "archived" if after["archived_at"] else "restored"
        else:
            verb = "updated"
        rows.append(_row(obj, f"{_entity_type(obj)}.{verb}", before, after, actor_id))
    for obj in session.deleted:
        if type(obj) in NOT_AUDITED:
            continue
        if type(obj) in (ApiToken, ApplicationResubmission, CheckIn, CheckInRating, Completion, CredentialingEvent,
                         CredentialScan, CredentialType, EmployeeCredential, Privilege, StageChange):
            raise RuntimeError(f"{_entity_type(obj)} rows are history and are never deleted")
        rows.append(_row(obj, f"{_entity_type(obj)}.deleted", _created(obj)[1], {}, actor_id))
    if rows:
        session.connection().execute(AuditEvent.__table__.insert(), rows)


def init_audit() -> None:
    """Listen on every ORM session (called from create_app; listening twice is a no-op)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
