"""The app as production runs it (ProductionConfig from the environment), on the test database."""

from __future__ import annotations

import os
import uuid

import pytest

from app import create_app
from app.extensions import limiter
from config import ProductionConfig
from tests.conftest import csrf_token

PUBLIC = "https://hr.clinic.example"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


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
    """make() a production app (CSRF on, secure cookies, trusted hosts), sharing the test's transaction.
    Keyword arguments set configuration before the extensions start (RATELIMIT_STORAGE_URI, say)."""
    limiter_state = dict(limiter.__dict__)  # init_app points the one limiter at the new app's storage

    def make(**config):
        for name, value in config.items():
            production_env.setenv(name, str(value))  # for the settings ProductionConfig reads itself
        settings = ProductionConfig()
        for name, value in config.items():
            setattr(settings, name, value)
        return create_app(settings)

    yield make
    limiter.__dict__.clear()
    limiter.__dict__.update(limiter_state)


class Browser:
    """A production client that talks HTTPS to the public host, with CSRF tokens and a Referer as a
    browser sends them."""

    def __init__(self, client):
        self.client = client

    def get(self, path: str, **kwargs):
        return self.client.get(path, base_url=PUBLIC, **kwargs)

    def post_form(self, path: str, data: dict, *, form_page: str | None = None, headers: dict | None = None,
                  **kwargs):
        """GET the form page for its CSRF token, then POST the data to path (kwargs go to both)."""
        token = csrf_token(self.get(form_page or path, **kwargs))
        return self.client.post(path, base_url=PUBLIC, data={"csrf_token": token, **data},
                                headers={"Referer": PUBLIC + (form_page or path), **(headers or {})}, **kwargs)


@pytest.fixture
def browser(production_app):
    """browser(**config): a Browser on a new production app."""

    def make(**config):
        return Browser(production_app(**config).test_client())

    return make


@pytest.fixture
def redis_limits():
    """Settings that keep rate-limit counters in the machine's Redis, as production does, under a key
    prefix of this test's own."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: start redis-server to run this test")
    return {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
