"""The content browser: who sees the values catalog, and who may edit a value's wording."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from app.content.library import read_library
from app.content.services import apply_library
from app.models import AuditEvent, Role, Value

CC = "care-coordination"
NEW_WORDING = {
    "name": "Care Coordination Across Settings",
    "summary": "We follow every patient's care across the clinic, the hospital and the community.",
    "description": "A rewritten paragraph about closing loops on referrals, tests and hospital stays.",
    "behaviors": "Tracks every referral until the report is back.\n"
                 "Calls patients within two days of a hospital discharge.\n"
                 "Tells the patient how each loop closed.",
}


@pytest.fixture(scope="module")
def shipped(app):
    """The shipped library, parsed once for the whole module."""
    return read_library(app.config["SEEDS_DIR"])


@pytest.fixture
def content(db, shipped):
    """The shipped library loaded into the test's database."""
    apply_library(shipped)
    db.session.commit()
    return shipped


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def value_row(db, key: str) -> Value:
    db.session.expire_all()
    return db.session.scalars(select(Value).where(Value.key == key)).one()


def value_events(db, value: Value) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "value.updated", AuditEvent.entity_id == value.id)).all()


# Signing in ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/content/", f"/content/values/{CC}", f"/content/values/{CC}/edit"])
def test_anonymous_visitors_are_sent_to_sign_in(client, content, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "Please sign in to see that page." in page(client.get(response.headers["Location"]))


# Browsing ---------------------------------------------------------------------------------------------
def test_staff_see_the_nine_values_in_order(client, content, login_as):
    login_as(Role.STAFF)
    response = client.get("/content/")
    assert response.status_code == 200
    text = page(response)
    assert len(content.values) == 9
    headings = [
        f'<h2 id="value-{value.key}"><a href="/content/values/{value.key}">{value.name}</a></h2>'
        for value in content.values
    ]
    positions = [text.index(heading) for heading in headings]  # each value's card, in catalog order
    assert positions == sorted(positions)
    for value in content.values:
        assert value.summary in text
    assert text.count("6 interview questions") == 9


def test_staff_see_a_values_questions_criteria_and_modules(client, content, login_as):
    login_as(Role.STAFF)
    response = client.get(f"/content/values/{CC}")
    assert response.status_code == 200
    text = page(response)
    value = next(v for v in content.values if v.key == CC)
    assert value.name in text and value.description in text
    for behavior in value.behaviors:
        assert behavior in text

    questions = [q for q in content.questions if q.value == CC]
    assert "In hiring: interview questions (6)" in text
    for question in questions:
        assert question.text in text
        for probe in question.probes:
            assert probe in text
    other = next(q for q in content.questions if q.value != CC)
    assert other.text not in text

    criteria = [(rubric, c) for rubric in content.rubrics for c in rubric.criteria if c.value == CC]
    assert criteria
    for rubric, criterion in criteria:
        assert f"{rubric.name}: {criterion.title}" in text
        for rating in (1, 3, 5):
            assert criterion.anchors[rating] in text

    modules = [(track, m) for track, m in content.all_modules() if CC in m.values]
    assert modules
    for track, module in modules:
        assert track.name in text
        assert module.title in text


def test_staff_have_no_edit_link_and_cannot_open_the_editor(client, content, login_as, db):
    login_as(Role.STAFF)
    assert "Edit wording" not in page(client.get(f"/content/values/{CC}"))
    assert client.get(f"/content/values/{CC}/edit").status_code == 403
    before = value_row(db, CC).name
    response = client.post(f"/content/values/{CC}/edit", data=NEW_WORDING)
    assert response.status_code == 403
    assert "Your account does not have access to this page." in page(response)
    assert value_row(db, CC).name == before
    assert value_events(db, value_row(db, CC)) == []


@pytest.mark.parametrize("url", ["/content/values/no-such-value", "/content/values/no-such-value/edit"])
def test_unknown_value_key_is_not_found(client, content, login_as, url):
    login_as(Role.HR)
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in page(response)


# Editing ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_hr_and_admins_can_edit_a_values_wording(client, content, login_as, db, role):
    user = login_as(role)
    view = page(client.get(f"/content/values/{CC}"))
    assert f'href="/content/values/{CC}/edit"' in view and "Edit wording" in view
    old = value_row(db, CC)
    old_name, old_behaviors = old.name, list(old.behaviors)
    form = page(client.get(f"/content/values/{CC}/edit"))
    assert old_behaviors[0] in form

    response = client.post(f"/content/values/{CC}/edit", data=NEW_WORDING)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/content/values/{CC}"
    shown = page(client.get(response.headers["Location"]))
    assert f"{NEW_WORDING['name']} saved." in shown
    for field in ("name", "summary", "description"):
        assert NEW_WORDING[field] in shown
    for behavior in NEW_WORDING["behaviors"].splitlines():
        assert f"<li>{behavior}</li>" in shown
    assert old_behaviors[0] not in shown

    value = value_row(db, CC)
    assert value.behaviors == NEW_WORDING["behaviors"].splitlines()
    [event] = value_events(db, value)
    assert event.actor_id == user.id
    assert event.before["name"] == old_name and event.after["name"] == NEW_WORDING["name"]
    assert event.after["behaviors"] == NEW_WORDING["behaviors"].splitlines()


def test_blank_lines_and_windows_line_endings_in_behaviors_are_tidied(client, content, login_as, db):
    login_as(Role.HR)
    data = {**NEW_WORDING, "behaviors": "  First behavior.\r\n\r\nSecond behavior.\r\nThird behavior.  \r\n"}
    assert client.post(f"/content/values/{CC}/edit", data=data).status_code == 302
    assert value_row(db, CC).behaviors == ["First behavior.", "Second behavior.", "Third behavior."]


def test_two_behaviors_are_refused_and_nothing_changes(client, content, login_as, db):
    login_as(Role.HR)
    before = value_row(db, CC)
    snapshot = (before.name, before.summary, before.description, list(before.behaviors))
    data = {**NEW_WORDING, "behaviors": "Tracks every referral.\nCalls after discharge."}
    response = client.post(f"/content/values/{CC}/edit", data=data)
    assert response.status_code == 200
    assert "Write three to five behaviors, one per line (you have 2)." in page(response)
    after = value_row(db, CC)
    assert (after.name, after.summary, after.description, list(after.behaviors)) == snapshot
    assert value_events(db, after) == []
    assert NEW_WORDING["name"] not in page(client.get(f"/content/values/{CC}"))


def test_archived_value_is_not_found_in_the_editor_either(client, content, login_as, db):
    login_as(Role.HR)
    value_row(db, CC).archive()
    db.session.commit()
    assert client.get(f"/content/values/{CC}").status_code == 404
    assert client.get(f"/content/values/{CC}/edit").status_code == 404
