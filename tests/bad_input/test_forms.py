"""Every form, attacked with bad input over HTTP: a clear message on the page and no change in the database.

The cases come from tests/bad_input/cases.py; a form class with no case fails the first test.
"""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.hiring.interview_forms import EVIDENCE_MAX
from tests.bad_input.cases import BASES, CASES, app_form_classes, declared_fields, text_fields, typed_fields
from tests.bad_input.world import changed_tables, snapshot, stored_strings
from tests.helpers import text

DYNAMIC_LIMITS = {"evidence_*": EVIDENCE_MAX}  # the scorecard's fields are made per rubric criterion
NO_LIMIT_NEEDED = {
    "auth.forms.SetPasswordForm.confirm": "must equal the password, which is limited",
    "auth.forms.ChangePasswordForm.confirm": "must equal the new password, which is limited",
    "careers.forms.ApplicationForm.website": "a honeypot: never stored",
    "admin.import_forms.ConfirmImportForm.payload": "signed by the server and checked whole",
    "hiring.bank_forms.CriterionForm.id": "a row's id; one that is not a number matches no criterion",
}
SECRET = {"password", "confirm", "payload", "website", "email", "phone", "q", "emails", "quiz"}


def _posted(client, case, world, data):
    url = case.url(world)
    if case.method == "GET":
        return client.get(url, query_string=data, follow_redirects=True)
    return client.post(url, data=data, follow_redirects=True)


def _expand(name: str, data: dict) -> list[str]:
    """A field name, or every posted field a wildcard name ("evidence_*") stands for."""
    if "*" not in name:
        return [name]
    pattern = re.compile(re.escape(name).replace(r"\*", ".+"))
    return [key for key in data if pattern.fullmatch(key)]


def _apply(data: dict, changes: dict) -> dict:
    data = dict(data)
    for name, value in changes.items():
        for key in _expand(name, data) or [name]:
            data[key] = value
    return data


def _refused(client, case, world, data, message: str) -> None:
    before = snapshot()
    response = _posted(client, case, world, data)
    page = text(response)
    assert response.status_code != 500, page
    assert message in page, f"expected {message!r} on the page"
    assert changed_tables(before, snapshot()) == []


def _text_cases():
    for form_name, case in CASES.items():
        form_class = app_form_classes()[form_name]
        limits = text_fields(form_class) | {n: m for n, m in DYNAMIC_LIMITS.items() if n in case.free_text}
        hidden = {name for name, unbound in declared_fields(form_class).items()
                  if issubclass(unbound.field_class, HiddenField)}
        for field, limit in limits.items():
            if field in hidden or field in case.absent:
                continue  # not typed by people; see test_tampered_hidden_fields_change_nothing
            yield pytest.param(case, case.prefix + field, limit, id=f"{form_name.rsplit('.', 1)[1]}.{field}")


TEXT_CASES = list(_text_cases())


# The table covers the app -------------------------------------------------------------------------
def test_every_form_has_a_case(app):
    with app.app_context():
        forms = set(app_form_classes())
    assert sorted(forms - set(CASES) - set(BASES)) == [], "add these forms to tests/bad_input/cases.py"
    assert all(set(subclasses) <= set(CASES) for subclasses in BASES.values())
    assert sorted(set(CASES) - forms) == [], "these cases name forms that no longer exist"


def test_every_form_derives_from_the_shared_base(app):
    from app.forms import AppForm, PlainForm

    with app.app_context():
        outside = [name for name, form in app_form_classes().items() if not issubclass(form, AppForm | PlainForm)]
    assert outside == []


def test_every_text_field_has_a_length_limit(app):
    with app.app_context():
        unlimited = [f"{name}.{field}" for name, form in app_form_classes().items()
                     for field, limit in text_fields(form).items() if limit is None]
    assert sorted(set(unlimited) - set(NO_LIMIT_NEEDED)) == []


@pytest.mark.parametrize("case", CASES.values(), ids=CASES)
def test_the_valid_data_is_accepted(client, world, sign_in, case):
    """The base data of each case really is valid, so a refusal below is the bad value's doing."""
    sign_in(case)
    before = snapshot()
    response = _posted(client, case, world, case.base(world))
    assert response.status_code == 200, text(response)
    if case.changes:
        assert changed_tables(before, snapshot()) != []


# Bad values ----------------------------------------------------------------------------------------
BAD = [pytest.param(case, label, changes, message, id=f"{name.rsplit('.', 1)[1]}-{label}")
       for name, case in CASES.items() for label, changes, message in case.bad]


