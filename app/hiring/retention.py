"""Retention: the personal details of candidates not hired are removed after CANDIDATE_RETENTION_DAYS.

An application whose last change is older than the period, and that did not end in a hire, keeps its
posting, stages, interviews and scores (the validity figures need them) and loses the candidate's name,
e-mail, phone, "why" text and résumé files, in the application, its later submissions, the e-mails written
to them and the audit entries about them. The columns are rewritten with plain UPDATE statements, so the
audit log does not keep a copy of what was removed; one audit entry per application says it was done.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select, update

from app.audit import acting_as, record
from app.extensions import db
from app.hiring import candidate_messages
from app.hiring.resumes import stored_file
from app.models import (
    Application,
    ApplicationResubmission,
    AuditEvent,
    OutboxStatus,
    Stage,
    utcnow,
)

log = logging.getLogger(__name__)

ANONYMIZED_NAME = "Anonymized applicant"
PERSONAL_KEYS = {"name", "email", "phone", "why_medical_home", "resume_path", "recipient", "subject", "body"}
REMOVED = "[removed]"


def anonymized_email(application_id: int) -> str:
    """A placeholder that keeps one address per posting (the table's unique rule) and reaches nobody."""
    return f"anonymized-{application_id}@invalid"


def due(now: datetime | None = None, days: int | None = None) -> list[int]:
    """Ids of the applications to anonymize: not hired, not yet anonymized, unchanged for the period."""
    days = current_app.config["CANDIDATE_RETENTION_DAYS"] if days is None else days
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(db.session.scalars(
        select(Application.id).where(Application.stage != Stage.HIRED, Application.hired_user_id.is_(None),
                                     Application.anonymized_at.is_(None), Application.updated_at < cutoff)
        .order_by(Application.id)
    ))


def _remove_file(name: str | None) -> None:
    path = stored_file(name)
    if path is not None:
        path.unlink(missing_ok=True)


def _scrub(values: dict) -> dict:
    return {key: (REMOVED if key in PERSONAL_KEYS and value not in (None, "") else value)
            for key, value in (values or {}).items()}


def anonymize_application(application: Application, *, now: datetime | None = None) -> bool:
    """Remove one application's personal details everywhere the app keeps them; the caller commits. False when
    another run anonymized it first: the conditional UPDATE that starts the work claims the row."""
    now = now or utcnow()
    application_id, resume_path = application.id, application.resume_path
    messages = candidate_messages.sent_for(application)
    claimed = db.session.execute(
        update(Application).where(Application.id == application_id, Application.anonymized_at.is_(None),
                                  Application.stage != Stage.HIRED).values(
            name=ANONYMIZED_NAME, email=anonymized_email(application_id), phone="", why_medical_home="",
            resume_path=None, anonymized_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not claimed:
        return False
    resubmissions = list(db.session.scalars(
        select(ApplicationResubmission).where(ApplicationResubmission.application_id == application_id)))
    if resubmissions:
        db.session.execute(
            update(ApplicationResubmission).where(ApplicationResubmission.application_id == application_id)
            .values(name=ANONYMIZED_NAME, phone="", why_medical_home="", resume_path=None)
            .execution_options(synchronize_session=False))
    for message in messages:
        if message.status is OutboxStatus.PENDING:
            message.status = OutboxStatus.DROPPED  # never sent to an address that is gone
        message.recipient, message.body, message.html_body, message.calendar = "", "", "", ""
        if message.kind == candidate_messages.HR_MESSAGE:
            message.subject = "Message from the hiring team"
    entities = [("application", [application_id]),
                ("application_resubmission", [later.id for later in resubmissions])]
    for entity_type, ids in entities:
        if not ids:
            continue
        for event_row in db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id.in_(ids))
        ):
            before, after = _scrub(event_row.before), _scrub(event_row.after)
            if before != event_row.before or after != event_row.after:
                event_row.before, event_row.after = before, after
    for file_name in [resume_path, *(later.resume_path for later in resubmissions)]:
        _remove_file(file_name)
    db.session.flush()
    for later in resubmissions:
        db.session.expire(later)
    db.session.expire(application)
    record(db.session, "application.anonymized", application, retention_days=current_app.config[
        "CANDIDATE_RETENTION_DAYS"])
    db.session.flush()
    log.info("application %s anonymized", application_id)
    return True


def anonymize_due(now: datetime | None = None) -> int:
    """Anonymize every application past the retention period; the count (0 on a second run). Commits each one,
    so a run that stops half-way keeps what it did, and an overlapping run skips what another one claimed."""
    count = 0
    for application_id in due(now):
        application = db.session.get(Application, application_id)
        with acting_as(db.session, None):
            done = anonymize_application(application, now=now)
        db.session.commit()
        count += done
    return count


@click.group()
def candidates() -> None:
    """Candidates' personal data: retention."""


@candidates.command("anonymize")
@with_appcontext
def anonymize() -> None:
    """Anonymize applications of candidates not hired once CANDIDATE_RETENTION_DAYS have passed (safe to rerun)."""
    count = anonymize_due()
    days = current_app.config["CANDIDATE_RETENTION_DAYS"]
    click.echo(f"{count} application(s) anonymized (candidates not hired, unchanged for {days} days).")
