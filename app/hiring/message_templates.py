"""The organization's editable letters to candidates on a stage change: their {fields}, checks and sending.

A template is plain text with {field} places. It is filled in with str.format_map on a fixed mapping of
strings, so nothing in a template is ever evaluated: no attributes, indexes, conversions or format specs
are allowed (save refuses them, naming the field), and a filled-in value is never filled in again.
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.audit import acting_as, record
from app.extensions import db
from app.hiring import candidate_messages
from app.models import Application, MessageTemplate, OutboxMessage, Stage, User

log = logging.getLogger(__name__)

FIELDS = {
    "candidate_name": "the candidate's name as they gave it",
    "posting_title": "the title of the posting",
    "organization": "your organization's name",
    "site_name": "the site (clinic) of the posting",
}


@dataclass(frozen=True)
class Letter:
    """A stage letter: its key, the stage that sends it, its outbox kind and our default wording."""

    key: str
    title: str
    stage: Stage
    kind: str
    subject: str
    body: str
    withdraw_link: bool = True


LETTERS = {
    letter.key: letter
    for letter in (
        Letter(
            "screening", "Screening", Stage.SCREENING, candidate_messages.SCREENING,
            "Your application for {posting_title} is being reviewed",
            "Hello {candidate_name},\n\nThank you for applying for {posting_title} at {site_name}. A member of "
            "our hiring team is now reading your application closely. If it fits what the role needs, we will "
            "write to you again about an interview.\n\nYou do not need to do anything for now.\n\n"
            "Kind regards,\nThe hiring team at {organization}\n",
        ),
        Letter(
            "interview", "Interview", Stage.INTERVIEW, candidate_messages.INTERVIEW,
            "We would like to interview you for {posting_title}",
            "Hello {candidate_name},\n\nThank you for your interest in {posting_title} at {site_name}. We would "
            "like to interview you. An invitation with the time and place follows in a separate e-mail; if "
            "the time does not suit you, reply to it and we will find another.\n\nWe look forward to "
            "meeting you.\n\nKind regards,\nThe hiring team at {organization}\n",
        ),
        Letter(
            "rejection", "Rejection", Stage.REJECTED, candidate_messages.REJECTION,
            "Your application for {posting_title}",
            "Hello {candidate_name},\n\nThank you for applying for {posting_title} at {organization} and for "
            "the time you gave us. After careful thought we have decided not to go ahead with your "
            "application for this opening.\n\nWe know this is not the news you hoped for. We would be glad "
            "to see your name again when another opening suits you.\n\nWith our best wishes,\n"
            "The hiring team at {organization}\n",
            withdraw_link=False,
        ),
    )
}
BY_STAGE = {letter.stage: letter for letter in LETTERS.values()}


class TemplateError(Exception):
    """A template that cannot be saved, with a message naming the field or brace to fix."""


def problems(text: str) -> list[str]:
    """What is wrong with a template text: unknown or malformed {fields}, unmatched braces; [] when usable."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return ["A { or } has no partner. Write a field as {candidate_name}; for a brace itself write {{ or }}."]
    found = []
    known = ", ".join(f"{{{name}}}" for name in FIELDS)
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in FIELDS or spec or conversion:
            shown = "{}" if not field else "{" + field + (f"!{conversion}" if conversion else "") + \
                (f":{spec}" if spec else "") + "}"
            found.append(f"{shown} is not a field we can fill in. Use only {known}.")
    return list(dict.fromkeys(found))


def fill(text: str, values: dict[str, str]) -> str:
    """The template with its fields filled in; values are plain strings and are never filled in again."""
    if problems(text):
        raise TemplateError(problems(text)[0])
    return text.format_map(values)


def values_for(application: Application) -> dict[str, str]:
    """The fixed mapping a letter is filled in from."""
    return {
        "candidate_name": application.name,
        "posting_title": application.posting.title,
        "organization": current_app.config["ORGANIZATION_NAME"],
        "site_name": application.posting.site.name,
    }


def sample_values() -> dict[str, str]:
    """The values a preview shows: a made-up candidate for a made-up posting."""
    return {
        "candidate_name": "Alex Sample",
        "posting_title": "Medical Assistant",
        "organization": current_app.config["ORGANIZATION_NAME"],
        "site_name": "Eastside Family Health",
    }


def templates() -> dict[str, MessageTemplate]:
    """The saved template of every letter (missing ones made from our defaults, not yet flushed)."""
    saved = {row.key: row for row in db.session.scalars(select(MessageTemplate))}
    return {key: saved.get(key) or MessageTemplate(key=key, subject=letter.subject, body=letter.body)
            for key, letter in LETTERS.items()}


def template_for(key: str) -> MessageTemplate:
    """The saved template of one letter, or our default wording."""
    letter = LETTERS[key]
    saved = db.session.scalar(select(MessageTemplate).where(MessageTemplate.key == key))
    return saved or MessageTemplate(key=key, subject=letter.subject, body=letter.body)


def load_defaults() -> int:
    """Add our default wording for every letter that has no saved template (HR's edits are kept); the count."""
    saved = set(db.session.scalars(select(MessageTemplate.key)))
    missing = [letter for key, letter in LETTERS.items() if key not in saved]
    for letter in missing:
        db.session.add(MessageTemplate(key=letter.key, subject=letter.subject, body=letter.body))
    db.session.flush()
    return len(missing)


def save_template(key: str, *, subject: str, body: str, actor: User) -> MessageTemplate:
    """Save HR's wording of a letter; TemplateError (nothing changed) when a field is unknown or malformed."""
    subject, body = subject.strip(), body.replace("\r\n", "\n").strip()
    if not subject or not body.strip():
        raise TemplateError("Write both a subject and a body.")
    found = [f"Subject: {p}" for p in problems(subject)] + [f"Body: {p}" for p in problems(body)]
    if found:
        raise TemplateError(" ".join(found))
    template = template_for(key)
    if template.id is None:
        db.session.add(template)
    with acting_as(db.session, actor.id):
        template.subject, template.body, template.edited_by_id = subject, body, actor.id
        db.session.flush()
        record(db.session, "message_template.saved", template, key=key)
        db.session.flush()
    log.info("message template %s saved by user %s", key, actor.id)
    return template


def queue_stage_letter(application: Application, stage: Stage) -> OutboxMessage | None:
    """Queue the letter of the stage the application moved to (once per application), if the stage has one."""
    letter = BY_STAGE.get(stage)
    if letter is None:
        return None
    template = template_for(letter.key)
    values = values_for(application)
    try:
        subject, body = fill(template.subject, values), fill(template.body, values)
    except TemplateError:  # saved before a field was withdrawn: our own wording rather than no letter
        log.warning("message template %s is unusable; the default is sent", letter.key)
        subject, body = fill(letter.subject, values), fill(letter.body, values)
    return candidate_messages.queue_candidate_message(
        application, kind=letter.kind, subject=subject, body=body.rstrip() + "\n", withdraw_link=letter.withdraw_link
    )
