"""HR's one-off message to a candidate from the application page, and the application's timeline."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.audit import acting_as, record
from app.extensions import db
from app.hiring import candidate_messages
from app.hiring.pipeline_services import STAGE_LABELS
from app.models import Application, OutboxMessage, OutboxStatus, Stage, StageChange, User

log = logging.getLogger(__name__)

KIND_LABELS = {
    candidate_messages.CONFIRMATION: "Confirmation of the application",
    candidate_messages.REJECTION: "Rejection letter",
    candidate_messages.SCREENING: "Screening letter",
    candidate_messages.INTERVIEW: "Interview letter",
    candidate_messages.HR_MESSAGE: "Message from HR",
    candidate_messages.INVITATION: "Interview invitation",
    candidate_messages.CANCELLATION: "Interview cancelled",
    candidate_messages.OFFER: "Offer letter",
}
DELIVERY = {
    OutboxStatus.PENDING: "Waiting to be sent",
    OutboxStatus.SENT: "Sent",
    OutboxStatus.FAILED: "Could not be sent",
    OutboxStatus.DROPPED: "Not sent",
}


class MessageRefused(Exception):
    """A one-off message that cannot be sent, with a message HR can act on; nothing was queued."""


def send_message(application: Application, *, subject: str, body: str, actor: User) -> OutboxMessage:
    """Queue HR's message to the candidate: its own occasion (the next number), so each message goes once."""
    subject, body = (subject or "").strip(), (body or "").replace("\r\n", "\n").strip()
    if not subject or not body:
        raise MessageRefused("Write both a subject and a message.")
    if application.anonymized_at is not None:
        raise MessageRefused("This application was anonymized: the candidate's e-mail address is no longer kept.")
    prefix = candidate_messages.dedupe_key(candidate_messages.HR_MESSAGE, application) + ":"
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == candidate_messages.HR_MESSAGE, OutboxMessage.dedupe_key.startswith(prefix, autoescape=True)))
    with acting_as(db.session, actor.id):
        message = candidate_messages.queue_candidate_message(
            application, kind=candidate_messages.HR_MESSAGE, subject=subject, body=body + "\n", occasion=sent + 1)
    if message is None:  # the same form sent twice at once: the other request queued this message
        raise MessageRefused("This message was already queued; it is in the timeline.")
    with acting_as(db.session, actor.id):  # what HR wrote, before the withdraw link was added
        record(db.session, "application.hr_message_written", application, subject=subject, body=body,
               message_id=message.id)
        db.session.flush()
    log.info("one-off message %s to application %s by user %s", message.id, application.id, actor.id)
    return message


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: a stage change or a message to the candidate."""

    at: datetime
    what: str
    detail: str
    delivery: str = ""
    sent_at: datetime | None = None


def _mover(change: StageChange, names: dict[int, str]) -> str:
    """Who moved the application: the HR user, the applicant (applying, or withdrawing by their link) or the app."""
    if change.actor_id:
        return names.get(change.actor_id, "a former user")
    if change.from_stage is None or change.to_stage is Stage.WITHDRAWN:
        return "the applicant"
    return "the system"


def timeline(application: Application) -> list[Entry]:
    """Stage changes (with their reason and who made them) and every candidate message, oldest first; three
    queries however long the history."""
    changes = list(application.stage_changes)
    actor_ids = {change.actor_id for change in changes if change.actor_id}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(actor_ids))).all()) if actor_ids else {}
    entries = [
        Entry(change.at, "Stage", (f"{STAGE_LABELS[change.from_stage]} → " if change.from_stage else "")
              + STAGE_LABELS[change.to_stage] + (f" ({change.reason})" if change.reason else "")
              + f", by {_mover(change, names)}")
        for change in changes
    ]
    for message in candidate_messages.sent_for(application):
        entries.append(Entry(message.created_at, KIND_LABELS.get(message.kind, "E-mail"), message.subject,
                             DELIVERY[message.status], message.sent_at))
    return sorted(entries, key=lambda entry: entry.at)
