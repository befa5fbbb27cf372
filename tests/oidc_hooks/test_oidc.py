"""Sign-in with the organization's identity provider, against a real OpenID Connect provider on loopback."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import select

from app.models import AuditEvent, Role, User
from config import Config
from tests.helpers import text


def start(client, next_url: str | None = None) -> str:
    """Press "Sign in with ...": the app sends the browser to the provider; returns that URL."""
    response = client.get("/login/oidc" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, text(response)
    return response.headers["Location"]


def approve(authorize_url: str) -> str:
    """The provider signs its chosen person in and sends the browser back: the callback's path and query."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/login/oidc/callback"
    return f"{back.path}?{back.query}"


def sign_in(client, next_url: str | None = None):
    return client.get(approve(start(client, next_url)))


def signed_in_name(client) -> str | None:
    response = client.get("/home")
    return None if response.status_code == 302 else text(response)


def events(db, action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_good_sign_in_signs_the_matching_account_in(client, db, make_user, oidc_on):
    person = make_user(Role.STAFF, name="Rosa Diaz", email="rosa@clinic.example")
    oidc_on.sign_in_as("Rosa@Clinic.example")
    authorize_url = start(client, next_url="/onboarding")
    asked = parse_qs(urlsplit(authorize_url).query)
    assert authorize_url.startswith(oidc_on.issuer + "/authorize")
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"][0]
    assert asked["state"][0] and asked["nonce"][0] and "openid" in asked["scope"][0].split()
    assert asked["redirect_uri"] == ["http://localhost/login/oidc/callback"]

    response = client.get(approve(authorize_url))
    assert response.status_code == 302 and response.headers["Location"] == "/onboarding"
    assert "Rosa Diaz" in signed_in_name(client)
    [signed_in] = events(db, "user.signed_in")
    assert signed_in.entity_id == person.id and signed_in.after == {"method": "oidc"}


def test_sign_in_starts_a_fresh_session(client, make_user, oidc_on):
    make_user(Role.STAFF, email="rosa@clinic.example")
    oidc_on.sign_in_as("rosa@clinic.example")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert not [key for key in session if key.startswith("_state_")]


def test_wrong_state_is_refused(client, db, make_user, oidc_on):
    make_user(Role.STAFF, email="rosa@clinic.example")
    oidc_on.sign_in_as("rosa@clinic.example")
    callback = urlsplit(approve(start(client)))
    query = {key: values[0] for key, values in parse_qs(callback.query).items()}
    query["state"] = "not-the-state-we-sent"
    response = client.get(f"{callback.path}?{urlencode(query)}")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "did not complete" in text(client.get("/login"))
    assert signed_in_name(client) is None
    assert events(db, "user.signed_in") == []
    assert [e.after["reason"] for e in events(db, "user.sign_in_refused")] == ["MismatchingStateError"]


def test_a_callback_without_a_started_sign_in_is_refused(client, make_user, oidc_on):
    make_user(Role.STAFF, email="rosa@clinic.example")
    oidc_on.sign_in_as("rosa@clinic.example")
    callback = approve(start(client))
    other_browser = client.application.test_client()
    other_browser.get(callback)
    assert signed_in_name(other_browser) is None


def test_wrong_nonce_is_refused(client, db, make_user, oidc_on):
    make_user(Role.STAFF, email="rosa@clinic.example")
    oidc_on.sign_in_as("rosa@clinic.example")
    oidc_on.nonce_override = "a-nonce-this-browser-never-sent"
    response = sign_in(client)
    assert response.headers["Location"] == "/login"
    assert signed_in_name(client) is None
    assert events(db, "user.signed_in") == []
    [refused] = events(db, "user.sign_in_refused")
    assert refused.after["method"] == "oidc" and "Claim" in refused.after["reason"]


@pytest.mark.parametrize("tamper", ["a key not in the JWKS", "expired", "another audience", "another issuer"])
def test_an_id_token_that_fails_its_checks_is_refused(client, db, make_user, oidc_on, tamper):
    import time

    make_user(Role.STAFF, email="rosa@clinic.example")
    oidc_on.sign_in_as("rosa@clinic.example")
    if tamper == "a key not in the JWKS":
        oidc_on.forge = True
    else:
        oidc_on.claims_override = {
            "expired": {"exp": int(time.time()) - 600, "iat": int(time.time()) - 4200},
            "another audience": {"aud": ["some-other-app"]},
            "another issuer": {"iss": "https://impostor.example"},
        }[tamper]
    response = sign_in(client)
    assert response.headers["Location"] == "/login"
    assert signed_in_name(client) is None
    assert events(db, "user.signed_in") == []
    [refused] = events(db, "user.sign_in_refused")
    assert refused.after["reason"] in {"a key not in the JWKS": {"BadSignatureError"}, "expired": {"ExpiredTokenError"},
                                       "another audience": {"InvalidClaimError", "MissingClaimError"},
                                       "another issuer": {"InvalidClaimError"}}[tamper]


def test_unverified_email_is_refused(client, db, make_user, oidc_on):
    make_user(Role.STAFF, email="rosa@clinic.example")
    oidc_on.sign_in_as("rosa@clinic.example", verified=False)
    sign_in(client)
    assert "has not verified rosa@clinic.example" in text(client.get("/login"))
    assert signed_in_name(client) is None


def test_unknown_user_is_refused_and_no_account_is_made(client, db, oidc_on):
    oidc_on.sign_in_as("stranger@clinic.example")
    sign_in(client)
    assert "No account here uses stranger@clinic.example" in text(client.get("/login"))
    assert signed_in_name(client) is None
    assert db.session.scalar(select(User).where(User.email == "stranger@clinic.example")) is None


def test_unknown_user_gets_a_staff_account_when_the_setting_allows(app, client, db, oidc_on):
    app.config["OIDC_CREATE_USERS"] = True
    oidc_on.sign_in_as("new.person@clinic.example", name="New Person")
    sign_in(client)
    assert "New Person" in signed_in_name(client)
    user = db.session.scalar(select(User).where(User.email == "new.person@clinic.example"))
    assert user.role is Role.STAFF and user.password_hash is None
    [created] = events(db, "user.created_at_sign_in")
    assert created.entity_id == user.id and created.after["email"] == "new.person@clinic.example"


def test_deactivated_account_is_refused(client, make_user, oidc_on):
    make_user(Role.STAFF, email="gone@clinic.example", active=False)
    oidc_on.sign_in_as("gone@clinic.example")
    sign_in(client)
    assert "deactivated" in text(client.get("/login"))
    assert signed_in_name(client) is None


def test_sign_out_ends_the_session(client, db, make_user, oidc_on):
    make_user(Role.STAFF, name="Rosa Diaz", email="rosa@clinic.example")
    oidc_on.sign_in_as("rosa@clinic.example")
    sign_in(client)
    assert "Rosa Diaz" in signed_in_name(client)
    with client.session_transaction() as session:
        old_session = dict(session)
    client.post("/logout")
    assert signed_in_name(client) is None
    with client.session_transaction() as session:  # the old cookie's session does not come back either
        session.update(old_session)
    assert signed_in_name(client) is None
    assert len(events(db, "user.signed_out")) == 1


def test_password_sign_in_is_for_admins_when_the_provider_is_on(client, auth, db, make_user, oidc_on):
    staff, admin = make_user(Role.STAFF), make_user(Role.ADMIN, name="Ada Admin")
    page = text(client.get("/login"))
    assert "Sign in with your organization&#39;s account" in client.get("/login").get_data(as_text=True) or \
        "Sign in with your organization's account" in page
    assert "Administrators: sign in with a password" in page
    refused = auth.login(staff)
    assert refused.status_code == 200 and "password sign-in is kept for administrators" in text(refused)
    assert signed_in_name(client) is None
    assert auth.login(admin).status_code == 302
    assert "Ada Admin" in signed_in_name(client)


def test_wrong_password_gets_the_usual_message_whoever_the_account_is(client, auth, make_user, oidc_on):
    staff = make_user(Role.STAFF)
    assert "do not match an active account" in text(auth.login(staff, password="not the password at all"))


def test_password_login_off_refuses_admins_too(app, client, auth, make_user, oidc_on):
    app.config["PASSWORD_LOGIN"] = "off"
    admin = make_user(Role.ADMIN)
    page = text(client.get("/login"))
    assert 'name="password"' not in page and "/login/oidc" in page
    refused = auth.login(admin)
    assert "password sign-in is turned off here" in text(refused)
    assert signed_in_name(client) is None


def test_password_login_on_lets_everyone_use_either(app, client, auth, make_user, oidc_on):
    app.config["PASSWORD_LOGIN"] = "on"
    assert auth.login(make_user(Role.STAFF)).status_code == 302


def test_without_a_provider_there_is_no_button_and_the_routes_are_404(client):
    assert "/login/oidc" not in text(client.get("/login"))
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404


def test_provider_down_gets_a_clear_message(app, client, oidc_on):
    app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    response = client.get("/login/oidc")
    assert response.headers["Location"] == "/login"
    assert "is not answering right now" in text(client.get("/login"))


@pytest.mark.parametrize("value", ["off", "admins"])
def test_password_login_off_or_admins_needs_a_provider(monkeypatch, value):
    monkeypatch.setenv("PASSWORD_LOGIN", value)
    monkeypatch.delenv("OIDC_ISSUER", raising=False)
    with pytest.raises(RuntimeError, match="needs OIDC_ISSUER"):
        Config()


def test_provider_needs_its_client_credentials(monkeypatch):
    monkeypatch.setenv("OIDC_ISSUER", "https://login.example.org")
    monkeypatch.delenv("OIDC_CLIENT_SECRET", raising=False)
    with pytest.raises(RuntimeError, match="OIDC_CLIENT_SECRET"):
        Config()


def test_failed_provider_sign_ins_count_against_the_sign_in_limit(app, client, make_user, oidc_on, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    oidc_on.sign_in_as("stranger@clinic.example")  # no account: each try is refused
    assert [sign_in(client).status_code for _ in range(2)] == [302, 302]
    assert client.get(approve(start(client))).status_code == 429
    make_user(Role.STAFF, email="rosa@clinic.example")
    oidc_on.sign_in_as("rosa@clinic.example")
    other_address = app.test_client()
    response = other_address.get(approve(start(other_address)), environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
