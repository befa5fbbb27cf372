"""Reminder settings: the signed-in user turns due-soon reminders off and on; overdue ones stay."""

import re

from sqlalchemy import select

from app.models import AuditEvent, Role
from tests.conftest import csrf_token


def test_anonymous_visitor_is_sent_to_sign_in(client):
    for response in (client.get("/onboarding/preferences"), client.post("/onboarding/preferences")):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_page_shows_the_current_setting_and_that_overdue_reminders_always_go_out(client, login_as):
    login_as(Role.STAFF)
    page = client.get("/onboarding/preferences").get_data(as_text=True)
    assert "Reminder settings" in page
    assert "These always go out" in page
    assert re.search(r'<input[^>]*checked[^>]*name="due_soon"|<input[^>]*name="due_soon"[^>]*checked', page)
    assert '<label class="form-check-label" for="due_soon">E-mail me about modules and check-ins due in the next 3 days' in page
    assert "currently <strong>on</strong>" in page


def test_turning_due_soon_reminders_off_and_on_changes_only_the_signed_in_user(db, client, login_as, make_user):
    other = make_user(Role.STAFF)
    me = login_as(Role.STAFF)

    response = client.post("/onboarding/preferences", data={"user_id": other.id}, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert response.request.path == "/onboarding/preferences"
    assert "Due-soon reminders are off. You will still get e-mail about overdue modules and check-ins." in page
    assert "currently <strong>off</strong>" in page
    db.session.refresh(me)
    db.session.refresh(other)
    assert me.due_soon_reminders is False
    assert other.due_soon_reminders is True
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "user", AuditEvent.entity_id == me.id, AuditEvent.actor_id == me.id)
        .order_by(AuditEvent.id.desc())
    )
    assert event.before == {"due_soon_reminders": True} and event.after == {"due_soon_reminders": False}

    response = client.post("/onboarding/preferences", data={"due_soon": "y"}, follow_redirects=True)

    assert "You will get e-mail about modules and check-ins due in the next 3 days" in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.due_soon_reminders is True


def test_saving_needs_the_csrf_token(app, db, client, login_as, monkeypatch):
    me = login_as(Role.STAFF)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = client.post("/onboarding/preferences", data={})
    assert refused.status_code == 400
    db.session.refresh(me)
    assert me.due_soon_reminders is True

    token = csrf_token(client.get("/onboarding/preferences"))
    saved = client.post("/onboarding/preferences", data={"csrf_token": token})
    assert saved.status_code == 302
    db.session.refresh(me)
    assert me.due_soon_reminders is False
