"""The e-mails written to a candidate about their application: their outbox keys, and the list HR reads."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import or_, select

from app import mail
from app.audit import record
from app.extensions import db
from app.models import Application, OutboxMessage

CONFIRMATION = "application.confirmation"
REJECTION = "application.rejection"
KINDS = (CONFIRMATION, REJECTION)  # every kind of candidate message, keyed as dedupe_key() says
OFFER = "application.offer"  # each version of an offer letter (occasion "v<version>")
KINDS += (OFFER,)
KINDS += ("interview.invitation", "interview.cancellation")  # app/hiring/invitations.py: occasion "<interview>.<sequence>"
WITHDRAW_FOOTER = "If you no longer want to be considered, you can withdraw your application here (the link works once):"


def dedupe_key(kind: str, application: Application, occasion: str | int | None = None) -> str:
    """The outbox key of a candidate message: "<kind>:<application id>", and ":<occasion>" for a kind that
    may be sent more than once to one application (each interview, each version of an offer ...)."""
    key = f"{kind}:{application.id}"
    return key if occasion is None else f"{key}:{occasion}"


def sent_for(application: Application) -> list[OutboxMessage]:
    """The candidate messages queued for this application (whatever their delivery), oldest first."""
    keyed = []
    for kind in KINDS:
        key = dedupe_key(kind, application)
        keyed += [OutboxMessage.dedupe_key == key, OutboxMessage.dedupe_key.startswith(f"{key}:", autoescape=True)]
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind.in_(KINDS), or_(*keyed)).order_by(OutboxMessage.id)
        )
    )


def queue_candidate_message(
    application: Application,
    *,
    kind: str,
    subject: str,
    body: str,
    occasion: str | int | None = None,
    html_body: str = "",
    calendar: str = "",
    withdraw_link: bool = True,
) -> OutboxMessage | None:
    """Queue one message to the candidate, once per kind (and occasion), with an audit entry.

    While the application is open, the message ends with the signed link that withdraws it; None when this
    message was queued before. The caller flushes nothing: this does."""
    from app.careers import links  # links moves stages through pipeline_services, which imports this module

    if withdraw_link and application.stage not in links.CLOSED:
        body = f"{body.rstrip()}\n\n{WITHDRAW_FOOTER}\n\n{links.withdraw_url(application)}\n"
    message = mail.queue(
        kind=kind,
        dedupe_key=dedupe_key(kind, application, occasion),
        recipient=application.email,
        subject=subject,
        body=body,
        html_body=html_body,
        calendar=calendar,
    )
    if message is not None:
        record(db.session, f"{kind}_queued", application, recipient=application.email)
        db.session.flush()
    return message


def queue_rejection(application: Application) -> OutboxMessage | None:
    """Queue the once-only, kind letter telling a candidate we are not going ahead. The same words for every
    role, and never HR's reason, which is for the record only."""
    organization = current_app.config["ORGANIZATION_NAME"]
    title = application.posting.title
    return queue_candidate_message(
        application,
        kind=REJECTION,
        subject=f"Your application for {title}",
        body=(
            f"Hello {application.name},\n\nThank you for applying for {title} at {organization} and for the "
            "time you gave us. After careful thought we have decided not to go ahead with your application "
            "for this opening.\n\nWe know this is not the news you hoped for. We would be glad to see your "
            "name again when another opening suits you.\n\nWith our best wishes,\n"
            f"The hiring team at {organization}\n"
        ),
        withdraw_link=False,
    )