@pytest.mark.parametrize(("case", "label", "changes", "message"), BAD)
def test_a_bad_value_gets_a_message_and_changes_nothing(client, world, sign_in, case, label, changes, message):
    sign_in(case)
    _refused(client, case, world, _apply(case.base(world), changes), message)


def _required_cases():
    for name, case in CASES.items():
        for field, unbound in declared_fields(app_form_classes()[name]).items():
            validators = unbound.kwargs.get("validators") or ()
            required = [v for v in validators if isinstance(v, DataRequired | InputRequired)]
            if required and case.method == "POST" and field not in case.absent:
                message = case.required.get(field) or required[0].message or "This field is required."
                yield pytest.param(case, case.prefix + field, message, id=f"{name.rsplit('.', 1)[1]}.{field}")


@pytest.mark.parametrize(("case", "field", "message"), list(_required_cases()))
def test_a_missing_required_field_gets_a_message_and_changes_nothing(client, world, sign_in, case, field, message):
    sign_in(case)
    data = case.base(world) | {field: ""}  # what a browser sends for a field left empty
    _refused(client, case, world, data, message)


def _typed_cases():
    for name, case in CASES.items():
        for field in typed_fields(app_form_classes()[name]):
            if case.method == "POST":
                yield pytest.param(case, case.prefix + field, id=f"{name.rsplit('.', 1)[1]}.{field}")


@pytest.mark.parametrize("value", ["twelve", "12.5", "2026-13-01", "1e9"])
@pytest.mark.parametrize(("case", "field"), list(_typed_cases()))
def test_text_in_a_number_or_date_field_gets_a_message_and_changes_nothing(client, world, sign_in, case, field, value):
    sign_in(case)
    before = snapshot()
    response = _posted(client, case, world, case.base(world) | {field: value})
    page = text(response)
    assert response.status_code not in (500, 302), page
    assert re.search(r"Not a valid|Enter a whole number|Choose|far too large|could not be understood", page)
    assert changed_tables(before, snapshot()) == []


# Attacks on every text field -------------------------------------------------------------------------
UNUSABLE = {  # the other refused characters are checked without HTTP in tests/test_input_rules.py
    "NUL": ("Ann\x00Lee", "U+0000"),
    "right-to-left override": ("Ann\u202eeeL", "U+202E"),
}


@pytest.mark.parametrize("attack", UNUSABLE)
@pytest.mark.parametrize(("case", "field", "limit"), TEXT_CASES)
def test_unusable_characters_are_refused_beside_the_field(client, world, sign_in, case, field, limit, attack):
    sign_in(case)
    value, code = UNUSABLE[attack]
    data = _apply(case.base(world), {field: value})
    if case.method == "GET":
        _refused(client, case, world, data, f"contains an invisible control character ({code})"
                 if code < "U+0020" else code)
        return
    _refused(client, case, world, data, f"({code}) at position 4; it cannot be saved.")


def _text_area(case, field: str) -> bool:
    name = field.removeprefix(case.prefix)
    if name in DYNAMIC_LIMITS:
        return True  # the scorecard's evidence fields are text areas, made per criterion
    return issubclass(declared_fields(app_form_classes()[case.form])[name].field_class, TextAreaField)


ONE_LINE = [p for p in TEXT_CASES if not _text_area(p.values[0], p.values[1])]
TEXT_AREAS = [p for p in TEXT_CASES if _text_area(p.values[0], p.values[1])]


@pytest.mark.parametrize(("case", "field", "limit"), ONE_LINE)
def test_a_line_break_in_a_one_line_field_is_refused_beside_it(client, world, sign_in, case, field, limit):
    sign_in(case)
    data = _apply(case.base(world), {field: "Ann\r\nLee"})
    _refused(client, case, world, data, "Remove a line break (U+000D) at position 4; this field holds a single line")


# A text area that counts only with other choices made, and a value with line breaks it takes.
MULTI_LINE = {
    "onboarding.authoring_forms.ModuleForm.observation": lambda w: {
        "method": "sign-off", "observation": "Runs the huddle.\r\nKeeps it to ten minutes."},
    "onboarding.authoring_forms.ModuleForm.quiz": lambda w: {
        "method": "quiz", "pass_mark": "80", "quiz": "Who runs the huddle?\r\n* The care team\r\n- Nobody"},
    "onboarding.authoring_forms.AssignForm.emails": lambda w: {"emails": f"{w.interviewer.email}\r\n{w.panelist.email}"},
}


