"""The e-mails written to a candidate about their application: their outbox keys, and the list HR reads."""

from __future__ import annotations

from sqlalchemy import or_, select

from app import mail
from app.audit import record
from app.extensions import db
from app.models import Application, OutboxMessage

CONFIRMATION = "application.confirmation"
REJECTION = "application.rejection"
SCREENING, INTERVIEW = "application.screening", "application.interview"  # stage letters (message_templates)
HR_MESSAGE = "application.hr_message"  # HR's one-off message, one occasion per message
# app/hiring/invitations.py; occasion "<interview>.<sequence>"
INVITATION, CANCELLATION = "interview.invitation", "interview.cancellation"
OFFER = "application.offer"  # each version of an offer letter (occasion "v<version>")
KINDS = (
    CONFIRMATION, REJECTION,
    SCREENING, INTERVIEW, HR_MESSAGE,
    INVITATION, CANCELLATION,
    OFFER,
)  # every kind of candidate message, keyed as dedupe_key() says
WITHDRAW_FOOTER = "If you no longer want to be considered, you can withdraw your application here (the link works once):"
DATA_FOOTER = "To see the information we hold about your application, or download it:"


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
    data_link: bool = True,
) -> OutboxMessage | None:
    """Queue one message to the candidate, once per kind (and occasion), with an audit entry.

    While the application is open, the message ends with the signed link that withdraws it; None when this
    message was queued before. Every message (data_link) also ends with the signed link to what the app holds
    about the application. The caller flushes nothing: this does."""
    from app.careers import links  # links moves stages through pipeline_services, which imports this module

    if withdraw_link and application.stage not in links.CLOSED:
        body = f"{body.rstrip()}\n\n{WITHDRAW_FOOTER}\n\n{links.withdraw_url(application)}\n"
    if data_link:
        body = f"{body.rstrip()}\n\n{DATA_FOOTER}\n\n{links.data_url(application)}\n"
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
    """Queue the once-only, kind letter telling a candidate we are not going ahead, from the organization's
    rejection template: the same words for every role, and never HR's reason, which is for the record only."""
    from app.hiring import message_templates  # it builds on this module

    return message_templates.queue_stage_letter(application, message_templates.Stage.REJECTED)
