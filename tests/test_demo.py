"""flask demo: a whole organization in one command, never under production, never twice."""

from datetime import date

from sqlalchemy import select

from app.content.library import read_library
from app.content.services import apply_library
from app.demo import build_demo
from app.models import (
    Application,
    Assignment,
    Posting,
    PostingStatus,
    Progress,
    ProgressStatus,
    Role,
    Scorecard,
    Stage,
    User,
)
from tests.helpers import count, counted_from_scratch, kept


def load_content(app):
    apply_library(read_library(app.config["SEEDS_DIR"]))


def test_demo_builds_every_stage_of_hiring_and_onboarding(app, db):
    load_content(app)
    report = build_demo(60, "medical-home-demo", today=date(2026, 11, 23))
    assert report.employees == 60 and report.managers == 2
    for email in ("admin@demo.clinic", "hr@demo.clinic", "manager@demo.clinic", "newhire@demo.clinic"):
        assert db.session.scalar(select(User).where(User.email == email)).check_password("medical-home-demo")
    assert count(db, User, User.role == Role.MANAGER) == 2
    assert {s for s in db.session.scalars(select(Application.stage).distinct())} == set(Stage)
    assert count(db, Posting, Posting.status == PostingStatus.OPEN) >= 3
    assert count(db, Scorecard) > 0
    assert count(db, Assignment) >= 60 * 2
    statuses = set(db.session.scalars(select(Progress.status).distinct()))
    assert {ProgressStatus.COMPLETED, ProgressStatus.NOT_STARTED} <= statuses
    # The bulk inserts bypass the session listener, so the demo computes the training summaries itself.
    assert kept(db.session) == counted_from_scratch(db.session, date(2026, 11, 23))
    overdue = count(db, Progress, Progress.status != ProgressStatus.COMPLETED, Progress.due_date < date(2026, 11, 23))
    assert overdue > 0
    newhire = db.session.scalar(select(User).where(User.email == "newhire@demo.clinic"))
    assert newhire.manager.email == "manager@demo.clinic"


def test_demo_command_refuses_a_database_with_users(app, runner, make_user):
    load_content(app)
    make_user()
    result = runner.invoke(args=["demo", "--employees", "5"])
    assert result.exit_code == 1 and "already has users" in result.output
    quiet = runner.invoke(args=["demo", "--employees", "5", "--if-empty"])
    assert quiet.exit_code == 0 and "demo data not loaded" in quiet.output


def test_demo_command_refuses_production(app, runner):
    app.config["ENV_NAME"] = "production"
    try:
        result = runner.invoke(args=["demo", "--employees", "5"])
    finally:
        app.config["ENV_NAME"] = "testing"
    assert result.exit_code == 1 and "production" in result.output


def test_demo_command_prints_the_logins(app, runner, db):
    load_content(app)
    result = runner.invoke(args=["demo", "--employees", "12", "--password", "a-demo-password-long"])
    assert result.exit_code == 0, result.output
    assert "manager@demo.clinic" in result.output and "a-demo-password-long" in result.output
    assert count(db, User, User.email.like("staff%")) == 11


def test_demo_leaves_the_planner_statistics_of_what_it_loaded(app, db):
    from sqlalchemy import text

    from tests.databases import on_postgres

    load_content(app)
    build_demo(60, "medical-home-demo", today=date(2026, 11, 23))
    if on_postgres():  # SQLite's planner needs no statistics for these sizes
        estimated = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'progress'"))
        assert estimated >= count(db, Progress) * 0.9
