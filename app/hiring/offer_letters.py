"""The offer letter: the organization's template with {fields}, checked when HR saves it, and filled in per offer.

A template is never evaluated as code: it is split with string.Formatter().parse and each {field} is
looked up in a fixed mapping of plain strings (no attribute access, indexing, conversion or format
spec is allowed at save, and none is ever applied when filling in). The HTML version escapes the
whole filled-in text, the candidate's values included.
"""

from __future__ import annotations

import logging
from string import Formatter

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import select

from app.audit import record
from app.extensions import db
from app.models import Offer, OfferLetterTemplate, User

log = logging.getLogger(__name__)

FIELDS = {
    "candidate_name": "the candidate's name",
    "title": "the job title on the offer",
    "start_date": "the start date",
    "pay": "the pay and its period, e.g. $24.50 an hour",
    "employment_type": "full time, part time ...",
    "expires_on": "the last day to answer",
    "organization": "the organization's name",
}
DEFAULT_SUBJECT = "Your offer: {title} at {organization}"
DEFAULT_BODY = """Dear {candidate_name},

We are delighted to offer you the position of {title} at {organization}.

Start date: {start_date}
Pay: {pay}
Employment type: {employment_type}

This offer is open until {expires_on}. You can accept or decline it with the link in this e-mail.

We look forward to welcoming you to our care team.

With warm regards,
The hiring team at {organization}"""


class LetterTemplateError(Exception):
    """A template that cannot be saved, with what to change; field is "subject" or "body"."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _pieces(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    return list(Formatter().parse(text))


def problems(text: str) -> list[str]:
    """What stops this text from being a letter template (unknown fields, stray braces); empty when fine."""
    try:
        pieces = _pieces(text)
    except ValueError:
        return ["A single { or } cannot stand alone: write a field like {candidate_name}, or {{ and }} for a "
                "brace itself."]
    found = []
    known = ", ".join("{" + name + "}" for name in FIELDS)
    for _, name, spec, conversion in pieces:
        if name is None:
            continue
        if name == "":
            found.append(f"An empty {{}} is not a field. Use one of {known}.")
        elif name not in FIELDS:
            found.append(f"{{{name}}} is not a field the letter knows. Use one of {known}.")
        elif spec or conversion:
            found.append(f"Write {{{name}}} on its own, without ':' or '!' after the name.")
    return list(dict.fromkeys(found))


def current() -> tuple[str, str]:
    """The organization's letter subject and body (the built-in letter until HR saves one)."""
    row = db.session.scalar(select(OfferLetterTemplate).order_by(OfferLetterTemplate.id).limit(1))
    return (row.subject, row.body) if row else (DEFAULT_SUBJECT, DEFAULT_BODY)


def save(*, subject: str, body: str, actor: User) -> OfferLetterTemplate:
    """Save the letter template after checking every {field} in it; LetterTemplateError changes nothing."""
    subject, body = subject.strip(), body.replace("\r\n", "\n").strip()
    for field, text in (("subject", subject), ("body", body)):
        found = problems(text)
        if found:
            raise LetterTemplateError(field, " ".join(found))
    row = db.session.scalar(select(OfferLetterTemplate).order_by(OfferLetterTemplate.id).limit(1))
    if row is None:
        row = OfferLetterTemplate(subject=subject, body=body)
        db.session.add(row)
    else:
        row.subject, row.body = subject, body
    db.session.flush()
    record(db.session, "offer_letter.saved", row)
    db.session.flush()
    log.info("offer letter template saved by %s", actor.id)
    return row


def long_date(value) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def pay_text(offer: Offer) -> str:
    """$52,000 a year, $24.50 an hour."""
    dollars, cents = divmod(offer.pay_cents, 100)
    amount = f"${dollars:,}" if not cents else f"${dollars:,}.{cents:02d}"
    return f"{amount} {offer.pay_period.label}"


def values(offer: Offer) -> dict[str, str]:
    """The fixed mapping a letter is filled in from: plain strings only."""
    return {
        "candidate_name": offer.application.name,
        "title": offer.title,
        "start_date": long_date(offer.start_date),
        "pay": pay_text(offer),
        "employment_type": offer.employment_type.label.lower(),
        "expires_on": long_date(offer.expires_on),
        "organization": current_app.config["ORGANIZATION_NAME"],
    }


def fill(text: str, mapping: dict[str, str]) -> str:
    """The template with each {field} replaced by its value; a field the mapping lacks stays as typed."""
    out = []
    for literal, name, _, _ in _pieces(text):
        out.append(literal)
        if name is not None:
            out.append(mapping.get(name, "{" + name + "}"))
    return "".join(out)


def compose(offer: Offer) -> tuple[str, str]:
    """The subject and plain-text letter for this offer, from the current template."""
    subject, body = current()
    mapping = values(offer)
    return fill(subject, mapping), fill(body, mapping)


def as_html(text: str) -> Markup:
    """The letter's plain text as HTML paragraphs, every character escaped (line breaks kept)."""
    paragraphs = [part.strip("\n") for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in part.split("\n")))
                             for part in paragraphs)
