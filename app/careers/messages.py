"""The e-mails written to a candidate about their application: their outbox keys, and the list HR reads."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Application, OutboxMessage

CONFIRMATION = "application.confirmation"
KINDS = (CONFIRMATION,)  # every kind of candidate message; each is keyed "<kind>:<application id>"


def dedupe_key(kind: str, application: Application) -> str:
    """The outbox key of a once-only candidate message of this kind for this application."""
    return f"{kind}:{application.id}"


def sent_for(application: Application) -> list[OutboxMessage]:
    """The candidate messages queued for this application (whatever their delivery), oldest first."""
    keys = [dedupe_key(kind, application) for kind in KINDS]
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.in_(keys)).order_by(OutboxMessage.id))
    )
