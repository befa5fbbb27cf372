"""Reminder e-mails: who gets one, the opt-out, once per day and week, real SMTP and retries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import mail
from app.extensions import db as appdb
from app.models import (
    Assignment,
    Method,
    Module,
    OutboxMessage,
    OutboxStatus,
    Progress,
    ProgressStatus,
    Role,
    Track,
    TrackKind,
    utcnow,
)
from app.onboarding import services
from app.reminders import digest_key, due_items, reminder_key, report_lines, run_reminders
from tests.databases import run_together, scratch_app
from tests.helpers import free_port

TODAY = date(2026, 3, 4)  # a Wednesday
MONDAY = date(2026, 3, 2)
SENDERS, MESSAGES = 6, 30


@pytest.fixture
def track(db):
    """A one-off track whose modules each test adds as it needs them."""
    track = Track(name="Reminder test track", kind=TrackKind.ROLE, role_families=[])
    db.session.add(track)
    db.session.flush()
    return track


@pytest.fixture
def plan(db, track):
    """plan(employee, {"Title": days from TODAY, ...}) assigns one module per title, due then."""
    position = iter(range(1000))

    def make(employee, modules: dict[str, int], *, method=Method.ATTEST):
        made = {}
        for title in modules:
            module = Module(
                track_id=track.id,
                position=next(position),
                title=title,
                content="Lesson",
                minutes=10,
                due_offset_days=0,
                method=method,
            )
            db.session.add(module)
            made[title] = module
        db.session.flush()
        services.assign_track(employee, track, actor=None, today=TODAY, modules=list(made.values()))
        for title, days in modules.items():
            progress = progress_of(db, employee, made[title])
            progress.due_date = TODAY + timedelta(days=days)
        db.session.flush()
        return made

    return make


def progress_of(db, employee, module) -> Progress:
    return db.session.scalar(
        select(Progress).where(Progress.employee_id == employee.id, Progress.module_id == module.id)
    )


def outbox(db, kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return db.session.scalars(query).all()


def reminder_for(db, user, day: date = TODAY) -> OutboxMessage | None:
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == reminder_key(user.id, day)))


# Selection -----------------------------------------------------------------------------------
def test_reminder_lists_modules_due_within_three_days_or_overdue_and_nothing_else(db, make_user, plan):
    hire = make_user(Role.STAFF, name="Nia Hire")
    modules = plan(
        hire,
        {
            "Due in three days": 3,
            "Due today": 0,
            "Due in four days": 4,
            "Overdue huddles": -2,
            "Completed overdue": -5,
            "Waived overdue": -5,
            "Archived module": 1,
        },
    )
    progress_of(db, hire, modules["Completed overdue"]).status = ProgressStatus.COMPLETED
    progress_of(db, hire, modules["Waived overdue"]).status = ProgressStatus.WAIVED
    modules["Archived module"].archive()
    db.session.flush()

    run_reminders(TODAY)

    message = reminder_for(db, hire)
    assert message.recipient == hire.email
    assert message.kind == "reminder"
    assert "overdue: 1 module" in message.subject
    for title in ("Due in three days", "Due today", "Overdue huddles"):
        assert title in message.body
    for title in ("Due in four days", "Completed overdue", "Waived overdue", "Archived module"):
        assert title not in message.body
    assert "- Overdue huddles (was due Mon 2 Mar 2026, overdue)" in message.body
    assert "- Due in three days (due Sat 7 Mar 2026)" in message.body
    assert "http://localhost/onboarding" in message.body
    assert "/onboarding/preferences" in message.body


def test_no_reminder_for_unassigned_track_inactive_employee_or_nothing_due(db, make_user, plan, track):
    unassigned = make_user(Role.STAFF)
    plan(unassigned, {"Overdue on a dropped track": -3})
    services.unassign(
        db.session.scalar(select(Assignment).where(Assignment.employee_id == unassigned.id)), actor=unassigned
    )
    inactive = make_user(Role.STAFF)
    plan(inactive, {"Overdue for a leaver": -3})
    inactive.active = False
    relaxed = make_user(Role.STAFF)
    plan(relaxed, {"Due next week": 7, "Due in four days again": 4})
    db.session.flush()

    report = run_reminders(TODAY)

    assert report.reminders_queued == 0
    assert outbox(db, "reminder") == []


def test_one_reminder_per_employee_per_day(db, make_user, plan):
    first, second = make_user(Role.STAFF), make_user(Role.STAFF)
    plan(first, {"Module A": -1, "Module B": 2})
    plan(second, {"Module C": 1})

    report = run_reminders(TODAY)

    assert report.reminders_queued == 2
    assert sorted(m.dedupe_key for m in outbox(db, "reminder")) == sorted(
        [f"reminder:{first.id}:2026-03-04", f"reminder:{second.id}:2026-03-04"]
    )
    assert "due soon: 1 module" in reminder_for(db, second).subject


def test_selection_costs_one_query_however_many_employees(db, make_user, plan, count_queries):
    manager = make_user(Role.MANAGER)
    for n in range(6):
        plan(make_user(Role.STAFF, manager=manager), {f"Module {n}": -1})
    with count_queries() as statements:
        selected = due_items(TODAY)
        teams = report_lines(TODAY)
    assert len(selected) == 6
    assert len(teams[manager.id][1]) == 6
    assert len(statements) == 2


# Opt-out -------------------------------------------------------------------------------------
def test_opting_out_of_due_soon_keeps_overdue_reminders(db, make_user, plan):
    only_due_soon = make_user(Role.STAFF, due_soon_reminders=False)
    plan(only_due_soon, {"Due tomorrow": 1})
    both = make_user(Role.STAFF, due_soon_reminders=False)
    plan(both, {"Overdue privacy module": -1, "Due in two days": 2})

    run_reminders(TODAY)

    assert reminder_for(db, only_due_soon) is None
    message = reminder_for(db, both)
    assert "Overdue privacy module" in message.body
    assert "Due in two days" not in message.body


# Once only -----------------------------------------------------------------------------------
def test_running_twice_the_same_day_queues_and_sends_nothing_new(db, make_user, plan):
    manager = make_user(Role.MANAGER)
    hire = make_user(Role.STAFF, manager=manager)
    plan(hire, {"Overdue module": -1})

    first = run_reminders(TODAY)
    count = db.session.scalar(select(func.count(OutboxMessage.id)))
    second = run_reminders(TODAY)

    assert (first.reminders_queued, first.digests_queued, first.sent) == (1, 1, 2)
    assert (second.reminders_queued, second.digests_queued, second.sent) == (0, 0, 0)
    assert (second.reminders_already_queued, second.digests_already_queued) == (1, 1)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == count
    assert all(m.status is OutboxStatus.SENT and m.attempts == 1 for m in outbox(db))
    assert "0 queued" in second.summary()


def test_next_day_sends_a_new_reminder(db, make_user, plan):
    hire = make_user(Role.STAFF)
    plan(hire, {"Overdue module": -1})
    run_reminders(TODAY)
    run_reminders(TODAY + timedelta(days=1))
    assert [m.dedupe_key for m in outbox(db, "reminder")] == [
        reminder_key(hire.id, TODAY),
        reminder_key(hire.id, TODAY + timedelta(days=1)),
    ]


def test_cli_command_prints_the_summary(runner, make_user, plan):
    hire = make_user(Role.STAFF)
    plan(hire, {"Overdue module": -(date.today() - TODAY).days - 1})  # overdue whatever today is
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "Reminders: 1 queued" in result.output
    assert "1 sent" in result.output


# Manager digest ------------------------------------------------------------------------------
def test_digest_summarises_each_report_once_per_iso_week(db, make_user, plan):
    manager = make_user(Role.MANAGER, name="Mona Manager")
    behind = make_user(Role.STAFF, name="Bea Behind", manager=manager)
    plan(behind, {"Late one": -4, "Late two": -3, "Fine one": 10})  # overdue by Monday
    signer = make_user(Role.STAFF, name="Sam Signoff", manager=manager)
    modules = plan(signer, {"Leads a huddle": 5, "Done one": -9}, method=Method.SIGN_OFF)
    progress_of(db, signer, modules["Done one"]).status = ProgressStatus.COMPLETED
    progress_of(db, signer, modules["Leads a huddle"]).sign_off_requested_at = utcnow()
    gone = make_user(Role.STAFF, name="Lee Leaver", manager=manager)
    plan(gone, {"Late for a leaver": -3})
    gone.active = False
    lonely = make_user(Role.MANAGER)  # only an inactive report: no digest
    make_user(Role.STAFF, manager=lonely, active=False)
    db.session.flush()

    run_reminders(MONDAY)

    digests = outbox(db, "digest")
    assert [d.dedupe_key for d in digests] == [f"digest:{manager.id}:2026-W10"] == [digest_key(manager.id, MONDAY)]
    digest = digests[0]
    assert digest.recipient == manager.email
    assert digest.subject == "Team training, week 10 of 2026: 1 behind, 1 sign-off waiting"
    assert "- Bea Behind: 0 of 3 modules complete (0%), 2 overdue" in digest.body
    assert "- Sam Signoff: 1 of 2 modules complete (50%), 0 overdue, 1 awaiting your sign-off" in digest.body
    assert "Lee Leaver" not in digest.body
    assert "Sign-off requests waiting for you: 1" in digest.body

    run_reminders(TODAY)  # Wednesday, same ISO week
    assert len(outbox(db, "digest")) == 1
    run_reminders(MONDAY + timedelta(days=7))
    assert [d.dedupe_key for d in outbox(db, "digest")] == [
        f"digest:{manager.id}:2026-W10",
        f"digest:{manager.id}:2026-W11",
    ]


# Real SMTP -----------------------------------------------------------------------------------
def test_reminders_go_out_over_smtp(db, make_user, plan, smtp_config, smtp_server):
    manager = make_user(Role.MANAGER, name="Mona Manager")
    hire = make_user(Role.STAFF, name="Nia Hire", manager=manager)
    plan(hire, {"Welcome to the medical home": -1})
    inbox, controller = smtp_server()
    smtp_config(controller.port)

    report = run_reminders(TODAY)
    controller.stop()

    assert (report.sent, report.failed) == (2, 0)
    by_recipient = {tuple(rcpt): message for rcpt, message in inbox.messages}
    assert set(by_recipient) == {(hire.email,), (manager.email,)}
    reminder = by_recipient[(hire.email,)]
    assert reminder["Subject"] == "Onboarding training overdue: 1 module"
    assert reminder["To"] == hire.email
    assert "Welcome to the medical home" in reminder.get_content()
    assert "Nia Hire: 0 of 1 modules complete (0%), 1 overdue" in by_recipient[(manager.email,)].get_content()
    assert all(m.status is OutboxStatus.SENT and m.sent_at is not None for m in outbox(db))


def test_failed_send_is_retried_after_back_off_and_sent_once(db, make_user, plan, smtp_config, smtp_server):
    hire = make_user(Role.STAFF)
    plan(hire, {"Retry module": -1})
    port = free_port()
    smtp_config(port)  # nothing listens there yet

    first = run_reminders(TODAY)

    message = reminder_for(db, hire)
    assert (first.sent, first.failed) == (0, 1)
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.last_error
    assert message.next_attempt_at > utcnow()

    inbox, controller = smtp_server(port)
    early = run_reminders(TODAY)  # the back-off has not passed: nothing is tried
    assert (early.sent, early.failed) == (0, 0)
    assert inbox.messages == []

    later = utcnow() + timedelta(minutes=2)
    retried = run_reminders(TODAY, now=later)
    again = run_reminders(TODAY, now=later + timedelta(hours=1))
    controller.stop()

    assert (retried.sent, retried.failed) == (1, 0)
    assert (again.sent, again.failed) == (0, 0)
    assert [rcpt for rcpt, _ in inbox.messages] == [[hire.email]]
    db.session.refresh(message)
    assert message.status is OutboxStatus.SENT
    assert message.attempts == 2


# Several senders at once -------------------------------------------------------------------------
def test_a_message_another_sender_has_claimed_waits_until_the_claim_lapses(db, make_user):
    """A sender takes each message (a committed lease) before sending it; while the lease runs no
    other run sends it, and if that sender died the message goes out once the lease has lapsed."""
    message = mail.queue(kind="test", dedupe_key="claimed-once", recipient="someone@example.org",
                         subject="Hello", body="Body")
    db.session.commit()
    now = utcnow()
    assert mail.claim(message, now) is True
    assert mail.claim(message, now) is False  # the second sender loses
    assert mail.deliver_due(now=now) == (0, 0)
    assert db.session.get(OutboxMessage, message.id).status is OutboxStatus.PENDING
    assert mail.deliver_due(now=now + timedelta(minutes=mail.CLAIM_MINUTES, seconds=1)) == (1, 0)
    sent = db.session.get(OutboxMessage, message.id)
    assert (sent.status, sent.attempts) == (OutboxStatus.SENT, 1)


def test_senders_running_at_once_send_each_message_exactly_once(tmp_path, smtp_server):
    """Overlapping `flask reminders send` runs (a slow run and the next cron tick) over real SMTP."""
    inbox, controller = smtp_server()
    with scratch_app(tmp_path, "senders", pool_size=SENDERS + 2, MAIL_SERVER="127.0.0.1",
                     MAIL_PORT=controller.port) as app:
        with app.app_context():
            for n in range(MESSAGES):
                mail.queue(kind="test", dedupe_key=f"at-once-{n}", recipient=f"person{n}@example.org",
                           subject=f"Message {n}", body="Body")
            appdb.session.commit()

        def send_due(index: int, start) -> tuple[int, int]:
            start()
            return mail.deliver_due()

        results, errors = run_together(app, SENDERS, send_due)
        controller.stop()
        assert errors == []
        assert sum(sent for sent, _ in results) == MESSAGES
        received = sorted(rcpt for rcpts, _ in inbox.messages for rcpt in rcpts)
        assert received == sorted(f"person{n}@example.org" for n in range(MESSAGES))  # none twice, none lost
        with app.app_context():
            rows = appdb.session.scalars(select(OutboxMessage)).all()
            assert {(m.status, m.attempts) for m in rows} == {(OutboxStatus.SENT, 1)}
