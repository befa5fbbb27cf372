"""Behind a reverse proxy: with TRUSTED_PROXIES set, rate limits count each client by its forwarded
address; without it, the headers are ignored. E-mailed links never follow them: they use BASE_URL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_app
from app.models import OutboxMessage, Role
from config import TestingConfig
from tests.conftest import PASSWORD

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hr.clinic.example"}


@pytest.fixture
def behind_proxy(app, db):
    """A client of the test app as it runs behind one TLS-terminating proxy (TRUSTED_PROXIES=1)."""
    config = TestingConfig()
    config.TRUSTED_PROXIES = 1
    return create_app(config).test_client()


def failed_sign_in(client, n: int, client_address: str):
    """A wrong password for a different unknown e-mail each time, so only the per-address limit counts."""
    return client.post("/login", data={"email": f"nobody{n}@example.org", "password": "wrong password here"},
                       headers={"X-Forwarded-For": client_address}, environ_base={"REMOTE_ADDR": "10.9.9.9"})


def test_behind_a_trusted_proxy_each_client_address_has_its_own_sign_in_limit(behind_proxy):
    for n in range(10):
        assert failed_sign_in(behind_proxy, n, "203.0.113.7").status_code == 200
    assert failed_sign_in(behind_proxy, 10, "203.0.113.7").status_code == 429
    assert failed_sign_in(behind_proxy, 11, "198.51.100.4").status_code == 200  # a colleague at another address


def test_without_trusted_proxies_a_forwarded_address_is_ignored(client):
    for n in range(10):
        assert failed_sign_in(client, n, f"203.0.113.{n}").status_code == 200
    assert failed_sign_in(client, 10, "198.51.100.4").status_code == 429  # the header cannot dodge the limit


@pytest.mark.parametrize("trusted", [True, False])
def test_links_in_e_mail_use_base_url_whatever_a_proxy_forwards(app, client, behind_proxy, db, make_user, trusted):
    user = make_user(Role.STAFF, email="forgetful@example.org")
    (behind_proxy if trusted else client).post("/forgot", data={"email": user.email}, headers=FORWARDED).close()
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == user.email))
    assert f"{app.config['BASE_URL']}/reset/" in body
    assert "hr.clinic.example" not in body


def test_a_negative_proxy_count_stops_the_app_from_starting(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "-1")
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES must be 0 or more"):
        TestingConfig()


def test_a_whole_clinic_signing_in_from_one_address_is_not_limited(behind_proxy, make_user):
    """Staff behind one clinic router share an address: only failed sign-ins count against it."""
    people = [make_user(Role.STAFF, email=f"shift{n}@example.org") for n in range(15)]
    for person in people:
        response = behind_proxy.post("/login", data={"email": person.email, "password": PASSWORD},
                                     headers={"X-Forwarded-For": "203.0.113.50"})
        assert response.status_code == 302, person.email
        behind_proxy.post("/logout")
