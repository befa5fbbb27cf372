"""Links that leave the app (e-mail, calendars) are built from BASE_URL, never from the request's Host
header; in production a request for another host is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import OutboxMessage, Role
from config import ProductionConfig
from tests.conftest import PASSWORD
from tests.helpers import Inbox
from tests.security.conftest import PUBLIC

FOREIGN = "evil.example"


def received_text(inbox: Inbox) -> str:
    return "\n".join(message.get_content() for _, message in inbox.messages)


def test_a_reset_link_asked_for_under_a_foreign_host_points_at_the_public_address(
        app, client, make_user, smtp_server, smtp_config):
    user = make_user(Role.ADMIN, email="admin@clinic.example")
    inbox, controller = smtp_server()
    smtp_config(controller.port)

    response = client.post("/forgot", data={"email": user.email}, headers={"Host": FOREIGN})
    response.close()  # the message goes out once the response is sent
    controller.stop()

    assert response.status_code == 302
    [(recipients, message)] = inbox.messages
    assert recipients == [user.email]
    body = message.get_content()
    assert f"{app.config['BASE_URL']}/reset/" in body
    assert FOREIGN not in body


def test_production_refuses_a_request_for_a_foreign_host_and_sends_nothing(browser, db, make_user, smtp_server):
    user = make_user(Role.ADMIN, email="admin@clinic.example")
    inbox, controller = smtp_server()
    client = browser(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    before = db.session.scalar(select(func.count(OutboxMessage.id)))

    form = client.client.get("/forgot", base_url=f"https://{FOREIGN}")
    response = client.client.post("/forgot", data={"email": user.email}, base_url=f"https://{FOREIGN}")
    controller.stop()

    assert form.status_code == response.status_code == 400
    assert "does not answer to that host name" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before
    assert inbox.messages == []


def test_production_e_mails_reset_links_under_its_public_address(browser, make_user, smtp_server):
    user = make_user(Role.STAFF, email="forgetful@clinic.example")
    inbox, controller = smtp_server()
    client = browser(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)

    response = client.post_form("/forgot", {"email": user.email})
    response.close()
    controller.stop()

    assert response.status_code == 302
    assert f"{PUBLIC}/reset/" in received_text(inbox)


def test_the_calendar_link_on_my_onboarding_uses_the_public_address(app, client, make_user):
    user = make_user(Role.STAFF)
    client.post("/login", data={"email": user.email, "password": PASSWORD}, headers={"Host": FOREIGN})
    page = client.get("/onboarding", headers={"Host": FOREIGN}).get_data(as_text=True)
    assert "Due dates in your calendar" in page
    assert f'value="{app.config["BASE_URL"]}/onboarding/calendar/{user.calendar_token}.ics"' in page
    assert FOREIGN not in page


@pytest.mark.parametrize("base_url", ["", "hr.clinic.example", "ftp://hr.clinic.example", "https://"])
def test_production_refuses_to_start_without_a_usable_public_address(production_env, base_url):
    production_env.setenv("BASE_URL", base_url)
    with pytest.raises(RuntimeError, match="BASE_URL"):
        ProductionConfig()


def test_production_answers_only_to_its_public_host_unless_told_more(production_env):
    assert ProductionConfig().TRUSTED_HOSTS == ["hr.clinic.example"]
    production_env.setenv("TRUSTED_HOSTS", "hr.clinic.example, 10.0.0.5")
    assert ProductionConfig().TRUSTED_HOSTS == ["hr.clinic.example", "10.0.0.5"]


def test_production_refuses_to_start_without_rate_limit_storage(production_env):
    production_env.delenv("RATELIMIT_STORAGE_URI")
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        ProductionConfig()


def test_production_warns_that_memory_rate_limits_are_per_worker(production_env, caplog):
    ProductionConfig()
    assert "every worker counts sign-in failures on its own" in caplog.text
