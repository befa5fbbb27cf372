"""Browsers keep no copy of a signed-in person's pages or of the private calendar feed (Back after
sign-out on a shared workstation shows nothing); static files and public careers pages stay cacheable."""

from __future__ import annotations

import pytest

from app.models import Role
from tests.conftest import PASSWORD

PRIVATE_PAGES = ["/home", "/admin/users", "/admin/audit", "/team", "/reports", "/reports/training.csv",
                 "/reports/validity", "/reports/validity.csv",
                 "/onboarding", "/onboarding/transcript", "/onboarding/preferences", "/hiring/questions",
                 "/account/password", "/careers"]


@pytest.fixture
def signed_in_admin(browser, make_user):
    admin = make_user(Role.ADMIN, email="admin@clinic.example")
    client = browser()
    assert client.post_form("/login", {"email": admin.email, "password": PASSWORD}).status_code == 302
    return client, admin


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_every_page_for_a_signed_in_person_says_no_store(signed_in_admin, path):
    client, _ = signed_in_admin
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Cache-Control"] == "no-store"


def test_the_calendar_feed_says_no_store_without_a_session(browser, make_user):
    user = make_user(Role.STAFF)
    response = browser().get(f"/onboarding/calendar/{user.calendar_token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/static/app.css", "/bootstrap/static/css/bootstrap.min.css"])
def test_static_files_stay_cacheable_for_a_signed_in_person(signed_in_admin, path):
    client, _ = signed_in_admin
    response = client.get(path)
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_public_careers_pages_stay_cacheable_for_visitors(browser):
    response = browser().get("/careers")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")


def test_after_sign_out_pages_are_not_served_and_were_never_stored(signed_in_admin):
    client, _ = signed_in_admin
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"
    client.post_form("/logout", {}, form_page="/home")
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
