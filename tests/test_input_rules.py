"""The shared input rules in app/forms.py, without HTTP: which characters a text field refuses, and date bounds."""

from __future__ import annotations

from datetime import date

import pytest
from wtforms import DateField, EmailField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import Length

from app.forms import PlainForm, unusable_character


@pytest.mark.parametrize(("text", "expected"), [
    ("a\x00b", "an invisible control character (U+0000) at position 2"),
    ("\x07", "an invisible control character (U+0007) at position 1"),
    ("red\x1b[0m", "an invisible control character (U+001B) at position 4"),
    ("a\x7f", "an invisible control character (U+007F) at position 2"),
    ("a\x85", "an invisible control character (U+0085) at position 2"),
    ("abc\u202edcba", "a text-direction control character (U+202E) at position 4"),
    ("\u2066x\u2069", "a text-direction control character (U+2066) at position 1"),
    ("x\uffff", "a character that is not text (U+FFFF) at position 2"),
])
def test_refused_characters_are_named_with_their_position(text, expected):
    assert unusable_character(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Ann\r\nLee", "a line break (U+000D) at position 4"),
    ("Ann\nLee", "a line break (U+000A) at position 4"),
    ("Ann\tLee", "a tab (U+0009) at position 4"),
    ("Ann\x00\nLee", "an invisible control character (U+0000) at position 4"),
])
def test_one_line_text_also_refuses_tabs_and_line_breaks(text, expected):
    assert unusable_character(text, single_line=True) == expected
    assert unusable_character(text) == (expected if "U+0000" in expected else None)


@pytest.mark.parametrize("text", [
    "line one\nline two\r\n\tindented", "Zoë Nuñez", "n\u0303", "👩🏽\u200d⚕️", "مرحبا بالعالم", "שלום",
    "zero\u200bwidth space", "ZWNJ \u200c", "O'Brien \"; DROP TABLE user;-- 100% _x_ \\", "<script>",
    "Pneumonoultramicroscopicsilicovolcanoconiosis" * 40,
])
def test_honest_text_in_any_script_is_accepted(text):
    assert unusable_character(text) is None


class Notes(TextAreaField):
    """A text area of the app's own, as a form might define."""


class Sample(PlainForm):
    name = StringField(validators=[Length(max=20)])
    notes = TextAreaField()
    remarks = Notes()
    email = EmailField()
    password = PasswordField()
    when = DateField()
    count = IntegerField()


class FormData(dict):
    def getlist(self, key):
        return [self[key]] if key in self else []


def errors_for(**data) -> dict:
    form = Sample(FormData(data))
    form.validate()
    return form.errors


def test_every_text_field_gets_the_rule_and_only_its_message():
    errors = errors_for(name="a\x00" + "b" * 30, notes="x\u202e")
    assert errors["name"] == ["Remove an invisible control character (U+0000) at position 2; it cannot be saved. "
                              "Retype the text if you pasted it."]
    assert errors["notes"][0].startswith("Remove a text-direction control character (U+202E)")


@pytest.mark.parametrize("field", ["name", "email", "password"])
def test_one_line_fields_refuse_line_breaks_and_tabs_and_say_where(field):
    assert errors_for(**{field: "Ann\r\nLee"})[field] == [
        "Remove a line break (U+000D) at position 4; this field holds a single line of text."]
    assert errors_for(**{field: "Ann Lee\t"})[field] == [
        "Remove a tab (U+0009) at position 8; this field holds a single line of text."]


def test_text_areas_keep_line_breaks_and_tabs():
    text = "First line\r\n\tindented second\nthird"
    form = Sample(FormData(notes=text, remarks=text))
    assert form.validate(), form.errors
    assert form.notes.data == form.remarks.data == text


@pytest.mark.parametrize(("raw", "ok"), [("1900-01-01", True), ("2100-12-31", True), ("1899-12-31", False),
                                         ("2101-01-01", False), ("0001-01-01", False), ("9999-12-31", False)])
def test_every_date_field_stays_within_the_years_the_app_plans_for(raw, ok):
    errors = errors_for(when=raw)
    assert ("when" not in errors) == ok
    if not ok:
        assert errors["when"] == ["Enter a date between Jan 1, 1900 and Dec 31, 2100."]
    assert date.fromisoformat(raw)  # the date itself is real; only the range is refused


@pytest.mark.parametrize(("raw", "ok"), [("2147483647", True), ("-2147483647", True), ("2147483648", False),
                                         ("99999999999999999999", False)])
def test_every_integer_field_refuses_numbers_no_column_can_hold(raw, ok):
    errors = errors_for(count=raw)
    assert ("count" not in errors) == ok
    if not ok:
        assert errors["count"] == ["That number is far too large; check it and enter it again."]
