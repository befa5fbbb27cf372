"""Account hardening: the remember-me cookie's life and removal, current-password guesses, the
calendar link after a password change or reset, and invitations for accounts that have a password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

from sqlalchemy import select

from app.auth import services
from app.models import OutboxMessage, Role
from tests.conftest import PASSWORD
from tests.helpers import count, text

NEW_PASSWORD = "tulip ferry lantern okra"


def set_cookies(response) -> dict[str, SimpleCookie]:
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie(header)
        cookies.update({name: cookie for name in cookie})
    return cookies


def test_remember_me_lasts_two_weeks_and_sign_out_removes_it(browser, make_user):
    user = make_user(Role.STAFF)
    client = browser()
    signed_in = client.post_form("/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = set_cookies(signed_in)["remember_token"]["remember_token"]
    expires = datetime.strptime(remember["expires"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert timedelta(days=13) < expires - datetime.now(UTC) <= timedelta(days=14)
    assert remember["secure"] and remember["httponly"]

    signed_out = client.post_form("/logout", {}, form_page="/home")
    removed = set_cookies(signed_out)["remember_token"]["remember_token"]
    assert removed.value == "" and removed["expires"].endswith("1970 00:00:00 GMT")


def test_wrong_current_passwords_are_limited_per_account(client, login_as):
    user = login_as(Role.STAFF)
    for _ in range(5):
        wrong = client.post("/account/password", data={"current": "a wrong guess here", "password": NEW_PASSWORD,
                                                       "confirm": NEW_PASSWORD})
        assert wrong.status_code == 200 and "not your current password" in text(wrong)
    blocked = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                     "confirm": NEW_PASSWORD})
    assert blocked.status_code == 429
    assert user.check_password(PASSWORD)


def test_a_weak_new_password_does_not_count_as_a_guess(client, login_as, db):
    user = login_as(Role.STAFF)
    for _ in range(6):
        client.post("/account/password", data={"current": PASSWORD, "password": "password12345",
                                               "confirm": "password12345"})
    done = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)


def test_changing_the_password_renews_the_calendar_link(client, login_as, db):
    user = login_as(Role.STAFF)
    old_feed = f"/onboarding/calendar/{user.calendar_token}.ics"
    assert client.get(old_feed).status_code == 200
    response = client.post("/account/password", data={"current": PASSWORD, "password": NEW_PASSWORD,
                                                      "confirm": NEW_PASSWORD}, follow_redirects=True)
    assert "calendar link is renewed" in text(response)
    assert client.get(old_feed).status_code == 404
    db.session.refresh(user)
    assert client.get(f"/onboarding/calendar/{user.calendar_token}.ics").status_code == 200


def test_a_password_reset_renews_the_calendar_link(client, make_user, db):
    user = make_user(Role.STAFF)
    old_token = user.calendar_token
    services.reset_password(services.link_token(user, services.RESET), NEW_PASSWORD)
    assert user.calendar_token != old_token
    assert client.get(f"/onboarding/calendar/{old_token}.ics").status_code == 404


def test_an_account_with_a_password_gets_no_new_invitation(client, login_as, make_user, db):
    login_as(Role.ADMIN)
    person = make_user(Role.STAFF, email="has.password@example.org")
    before = person.invited_at
    response = client.post(f"/admin/users/{person.id}/invite", follow_redirects=True)
    assert "has already set a password; send a password reset link instead" in text(response)
    assert count(db, OutboxMessage, OutboxMessage.recipient == person.email) == 0
    assert db.session.scalar(select(type(person).invited_at).where(type(person).id == person.id)) == before
