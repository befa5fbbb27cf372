"""The public application form."""

from __future__ import annotations

import re

from flask_wtf.file import FileField
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.forms import AppForm

PHONE_PATTERN = re.compile(r"^\+?[0-9 ().\-]+(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def phone_number(form, field) -> None:
    """Digits with the usual separators, 7 to 15 digits before any extension."""
    if not field.data:
        return
    main = re.split(r"(?i)x|ext", field.data)[0]
    digits = sum(character.isdigit() for character in main)
    if not PHONE_PATTERN.match(field.data) or not 7 <= digits <= 15:
        raise ValidationError("Enter a phone number with digits, spaces, dashes or brackets, e.g. (251) 555-0143.")


class ApplicationForm(AppForm):
    name = StringField(
        "Full name",
        filters=[_strip],
        validators=[DataRequired("Please enter your name."), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        "E-mail",
        filters=[_strip],
        validators=[
            DataRequired("Please enter your e-mail address."),
            Email("Enter an e-mail address like name@example.org."),
            Length(max=254),
        ],
        description="We reply by e-mail.",
        render_kw={"autocomplete": "email"},
    )
    phone = StringField(
        "Phone (optional)",
        filters=[_strip],
        validators=[Optional(), Length(max=40), phone_number],
        render_kw={"autocomplete": "tel"},
    )
    why = TextAreaField(
        "Why do you want to work in a medical home?",
        filters=[_strip],
        validators=[
            DataRequired("Please tell us, in a few sentences, why you want to work in a medical home."),
            Length(min=20, max=2000, message="Write between 20 and 2,000 characters (you wrote %(length)d)."),
        ],
        description="20 to 2,000 characters, in your own words. There is no single right answer.",
        render_kw={"rows": 6},
    )
    resume = FileField(
        "Résumé (optional)",
        description="A PDF file of up to 5 MB.",
        render_kw={"accept": ".pdf,application/pdf"},
    )
    # Honeypot: hidden from people (see the template); bots that fill it are thanked and ignored.
    website = StringField("Leave this field empty", render_kw={"tabindex": "-1", "autocomplete": "off"})
    submit = SubmitField("Send my application")


class WithdrawForm(AppForm):
    """The candidate's confirmation before their application is withdrawn (only the CSRF token and a button)."""

    submit = SubmitField("Withdraw my application")
