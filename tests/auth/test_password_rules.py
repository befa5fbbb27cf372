"""The password rules, through the service and on the reset page: common passwords, the names of the
organization, the product and its demo, the current password again, and over-long input."""

from __future__ import annotations

import time

import pytest

from app.auth import services
from app.auth.passwords import MAX_LENGTH, password_problems
from app.models import OutboxMessage, Role
from tests.conftest import PASSWORD
from tests.helpers import text


@pytest.mark.parametrize("password", [
    "password12345", "qwertyqwerty", "iloveyou1234", "1q2w3e4r5t6y", "Password123!", "monkeymonkey1",
    "medical-home-demo", "Medical Home Demo", "democommunityhealthcenter", "Demo Community Health Center!",
    "onboarding2026", "clinic-clinic-1",
])
def test_common_and_app_named_passwords_are_refused(app, password):
    with app.test_request_context():
        assert password_problems(password, email="pat@clinic.example"), password


@pytest.mark.parametrize("password", [PASSWORD, "a brand new passphrase 2026", "tulip ferry lantern okra",
                                      "my hiring manager drinks green tea daily"])
def test_long_unpredictable_passphrases_are_accepted(app, password):
    with app.test_request_context():
        assert password_problems(password, email="pat@clinic.example") == []


def test_the_demo_command_may_use_the_published_demo_password(app):
    with app.test_request_context():
        assert password_problems("medical-home-demo", demo=True) == []
        assert password_problems("password12345", demo=True)


def test_an_over_long_password_is_refused_before_it_is_rated(app):
    with app.test_request_context():
        started = time.perf_counter()
        problems = password_problems("x" * 6_000_000)
        assert problems == [f"Use at most {MAX_LENGTH} characters."]
        assert time.perf_counter() - started < 0.5  # a length check, not a walk over six million characters


def test_a_reset_to_the_current_password_is_refused_and_the_link_still_works(client, make_user, db):
    user = make_user(Role.STAFF, email="forgetful@example.org")
    client.post("/forgot", data={"email": user.email}).close()
    body = db.session.query(OutboxMessage.body).filter_by(recipient=user.email).scalar()
    link = body.split("http://localhost", 1)[1].split()[0]
    refused = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    assert refused.status_code == 200 and "different from the current one" in text(refused)
    assert client.post(link, data={"password": "tulip ferry lantern okra", "confirm": "tulip ferry lantern okra"}
                       ).status_code == 302


def test_the_service_refuses_the_current_password_as_the_new_one(db, make_user):
    user = make_user(Role.STAFF)
    with pytest.raises(services.WeakPassword, match="different from the current one"):
        services.set_password(user, PASSWORD)
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("path", ["/login", "/forgot", "/account/password"])
def test_a_megabyte_form_to_a_small_form_is_refused_unread(client, login_as, path):
    if path == "/account/password":
        login_as(Role.STAFF)
    started = time.perf_counter()
    response = client.post(path, data={"email": "pat@clinic.example", "password": "x" * 6_000_000})
    assert response.status_code == 413 and "larger than this site accepts" in text(response)
    assert time.perf_counter() - started < 0.5


def test_a_huge_password_on_a_reset_link_is_refused_and_changes_nothing(client, make_user, db):
    user = make_user(Role.STAFF, email="forgetful@example.org")
    link = "/reset/" + services.link_token(user, services.RESET)
    response = client.post(link, data={"password": "y" * 6_000_000, "confirm": "y" * 6_000_000})
    assert response.status_code == 413
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