def _kept_lines(value: str, stored: set[str]) -> bool:
    """Stored as typed (line endings aside), or split into one stored item per line (list markers aside)."""
    return value in stored or value.replace("\r\n", "\n") in stored or \
        all(line.lstrip("*-> ") in stored for line in value.splitlines())


@pytest.mark.parametrize(("case", "field", "limit"), TEXT_AREAS)
def test_a_text_area_keeps_its_line_breaks(client, world, sign_in, case, field, limit):
    sign_in(case)
    data = case.base(world)
    extra = MULTI_LINE[f"{case.form}.{field}"](world) if f"{case.form}.{field}" in MULTI_LINE else None
    names = _expand(field, data)
    lines = {name: extra[name] if extra else (data.get(name) or "").replace(" ", "\r\n", 1) for name in names}
    assert all("\r\n" in value for value in lines.values())
    response = client.post(case.url(world), data=_apply(data | (extra or {}), lines))
    assert response.status_code == 302, text(response)
    stored = stored_strings()
    for name, value in lines.items():
        assert _kept_lines(value, stored), f"{name} lost its line breaks"


@pytest.mark.parametrize(("case", "field", "limit"), [p for p in TEXT_CASES if p.values[2] is not None])
def test_over_long_text_is_refused(client, world, sign_in, case, field, limit):
    sign_in(case)
    data = _apply(case.base(world), {field: "x" * (limit + 1)})
    validators = []
    for name, unbound in declared_fields(app_form_classes()[case.form]).items():
        if case.prefix + name == field:
            validators = unbound.kwargs.get("validators") or ()
    custom = [v.message for v in validators if isinstance(v, Length) and v.message]
    message = custom[0].split("%(")[0] if custom else f"cannot be longer than {limit} characters"
    if field.startswith("evidence_"):
        message = f"cannot be longer than {EVIDENCE_MAX} characters"
    _refused(client, case, world, data, message)


# Odd but honest text: stored as typed, shown escaped --------------------------------------------------
PAYLOADS = {
    "script": ['<script>alert("x")</script>', "<b>x</b>"],
    "sql": ["O'Brien\"; DROP TABLE site;-- 100% _a_ \\n", "O'B\";--%_\\"],
    "unicode": ["Zoë Nun\u0303ez 👩🏽\u200d⚕️ مرحبا", "Zoë n\u0303 👩🏽\u200d⚕️"],
    "long word": ["Pneumonoultramicroscopicsilicovolcanoconiosis" * 3, "Donaudampfschiff", "Llanfairpwll"],
}
FREE = [pytest.param(case, case.prefix + field, kind, id=f"{name.rsplit('.', 1)[1]}.{field}-{kind}")
        for name, case in CASES.items() for field in case.free_text + case.markdown for kind in PAYLOADS]


@pytest.mark.parametrize(("case", "field", "kind"), FREE)
def test_odd_text_is_stored_as_typed_and_shown_escaped(client, world, sign_in, auth, case, field, kind):
    sign_in(case)
    data = case.base(world)
    names = _expand(field, data)
    limit = (text_fields(app_form_classes()[case.form]) | DYNAMIC_LIMITS).get(field.removeprefix(case.prefix))
    payload = next(p for p in PAYLOADS[kind] if len(p) + 1 + max(len(str(data.get(n, ""))) for n in names) <= limit)
    data = _apply(data, {n: f"{payload} {data.get(n, '')}".strip() for n in names})
    response = client.post(case.url(world), data=data)
    assert response.status_code == 302, text(response)
    assert any(payload in stored for stored in stored_strings()), "not stored as typed"
    shown_at = case.shown_at(world) if case.shown_at else response.location
    if case.viewer:
        auth.logout()
        auth.login(getattr(world, case.viewer))
    page = client.get(shown_at).get_data(as_text=True)
    if "<" in payload:
        assert payload not in page, "shown as live HTML"
    if field.removeprefix(case.prefix) in case.free_text:
        assert str(escape(payload)) in page, f"not shown on {shown_at}"


@pytest.mark.parametrize("value", ["1\x00", "99999999999999999999", "<script>", "-1"])
def test_tampered_hidden_fields_change_nothing(client, world, sign_in, value):
    case = CASES["hiring.bank_forms.CriterionForm"]
    sign_in(case)
    before = snapshot()
    response = client.post(case.url(world), data=case.base(world) | {"criteria-0-id": value}, follow_redirects=True)
    assert response.status_code == 200, text(response)
    if value != "-1" and value != "<script>":
        assert changed_tables(before, snapshot()) == []
