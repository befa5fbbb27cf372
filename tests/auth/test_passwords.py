"""Changing a password, reset links (asked for or sent by an admin), per-account sign-in limits and
the session at sign-in, over HTTP."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from app.auth import services
from app.models import AuditEvent, OutboxMessage, OutboxStatus, Role, User
from tests.conftest import PASSWORD
from tests.helpers import count, text

NEW_PASSWORD = "a brand new passphrase 2026"


def sign_in(client, email: str, password: str = PASSWORD, address: str = "127.0.0.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def reset_link(db, email: str) -> str:
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == email,
                                                            OutboxMessage.kind == "password-reset"))
    assert message is not None, "no reset e-mail was queued"
    return message.body.split("http://localhost", 1)[1].split()[0]


# Changing your own password ----------------------------------------------------------------------
def test_changing_a_password_keeps_this_session_and_ends_the_others(app: Flask, client, login_as, db):
    user = login_as(Role.STAFF)
    other_device = app.test_client()
    assert sign_in(other_device, user.email).status_code == 302
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    assert client.get("/home").status_code == 200  # still signed in here
    assert other_device.get("/home").status_code == 302  # sent to sign in
    client.post("/logout")
    assert sign_in(client, user.email).status_code == 200  # the old password is refused
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302
    assert count(db, AuditEvent, AuditEvent.action == "user.password_changed", AuditEvent.entity_id == user.id) == 1


@pytest.mark.parametrize(("fields", "message"), [
    ({"current": "not my password at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
     "That is not your current password."),
    ({"current": PASSWORD, "password": "short", "confirm": "short"}, "Use at least 12 characters"),
    ({"current": PASSWORD, "password": PASSWORD, "confirm": PASSWORD}, "different from the current one"),
    ({"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}, "do not match"),
    ({"current": "", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "This field is required."),
])
def test_a_refused_change_says_why_and_changes_nothing(client, login_as, db, fields, message):
    user = login_as(Role.STAFF)
    before = (user.password_hash, user.session_token)
    response = client.post("/account/password", data=fields)
    assert response.status_code == 200 and message in text(response)
    db.session.refresh(user)
    assert (user.password_hash, user.session_token) == before
    assert client.get("/home").status_code == 200


def test_changing_a_password_needs_a_signed_in_user(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Reset links ---------------------------------------------------------------------------------------
def test_forgot_password_answers_the_same_for_known_unknown_and_inactive_accounts(client, make_user, db):
    known = make_user(Role.STAFF, email="known@example.org")
    make_user(Role.STAFF, email="gone@example.org", active=False)
    answers = []
    for email in ("known@example.org", "nobody@example.org", "gone@example.org"):
        response = client.post("/forgot", data={"email": email}, follow_redirects=True)
        answers.append((response.status_code, text(response).replace(email, "EMAIL")))
    assert answers[0] == answers[1] == answers[2]
    assert "If that e-mail belongs to an active account, a reset link is on its way" in answers[0][1]
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)).all()
    assert [message.recipient for message in sent] == [known.email]
    assert count(db, OutboxMessage, OutboxMessage.status == OutboxStatus.DROPPED) == 2
    assert reset_link(db, known.email).startswith("/reset/")


def test_forgot_password_does_the_same_work_whether_or_not_the_account_exists(client, make_user, db, count_queries):
    """What a request does before its answer is the same for every e-mail, so its timing tells nothing;
    the account is looked up only after the response has gone, when the message is sent or dropped."""
    make_user(Role.STAFF, email="known@example.org")
    make_user(Role.STAFF, email="gone@example.org", active=False)
    db.session.commit()  # the setup's own writes are not the first request's
    work, responses = [], []
    for email in ("known@example.org", "nobody@example.org", "gone@example.org"):
        with count_queries() as statements:
            responses.append(client.post("/forgot", data={"email": email}))
        work.append(statements)
    assert work[0] == work[1] == work[2]
    assert not any("FROM user" in statement or '"user"' in statement for statement in work[0])
    assert count(db, OutboxMessage, OutboxMessage.status == OutboxStatus.PENDING) == 3
    for response in responses:
        response.close()  # as the server does once the response is sent
    assert [m.status for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))] == [
        OutboxStatus.SENT, OutboxStatus.DROPPED, OutboxStatus.DROPPED]


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(app: Flask, client, make_user, db):
    user = make_user(Role.STAFF, email="forgetful@example.org")
    other_device = app.test_client()
    assert sign_in(other_device, user.email).status_code == 302
    client.post("/forgot", data={"email": user.email}).close()
    link = reset_link(db, user.email)
    assert "Reset your password" in text(client.get(link))
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and client.get("/home").status_code == 200
    assert other_device.get("/home").status_code == 302
    assert count(db, AuditEvent, AuditEvent.action == "user.password_reset", AuditEvent.entity_id == user.id) == 1
    client.post("/logout")
    again = client.get(link)
    assert again.status_code == 400 and "already been used" in text(again)
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302


def test_a_weak_password_on_the_reset_page_is_refused_and_the_link_still_works(client, make_user, db):
    user = make_user(Role.STAFF)
    link = "/reset/" + services.link_token(user, services.RESET)
    response = client.post(link, data={"password": "tiny", "confirm": "tiny"})
    assert response.status_code == 200 and "Use at least 12 characters" in text(response)
    assert client.get(link).status_code == 200


def test_reset_links_expire_and_are_not_interchangeable_with_invitations(app: Flask, client, make_user):
    user = make_user(Role.STAFF)
    invitation = services.link_token(user, services.INVITE)
    assert client.get(f"/reset/{invitation}").status_code == 400
    reset = services.link_token(user, services.RESET)
    assert client.get(f"/invite/{reset}").status_code == 400
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        expired = client.get(f"/reset/{reset}")
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 60 * 60 * 2
    assert expired.status_code == 400 and "expired" in text(expired)


def test_an_admin_can_send_a_reset_link_and_it_is_audited(client, login_as, make_user, db):
    admin = login_as(Role.ADMIN)
    person = make_user(Role.STAFF, email="locked.out@example.org")
    page = text(client.get(f"/admin/users/{person.id}"))
    assert "Send a password reset link" in page
    response = client.post(f"/admin/users/{person.id}/reset-password", follow_redirects=True)
    assert "A password reset link was sent to locked.out@example.org" in text(response)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_reset_sent"))
    assert event.entity_id == person.id and event.actor_id == admin.id
    link = reset_link(db, person.email)
    client.post("/logout")
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    db.session.refresh(person)
    assert person.check_password(NEW_PASSWORD)


def test_an_account_without_a_password_gets_an_invitation_not_a_reset(client, login_as, db):
    login_as(Role.ADMIN)
    invited = services.invite_user(actor=None, email="not.yet@example.org", name="Not Yet")
    db.session.commit()
    response = client.post(f"/admin/users/{invited.id}/reset-password", follow_redirects=True)
    assert "send an invitation instead" in text(response)
    assert count(db, OutboxMessage, OutboxMessage.kind == "password-reset") == 0


# Sign-in -----------------------------------------------------------------------------------------
def test_failures_from_elsewhere_never_keep_the_owner_out(client, make_user):
    user = make_user(Role.ADMIN, email="target@example.org")
    for attempt in range(30):  # spread over addresses, in every spelling of the e-mail
        spelling = ("target@example.org", " TARGET@example.org ", "Target@Example.org")[attempt % 3]
        assert sign_in(client, spelling, "wrong password here", address=f"10.0.{attempt // 5}.{attempt}").status_code == 200
    signed_in = sign_in(client, user.email, PASSWORD, address="10.9.9.9")
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/home"
    assert user.name in text(client.get("/home"))  # really in, as the owner


def test_failures_for_one_account_from_one_address_back_off(client, make_user):
    user = make_user(Role.STAFF, email="target@example.org")
    for attempt in range(5):
        spelling = ("target@example.org", " TARGET@example.org ")[attempt % 2]
        assert sign_in(client, spelling, "wrong password here", address="10.0.0.1").status_code == 200
    blocked = sign_in(client, user.email, PASSWORD, address="10.0.0.1")
    assert blocked.status_code == 429 and "Too many attempts" in text(blocked)
    assert sign_in(client, user.email, PASSWORD, address="10.0.0.2").status_code == 302  # the owner elsewhere


def test_the_account_limit_answers_the_same_whether_or_not_the_account_exists(client, make_user):
    make_user(Role.STAFF, email="real@example.org")
    answers = []
    for email in ("real@example.org", "ghost@example.org"):
        for _ in range(5):
            sign_in(client, email, "wrong password here", address=f"10.1.{len(answers)}.1")
        response = sign_in(client, email, "wrong password here", address=f"10.1.{len(answers)}.1")
        answers.append((response.status_code, text(response)))
    assert answers[0] == answers[1] and answers[0][0] == 429


def test_the_owner_is_e_mailed_once_when_failures_pass_the_threshold(client, make_user, db):
    user = make_user(Role.STAFF, email="target@example.org")
    for attempt in range(10):
        sign_in(client, user.email, "wrong password here", address=f"10.4.0.{attempt}")
    assert count(db, OutboxMessage, OutboxMessage.kind == "sign-in-alert") == 0
    for attempt in range(10, 14):
        sign_in(client, user.email, "wrong password here", address=f"10.4.0.{attempt}")
    [alert] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "sign-in-alert")).all()
    assert alert.recipient == user.email
    assert "from the address 10.4.0.10" in alert.body and "Your account is not locked" in alert.body
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.sign_in_alert_sent"))
    assert event.entity_id == user.id
    for attempt in range(20):
        sign_in(client, f"ghost{attempt % 2}@example.org", "wrong password here", address=f"10.5.0.{attempt}")
    assert count(db, OutboxMessage, OutboxMessage.kind == "sign-in-alert") == 1  # no account, no e-mail


def test_successful_sign_ins_do_not_count_toward_the_account_limit(client, make_user):
    user = make_user(Role.STAFF)
    for _ in range(12):
        assert sign_in(client, user.email, address="10.3.0.1").status_code == 302
        client.post("/logout")
    wrong = sign_in(client, user.email, "wrong password here", address="10.3.0.1")
    assert wrong.status_code == 200 and "do not match an active account" in text(wrong)  # not locked out


def test_signing_in_starts_a_new_session(client, make_user):
    user = make_user(Role.STAFF)
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "from before sign-in"
        token_before = before.get("csrf_token")
    assert sign_in(client, user.email).status_code == 302
    client.get("/home")
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after.get("csrf_token") != token_before
        assert after["_user_id"] == user.get_id()


def test_an_unknown_e_mail_costs_a_password_check_too(app: Flask, make_user):
    services._stand_in_hash.clear()
    assert services.authenticate("nobody@example.org", "whatever it is") is None
    assert app.config["PASSWORD_HASH_METHOD"] in services._stand_in_hash
    user = make_user(Role.STAFF)
    assert services.authenticate(user.email.upper(), PASSWORD) == user
    assert db_user_is(user)


def db_user_is(user: User) -> bool:
    return user.active and user.password_hash is not None
