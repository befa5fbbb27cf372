"""Rate limits count per token (Flask-Limiter keyed by the token's id), so one busy integration does
not hold up another; calls without a known token count by address."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api


@pytest.fixture
def three_a_minute(app):
    saved = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "3 per minute"
    yield
    app.config["API_RATE_LIMIT"] = saved


def test_a_token_over_its_limit_gets_a_429_problem_and_another_token_does_not(db, org, client, issue,
                                                                             three_a_minute):
    busy, calm = (Api(client, issue("read:employees", name=name)[1]) for name in ("Busy", "Calm"))
    assert [busy.get("/sites").status_code for _ in range(3)] == [200, 200, 200]
    refused = busy.get("/sites")
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["status"] == 429 and "too many calls" in refused.get_json()["detail"]
    assert "Retry-After" in refused.headers
    assert calm.get("/sites").status_code == 200


def test_the_limit_comes_from_the_environment(monkeypatch):
    from config import Config

    monkeypatch.setenv("API_RATE_LIMIT", "50 per minute")
    assert Config().API_RATE_LIMIT == "50 per minute"


def test_calls_without_a_token_are_limited_by_address(db, org, client, three_a_minute):
    public = Api(client)
    assert [public.get("/postings").status_code for _ in range(3)] == [200, 200, 200]
    assert public.get("/postings").status_code == 429
    client.environ_base["REMOTE_ADDR"] = "192.0.2.99"
    assert public.get("/postings").status_code == 200
