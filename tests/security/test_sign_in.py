"""Nobody can lock an account out: failures are slowed per account and address, the owner's correct
password gets in from elsewhere, and the owner is told. Production configuration, counters in Redis."""

from __future__ import annotations

from app.models import Role
from tests.conftest import PASSWORD


def sign_in(browser, email: str, password: str, address: str):
    return browser.post_form("/login", {"email": email, "password": password},
                             environ_base={"REMOTE_ADDR": address})


def test_wrong_passwords_from_anywhere_leave_the_owner_able_to_sign_in_and_tell_them(
        browser, make_user, redis_limits, smtp_server):
    admin = make_user(Role.ADMIN, email="admin@clinic.example")
    inbox, controller = smtp_server()
    attacker = browser(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, **redis_limits)
    answers = []
    for attempt in range(12):
        spelling = ("admin@clinic.example", " ADMIN@clinic.example ", "Admin@Clinic.Example")[attempt % 3]
        answers.append(sign_in(attacker, spelling, "guess number one", f"203.0.113.{attempt // 4}").status_code)
    owner = browser(**redis_limits)
    signed_in = sign_in(owner, admin.email, PASSWORD, "198.51.100.20")
    controller.stop()

    assert answers[:4] == [200] * 4
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/home"
    [(recipients, alert)] = inbox.messages
    assert recipients == [admin.email]
    assert "Your account is not locked" in alert.get_content()
