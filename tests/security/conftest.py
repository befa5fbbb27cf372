"""The app as production runs it (ProductionConfig from the environment), on the test database."""

from __future__ import annotations

import os

import pytest

from app import create_app
from config import ProductionConfig
from tests.conftest import csrf_token

PUBLIC = "https://hr.clinic.example"


@pytest.fixture
def production_env(app, monkeypatch):
    """The environment a production server gets; a test may change a variable before making the app."""
    for name, value in {
        "SECRET_KEY": "a-long-production-secret-for-tests",
        "DATABASE_URL": os.environ["TEST_DATABASE_URL"],
        "BASE_URL": PUBLIC,
        "RATELIMIT_STORAGE_URI": "memory://",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("TRUSTED_HOSTS", "MAIL_SERVER", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def production_app(production_env, db):
    """make() a production app (CSRF on, secure cookies, trusted hosts), sharing the test's transaction."""

    def make(**config):
        made = create_app(ProductionConfig)
        made.config.update(config)
        return made

    return make


class Browser:
    """A production client that talks HTTPS to the public host, with CSRF tokens and a Referer as a
    browser sends them."""

    def __init__(self, client):
        self.client = client

    def get(self, path: str, **kwargs):
        return self.client.get(path, base_url=PUBLIC, **kwargs)

    def post_form(self, path: str, data: dict, *, form_page: str | None = None, headers: dict | None = None):
        """GET the form page for its CSRF token, then POST the data to path."""
        token = csrf_token(self.get(form_page or path))
        return self.client.post(path, base_url=PUBLIC, data={"csrf_token": token, **data},
                                headers={"Referer": PUBLIC + (form_page or path), **(headers or {})})


@pytest.fixture
def browser(production_app):
    """browser(**config): a Browser on a new production app."""

    def make(**config):
        return Browser(production_app(**config).test_client())

    return make
