"""The e-mails written to a candidate about their application: their outbox keys, and the list HR reads."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app import mail
from app.audit import record
from app.extensions import db
from app.models import Application, OutboxMessage

CONFIRMATION = "application.confirmation"
REJECTION = "application.rejection"
KINDS = (CONFIRMATION, REJECTION)  # every kind of candidate message; each is keyed "<kind>:<application id>"


def dedupe_key(kind: str, application: Application) -> str:
    """The outbox key of a once-only candidate message of this kind for this application."""
    return f"{kind}:{application.id}"


def sent_for(application: Application) -> list[OutboxMessage]:
    """The candidate messages queued for this application (whatever their delivery), oldest first."""
    keys = [dedupe_key(kind, application) for kind in KINDS]
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.in_(keys)).order_by(OutboxMessage.id))
    )


def queue_rejection(application: Application) -> OutboxMessage | None:
    """Queue the once-only, kind letter telling a candidate we are not going ahead. The same words for every
    role, and never HR's reason, which is for the record only."""
    organization = current_app.config["ORGANIZATION_NAME"]
    title = application.posting.title
    message = mail.queue(
        kind=REJECTION,
        dedupe_key=dedupe_key(REJECTION, application),
        recipient=application.email,
        subject=f"Your application for {title}",
        body=(
            f"Hello {application.name},\n\nThank you for applying for {title} at {organization} and for the "
            "time you gave us. After careful thought we have decided not to go ahead with your application "
            "for this opening.\n\nWe know this is not the news you hoped for. We would be glad to see your "
            "name again when another opening suits you.\n\nWith our best wishes,\n"
            f"The hiring team at {organization}\n"
        ),
    )
    if message is not None:
        record(db.session, "application.rejection_queued", application, recipient=application.email)
        db.session.flush()
    return message
