"""Expiring-credential notices: selection on the boundary days, employee and manager, once per notice over real
SMTP across runs (also overlapping ones), the weekly digest and the calendar feed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

import app.onboarding  # noqa: F401  (loaded before app.reminders, as the app loads them: they import each other)
from app.audit import acting_as
from app.credentials.reminders import (
    EMPLOYEE,
    MANAGER,
    due_notices,
    notice_key,
    queue_credential_notices,
    team_credentials,
)
from app.credentials.services import add_credential, archive_credential
from app.extensions import db as appdb
from app.models import CredentialType, EmployeeCredential, OutboxMessage, OutboxStatus, Role, User
from app.reminders import queue_manager_digests, run_reminders
from tests.databases import run_together, scratch_app

TODAY = date(2026, 3, 4)


@pytest.fixture
def bls(db):
    kind = CredentialType(name="BLS card", role_families=["medical-assistant"], renewal_months=24)
    db.session.add(kind)
    db.session.flush()
    return kind


@pytest.fixture
def people(make_user):
    hr = make_user(Role.HR)
    mona = make_user(Role.MANAGER, name="Mona Manager")
    nia = make_user(Role.STAFF, name="Nia Hire", manager=mona)
    return {"hr": hr, "mona": mona, "nia": nia}


def card(people, kind, days, who="nia"):
    return add_credential(people[who], kind, number="B-1", issuer="AHA", issued_on=None,
                          expires_on=TODAY + timedelta(days=days), actor=people["hr"])


def notices(db) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "credential-notice")
                              .order_by(OutboxMessage.id)).all()


@pytest.mark.parametrize(("days", "notice"), [
    (61, None), (60, 60), (31, 60), (30, 30), (8, 30), (7, 7), (1, 7), (0, 0), (-1, None)])
def test_each_notice_is_due_in_its_window_from_60_days_before_to_the_day(db, bls, people, days, notice):
    card(people, bls, days)
    due = due_notices(TODAY)
    assert [item.notice for item in due] == ([notice] if notice is not None else [])


def test_a_renewed_archived_or_inactive_persons_card_gets_no_notice(db, bls, people, make_user):
    card(people, bls, 30)
    card(people, bls, 700)  # renewed: the new card is the latest
    old = card(people, bls, 7, who="mona")
    archive_credential(old, actor=people["hr"])
    gone = make_user(Role.STAFF)
    gone.active = False
    people["gone"] = gone
    card(people, bls, 30, who="gone")
    assert due_notices(TODAY) == []


def test_selection_is_one_statement_for_any_number_of_credentials(db, bls, people, make_user, count_queries):
    for n in range(30):
        people[f"p{n}"] = make_user(Role.STAFF, manager=people["mona"])
        card(people, bls, n, who=f"p{n}")
    with count_queries() as statements:
        due = due_notices(TODAY)
    assert len(statements) == 1 and len(due) == 30


def test_the_employee_and_the_manager_each_get_one_notice_per_window(db, bls, people):
    credential = card(people, bls, 30)
    assert queue_credential_notices(TODAY) == (2, 0)
    sent = notices(db)
    assert [(m.recipient, m.subject) for m in sent] == [
        (people["nia"].email, "Your BLS card expires in 30 days"),
        (people["mona"].email, "Nia Hire's BLS card expires in 30 days")]
    assert "Your BLS card expires in 30 days (Apr 3, 2026)." in sent[0].body
    assert "/onboarding" in sent[0].body and "/team" in sent[1].body
    assert sent[0].body.startswith("Hello Nia Hire,") and sent[1].body.startswith("Hello Mona Manager,")
    assert sent[0].dedupe_key == f"credential:{credential.id}:30d:employee:2026-03-04"
    assert queue_credential_notices(TODAY) == (0, 2)  # again the same day
    assert queue_credential_notices(TODAY + timedelta(days=1)) == (0, 2)  # the 30-day notice is already out
    assert queue_credential_notices(TODAY + timedelta(days=23)) == (2, 0)  # 7 days left: the 7-day notice
    assert queue_credential_notices(TODAY + timedelta(days=30)) == (2, 0)  # the day itself
    assert queue_credential_notices(TODAY + timedelta(days=31)) == (0, 0)  # expired: no more notices
    assert len(notices(db)) == 6


def test_someone_without_a_manager_gets_their_own_notice_only(db, bls, people, make_user):
    people["solo"] = make_user(Role.STAFF)
    card(people, bls, 7, who="solo")
    assert queue_credential_notices(TODAY) == (1, 0)
    assert [m.recipient for m in notices(db)] == [people["solo"].email]


def test_notices_go_out_once_over_smtp_across_two_runs(db, bls, people, smtp_config, smtp_server):
    card(people, bls, 60)
    inbox, controller = smtp_server()
    smtp_config(controller.port)
    first = run_reminders(TODAY)
    second = run_reminders(TODAY)
    controller.stop()
    assert first.credential_notices_queued == 2 and second.credential_notices_queued == 0
    assert second.credential_notices_already_queued == 2
    received = [(tuple(rcpt), message["Subject"]) for rcpt, message in inbox.messages
                if "BLS" in message["Subject"]]
    assert sorted(received) == sorted([((people["nia"].email,), "Your BLS card expires in 60 days"),
                                       ((people["mona"].email,), "Nia Hire's BLS card expires in 60 days")])
    assert {m.status for m in notices(db)} == {OutboxStatus.SENT}


def test_the_weekly_digest_lists_the_teams_expiring_and_expired_credentials(db, bls, people, make_user):
    card(people, bls, 18)
    people["ben"] = make_user(Role.STAFF, name="Ben Brooks", manager=people["mona"])
    card(people, bls, -9, who="ben")
    people["far"] = make_user(Role.STAFF, name="Far Future", manager=people["mona"])
    card(people, bls, 200, who="far")
    assert set(team_credentials(TODAY)) == {people["mona"].id}
    queue_manager_digests(TODAY)
    digest = appdb.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "digest",
                                                              OutboxMessage.recipient == people["mona"].email))
    assert "Credentials expired or expiring within 60 days:" in digest.body
    assert "- Ben Brooks: BLS card expired Feb 23, 2026" in digest.body
    assert "- Nia Hire: BLS card expires in 18 days (Mar 22, 2026)" in digest.body
    assert "Far Future" not in digest.body.split("Credentials expired")[1]


def test_the_calendar_feed_has_an_event_on_each_expiry_day_with_the_notices_as_alarms(client, db, bls, people):
    today = date.today()
    add_credential(people["nia"], bls, number="B-1", issuer="AHA", issued_on=None,
                   expires_on=today + timedelta(days=18), actor=people["hr"])
    db.session.commit()
    with client.get(f"/onboarding/calendar/{people['nia'].calendar_token}.ics") as response:
        feed = Calendar.from_ical(response.data)
    events = [e for e in feed.walk("VEVENT") if str(e["summary"]).startswith("Expires:")]
    assert len(events) == 1 and str(events[0]["summary"]) == "Expires: BLS card"
    assert events[0].decoded("dtstart") == today + timedelta(days=18)
    assert len(events[0].walk("VALARM")) == 4
    with client.get(f"/onboarding/calendar/{people['mona'].calendar_token}.ics") as response:
        assert b"Expires: BLS card" not in response.data  # another person's credential is not in the feed


def test_overlapping_runs_send_each_notice_exactly_once_over_smtp(tmp_path, smtp_server):
    """Two `flask reminders send` started at once (a slow run and the next cron tick)."""
    inbox, controller = smtp_server()
    with scratch_app(tmp_path, "notices", pool_size=4, MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port) as app:
        with app.app_context():
            with acting_as(appdb.session, None):
                kind = CredentialType(name="BLS card", role_families=[], renewal_months=24)
                boss = User(email="boss@example.org", name="Boss", role=Role.MANAGER)
                appdb.session.add_all([kind, boss])
                appdb.session.flush()
                for n in range(5):
                    person = User(email=f"person{n}@example.org", name=f"Person {n}", role=Role.STAFF,
                                  manager_id=boss.id)
                    appdb.session.add(person)
                    appdb.session.flush()
                    appdb.session.add(EmployeeCredential(employee_id=person.id, credential_type_id=kind.id,
                                                         number="B", issuer="AHA",
                                                         expires_on=TODAY + timedelta(days=7)))
            appdb.session.commit()

        def run(index: int, start):
            start()
            return run_reminders(TODAY)

        results, errors = run_together(app, 2, run)
        controller.stop()
        assert errors == []
        assert sum(r.credential_notices_queued for r in results) == 10
        received = sorted(rcpt for rcpts, message in inbox.messages for rcpt in rcpts
                          if "BLS" in message["Subject"])
        assert received == sorted([f"person{n}@example.org" for n in range(5)] + ["boss@example.org"] * 5)
        with app.app_context():
            keys = appdb.session.scalars(select(OutboxMessage.dedupe_key)
                                         .where(OutboxMessage.kind == "credential-notice")).all()
            assert len(keys) == len(set(keys)) == 10
            assert sum(key.endswith(f":{EMPLOYEE}:2026-03-04") for key in keys) == 5
            assert sum(f":7d:{MANAGER}:" in key for key in keys) == 5


def test_notice_keys_name_the_credential_the_notice_the_recipient_and_its_day(db, bls, people):
    credential = card(people, bls, 45)
    [item] = due_notices(TODAY)
    assert notice_key(item, MANAGER) == f"credential:{credential.id}:60d:manager:2026-02-17"
