"""Sign-in, sign-out, invitations, CSRF and the login rate limit, over HTTP."""

import time

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from app.auth.services import invite_token
from app.models import AuditEvent, OutboxMessage, Role, User
from tests.conftest import PASSWORD, csrf_token
from tests.helpers import text


def test_sign_in_and_out(client, auth, make_user):
    user = make_user(Role.STAFF, name="Rosa Diaz")
    response = auth.login(user)
    assert response.status_code == 302
    assert "Rosa Diaz" in client.get("/home").get_data(as_text=True)
    auth.logout()
    assert client.get("/home").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_message(client, auth, make_user):
    user = make_user()
    wrong = auth.login(user, password="not the password").get_data(as_text=True)
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "whatever-it-is"})
    message = "That e-mail and password do not match an active account."
    assert message in wrong and message in unknown.get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(client, auth, make_user):
    user = make_user(active=False)
    response = auth.login(user)
    assert response.status_code == 200
    assert "do not match an active account" in response.get_data(as_text=True)


def test_session_ends_when_user_is_deactivated(client, auth, make_user, db):
    user = make_user()
    auth.login(user)
    assert user.name in text(client.get("/home"))
    user.active = False
    db.session.flush()
    refused = client.get("/home")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")


def test_sign_out_invalidates_a_copied_remember_me_cookie(app, client, auth, make_user):
    user = make_user()
    auth.login(user, remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None
    auth.logout()
    other = app.test_client()
    other.set_cookie("remember_token", remember.value)
    assert other.get("/home").status_code == 302


def test_login_redirect_refuses_other_hosts(client, make_user):
    user = make_user()
    response = client.post("/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/home"


def test_login_is_rate_limited(client, make_user):
    user = make_user()
    for _ in range(10):
        client.post("/login", data={"email": user.email, "password": "wrong-password-1"})
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, make_user, csrf_on):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_login_with_csrf_token_works(client, make_user, csrf_on):
    user = make_user()
    token = csrf_token(client.get("/login"))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    assert user.name in text(client.get("/home"))


def test_session_cookie_is_httponly_and_lax(client, auth, make_user):
    auth.login(make_user())
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


# Invitations -------------------------------------------------------------------------------
@pytest.fixture
def invited(db, make_user):
    user = make_user(email="invitee@example.org")
    user.password_hash = None
    db.session.flush()
    return user


def test_invite_link_sets_password_and_signs_in(client, invited, db):
    token = invite_token(invited)
    assert "Welcome" in client.get(f"/invite/{token}").get_data(as_text=True)
    response = client.post(f"/invite/{token}", data={"password": "a new long password", "confirm": "a new long password"})
    assert response.status_code == 302
    assert invited.check_password("a new long password")
    assert client.get("/home").status_code == 200
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.invitation_accepted"))


def test_invite_link_works_only_once(client, invited):
    token = invite_token(invited)
    client.post(f"/invite/{token}", data={"password": "a new long password", "confirm": "a new long password"})
    client.post("/logout")
    again = client.get(f"/invite/{token}")
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_expired_invite_link_is_refused(app, client, invited):
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="invite")
    token = invite_token(invited)
    payload = serializer.loads(token)
    old = serializer.dumps(payload)
    app.config["INVITE_MAX_AGE"] = 1
    try:
        time.sleep(2.1)
        response = client.get(f"/invite/{old}")
    finally:
        app.config["INVITE_MAX_AGE"] = 60 * 60 * 24 * 7
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_tampered_invite_link_is_refused(client, invited):
    response = client.get(f"/invite/{invite_token(invited)}x")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize("password, message", [
    ("short", "at least 12 characters"),
    ("aaaaaaaaaaaaaaaa", "too common or repetitive"),
    ("invitee-is-my-password", "Do not include your e-mail"),
])
def test_weak_password_gets_a_clear_message_and_changes_nothing(client, invited, password, message):
    response = client.post(f"/invite/{invite_token(invited)}", data={"password": password, "confirm": password})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert invited.password_hash is None


def test_admin_invitation_is_queued_as_email_with_a_working_link(client, login_as, db):
    login_as(Role.ADMIN)
    response = client.post("/admin/users/new", data={
        "email": "New.Person@Example.org", "name": "New Person", "role": "staff", "site_id": "",
        "manager_id": "", "role_family": "front-desk",
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user is not None and user.password_hash is None
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert message is not None and "/invite/" in message.body
    assert "expires in 7 days" in message.body  # INVITE_MAX_AGE, the link's real lifetime
    link = message.body.split("http://localhost", 1)[1].split()[0]
    client.post("/logout")
    assert "Welcome, New Person" in client.get(link).get_data(as_text=True)
