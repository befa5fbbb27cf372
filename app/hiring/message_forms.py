"""Forms for the organization's candidate letters and HR's one-off message to a candidate."""

from __future__ import annotations

from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.forms import AppForm
from app.hiring.message_templates import FIELDS, problems

FIELD_HELP = "Fields filled in for each candidate: " + ", ".join(f"{{{name}}} ({what})" for name, what in FIELDS.items()) \
    + ". Write {{ or }} for a brace itself."


def usable_template(form, field) -> None:
    """Name the first unknown or malformed {field}, so nothing is saved with it."""
    found = problems(field.data or "")
    if found:
        raise ValidationError(found[0])


class LetterTemplateForm(AppForm):
    """One letter's wording; Preview shows it filled in for a sample candidate without saving."""

    subject = StringField("Subject", validators=[DataRequired("Write the subject."), Length(max=200),
                                                 usable_template])
    body = TextAreaField("Letter", validators=[DataRequired("Write the letter."), Length(max=10000), usable_template],
                         render_kw={"rows": 14}, description=FIELD_HELP)
    preview = SubmitField("Preview")
    submit = SubmitField("Save letter")


class CandidateMessageForm(AppForm):
    """HR's one-off e-mail to a candidate, sent through the outbox with the withdraw link while open."""

    subject = StringField("Subject", validators=[DataRequired("Write the subject."), Length(max=200)])
    body = TextAreaField("Message", validators=[DataRequired("Write the message."), Length(max=10000)],
                         render_kw={"rows": 6},
                         description="Sent as written, as plain text, and listed in the timeline.")
    submit = SubmitField("Send message")
