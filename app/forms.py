"""The base classes every form derives from, and the input rules they share.

Every text field of an AppForm refuses characters that cannot be stored or that disguise text
(NUL, other control characters, bidirectional overrides); a one-line field (any text field but a
text area) refuses tabs and line breaks too, since its value ends up in places that hold one line,
such as an e-mail subject. Every date field refuses dates outside the years the app plans for.
Query strings and URL ids get the same rules as text areas in `init_input_rules`.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from flask import Flask, request
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter
from wtforms import DateField, Form, IntegerField, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation, ValidationError

MAX_ID = 2**31 - 1  # the largest value an INTEGER column holds on both databases
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
ALLOWED_CONTROLS = {"\t", "\n", "\r"}  # in text areas only
# In a one-line field a tab is invisible and a line break cannot be typed; either one can only be pasted.
LAYOUT_CONTROLS = {"\t": "a tab", "\n": "a line break", "\r": "a line break"}
# Bidirectional embeddings, overrides and isolates: they reorder how text is shown, so a name or
# a comment could read differently from what is stored ("Trojan Source"). Normal right-to-left
# text does not need them; the browser lays it out.
BIDI_CONTROLS = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def unusable_character(text: str, *, single_line: bool = False) -> str | None:
    """A description of the first character a text field (a one-line one, if so) may not hold, or None."""
    for position, character in enumerate(text, start=1):
        category = unicodedata.category(character)
        if single_line and character in LAYOUT_CONTROLS:
            what = LAYOUT_CONTROLS[character]
        elif (category == "Cc" and character not in ALLOWED_CONTROLS) or category == "Cs":
            what = "an invisible control character"
        elif character in BIDI_CONTROLS:
            what = "a text-direction control character"
        elif category == "Cn" and (ord(character) & 0xFFFE) == 0xFFFE:
            what = "a character that is not text"
        else:
            continue
        return f"{what} (U+{ord(character):04X}) at position {position}"
    return None


def plain_text(form, field) -> None:
    """Refuse text that holds a character we cannot store or show faithfully."""
    if isinstance(field.data, str):
        problem = unusable_character(field.data)
        if problem:
            raise StopValidation(f"Remove {problem}; it cannot be saved. Retype the text if you pasted it.")


def one_line_text(form, field) -> None:
    """Refuse what plain_text refuses, and tabs and line breaks."""
    plain_text(form, field)
    if isinstance(field.data, str):
        problem = unusable_character(field.data, single_line=True)
        if problem:
            raise StopValidation(f"Remove {problem}; this field holds a single line of text.")


class DateWithin:
    """A date between two bounds, each a date or a function of today's date."""

    def __init__(self, earliest=EARLIEST, latest=LATEST, message: str | None = None, *, final: bool = False):
        self.earliest, self.latest, self.message, self.final = earliest, latest, message, final

    def __call__(self, form, field) -> None:
        if field.data is None:
            return
        today = date.today()
        earliest = self.earliest(today) if callable(self.earliest) else self.earliest
        latest = self.latest(today) if callable(self.latest) else self.latest
        if not earliest <= field.data <= latest:
            message = self.message or f"Enter a date between {earliest:%b %-d, %Y} and {latest:%b %-d, %Y}."
            raise StopValidation(message) if self.final else ValidationError(message)


def stored_integer(form, field) -> None:
    """Refuse a number no integer column can hold (rather than failing in the database)."""
    if isinstance(field.data, int) and not -MAX_ID <= field.data <= MAX_ID:
        raise StopValidation("That number is far too large; check it and enter it again.")


def months_from_today(months: int):
    """A bound for DateWithin: today moved by this many months."""

    def bound(today: date) -> date:
        from app.onboarding.services import add_months  # here: onboarding's forms import this module

        return add_months(today, months)

    return bound


def start_date_rule() -> DateWithin:
    """A start date as the staff import takes it: at most ten years back and a year ahead."""
    return DateWithin(months_from_today(-120), months_from_today(12))


def _with_shared_rules(unbound: UnboundField) -> UnboundField:
    """The unbound field with the shared validators in front of its own."""
    shared = []
    if issubclass(unbound.field_class, TextAreaField):
        shared.append(plain_text)
    elif issubclass(unbound.field_class, StringField):
        shared.append(one_line_text)
    if issubclass(unbound.field_class, IntegerField):
        shared.append(stored_integer)
    if issubclass(unbound.field_class, DateField):
        shared.append(DateWithin(final=True))
    if not shared:
        return unbound
    args, kwargs = list(unbound.args), dict(unbound.kwargs)
    if len(args) > 1:
        args[1] = [*shared, *(args[1] or ())]
    else:
        kwargs["validators"] = [*shared, *(kwargs.get("validators") or ())]
    return UnboundField(unbound.field_class, *args, name=unbound.name, **kwargs)


class SharedRulesMeta:
    def bind_field(self, form, unbound_field, options):
        return _with_shared_rules(unbound_field).bind(form=form, **options)


class AppForm(FlaskForm):
    """The base of every posted form: CSRF from Flask-WTF plus the shared input rules."""

    class Meta(SharedRulesMeta):
        pass


class PlainForm(Form):
    """The base of sub-forms and query-string forms: the shared input rules without CSRF."""

    class Meta(SharedRulesMeta):
        pass


def ignored_filters(form: Form) -> list[str]:
    """Messages for a validated filter form's fields that had errors (their values are ignored)."""
    return [f"{field.label.text}: {error} That filter was ignored."
            for field in form if field.errors for error in field.errors]


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` in URLs: a number beyond what an id column holds is simply not found (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def query_problem() -> str | None:
    """Why the query string cannot be used, or None."""
    for key, value in request.args.items(multi=True):
        problem = unusable_character(key) or unusable_character(value)
        if problem:
            return f"The address contains {problem}. Remove it from the address and try again."
    page = request.args.get("page", "")
    if page.isascii() and page.isdigit() and int(page) > MAX_ID:
        return "There is no such page number. Go back to the first page."
    return None


def init_input_rules(app: Flask) -> None:
    """Bound URL ids; refuse query strings with control characters before any view reads them."""
    app.url_map.converters["int"] = BoundedIntConverter

    @app.before_request
    def refuse_unusable_query():
        problem = query_problem()
        if problem:
            from app.errors import render_error

            return render_error(400, problem)
        return None
