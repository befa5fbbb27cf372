"""Retention: `flask candidates anonymize` removes the personal details of candidates not hired once the
retention period has passed, keeps stages and scores, blanks their e-mails, and a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db as appdb
from app.hiring import one_off_messages, retention
from app.hiring import pipeline_services as services
from app.models import (
    Application,
    ApplicationResubmission,
    AuditEvent,
    OutboxMessage,
    OutboxStatus,
    Stage,
    StageChange,
    utcnow,
)
from tests import factories
from tests.databases import run_together, scratch_app

DAYS = 730


@pytest.fixture
def old(db, apply, hr_user, resume_dir):
    """apply() whose application last changed `days` ago, with a stored résumé and a later resubmission."""

    def make(name: str = "Rosa Diaz", *, days: int = DAYS + 1, stage: Stage = Stage.REJECTED) -> Application:
        (resume_dir / f"{name}.pdf").write_bytes(b"%PDF-1.4 resume")
        application = apply(name=name, phone="251-555-0100", why_medical_home="I like teams.",
                            resume_path=f"{name}.pdf")
        if stage is not Stage.APPLIED:
            services.move_stage(application, stage, actor=hr_user, reason="Chose another candidate")
        one_off_messages.send_message(application, subject=f"Parking for {name}", body=f"Dear {name}.", actor=hr_user)
        (resume_dir / f"{name}-2.pdf").write_bytes(b"%PDF-1.4 later")
        db.session.add(ApplicationResubmission(application_id=application.id, name=name, phone="251-555-0199",
                                               why_medical_home="Still keen.", resume_path=f"{name}-2.pdf"))
        db.session.flush()
        db.session.execute(Application.__table__.update().where(Application.id == application.id)
                           .values(updated_at=utcnow() - timedelta(days=days)))
        db.session.expire_all()
        return application

    return make


@pytest.fixture
def resume_dir(app, tmp_path, monkeypatch):
    path = tmp_path / "resumes"
    path.mkdir()
    monkeypatch.setitem(app.config, "RESUME_DIR", str(path))
    return path


def personal_strings(db, name: str, email: str) -> list[str]:
    """Where the name or e-mail still shows: application, resubmissions, outbox, audit log."""
    found = []
    for row in db.session.scalars(select(Application)):
        found += [f"application {row.id}"] if name in (row.name, ) or row.email == email else []
    for row in db.session.scalars(select(ApplicationResubmission)):
        found += [f"resubmission {row.id}"] if row.name == name else []
    for row in db.session.scalars(select(OutboxMessage)):
        found += [f"outbox {row.id}"] if email in row.recipient or name in row.body + row.subject else []
    for row in db.session.scalars(select(AuditEvent)):
        found += [f"audit {row.action}"] if name in str(row.before) + str(row.after) or email in \
            str(row.before) + str(row.after) else []
    return found


def test_an_old_application_not_hired_loses_its_personal_details_and_keeps_its_stages(db, app, old, resume_dir):
    application = old("Rosa Diaz")
    email = application.email
    assert personal_strings(db, "Rosa Diaz", email) != []
    assert retention.anonymize_due() == 1
    db.session.expire_all()
    row = db.session.get(Application, application.id)
    assert (row.name, row.phone, row.why_medical_home, row.resume_path) == (retention.ANONYMIZED_NAME, "", "", None)
    assert row.email == f"anonymized-{row.id}@invalid" and row.anonymized_at is not None
    assert row.stage is Stage.REJECTED
    stages = db.session.scalars(select(StageChange.to_stage).where(StageChange.application_id == row.id)).all()
    assert stages == [Stage.APPLIED, Stage.REJECTED]
    assert list(resume_dir.iterdir()) == []
    assert personal_strings(db, "Rosa Diaz", email) == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.anonymized"))
    assert (event.entity_id, event.after) == (row.id, {"retention_days": DAYS})


def test_the_candidate_s_e_mails_are_blanked_and_a_pending_one_is_never_sent(db, old):
    application = old("Rosa Diaz")
    retention.anonymize_due()
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert {(m.recipient, m.body, m.html_body, m.calendar) for m in messages} == {("", "", "", "")}
    assert {m.status for m in messages} == {OutboxStatus.DROPPED}
    assert "Parking for Rosa Diaz" not in {m.subject for m in messages}
    assert db.session.get(Application, application.id).anonymized_at is not None


def test_a_second_run_changes_nothing(db, old):
    old("Rosa Diaz")
    assert retention.anonymize_due() == 1
    events = db.session.scalars(select(AuditEvent.id)).all()
    assert retention.anonymize_due() == 0
    assert db.session.scalars(select(AuditEvent.id)).all() == events


def test_recent_and_hired_applications_are_kept(db, old):
    recent = old("Rae Recent", days=DAYS - 1)
    hired = old("Hal Hired", stage=Stage.OFFER)
    db.session.execute(Application.__table__.update().where(Application.id == hired.id)
                       .values(stage=Stage.HIRED, updated_at=utcnow() - timedelta(days=DAYS + 5)))
    assert retention.anonymize_due() == 0
    db.session.expire_all()
    assert db.session.get(Application, recent.id).name == "Rae Recent"
    assert db.session.get(Application, hired.id).name == "Hal Hired"


def test_an_open_application_left_untouched_for_the_period_is_anonymized_too(db, old):
    stale = old("Sid Stale", stage=Stage.APPLIED)
    assert retention.anonymize_due() == 1
    assert db.session.get(Application, stale.id).name == retention.ANONYMIZED_NAME


def test_the_period_is_configurable(db, app, old, monkeypatch):
    application = old("Rosa Diaz", days=40)
    monkeypatch.setitem(app.config, "CANDIDATE_RETENTION_DAYS", 30)
    assert retention.anonymize_due() == 1
    assert db.session.get(Application, application.id).anonymized_at is not None


def test_the_command_prints_the_count_and_is_safe_to_run_again(runner, db, old):
    old("Rosa Diaz")
    old("Bo Other")
    first = runner.invoke(args=["candidates", "anonymize"])
    assert first.exit_code == 0 and "2 application(s) anonymized" in first.output
    again = runner.invoke(args=["candidates", "anonymize"])
    assert "0 application(s) anonymized" in again.output


def test_the_application_page_of_an_anonymized_candidate_offers_no_message(client, db, old, login_as):
    from app.models import Role

    application = old("Rosa Diaz")
    retention.anonymize_due()
    login_as(Role.HR)
    page = client.get(f"/hiring/applications/{application.id}").get_data(as_text=True)
    assert retention.ANONYMIZED_NAME in page and "Rosa Diaz" not in page
    assert "Write to" not in page


RUNS, STALE = 3, 4


def test_overlapping_runs_anonymize_each_application_once(tmp_path):
    """A slow cron run and the next one at the same time: every application is anonymized by exactly one."""
    with scratch_app(tmp_path, "retention", pool_size=RUNS + 2) as app:
        with app.app_context():
            posting = factories.open_posting("Riverside")
            long_ago = utcnow() - timedelta(days=DAYS + 1)
            appdb.session.add_all([
                Application(posting_id=posting.id, name=f"Person {n}", email=f"person{n}@example.org",
                            stage=Stage.REJECTED, updated_at=long_ago) for n in range(STALE)])
            appdb.session.commit()

        def run(index: int, start) -> int:
            start()
            return retention.anonymize_due()

        results, errors = run_together(app, RUNS, run)
        assert errors == []
        assert sum(results) == STALE
        with app.app_context():
            events = appdb.session.scalars(select(AuditEvent.entity_id).where(
                AuditEvent.action == "application.anonymized")).all()
            assert sorted(events) == sorted(appdb.session.scalars(select(Application.id)))
            assert set(appdb.session.scalars(select(Application.name))) == {retention.ANONYMIZED_NAME}
