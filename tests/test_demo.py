"""flask demo: a whole organization in one command, never under production, never twice."""

import math
from collections import defaultdict
from datetime import date, timedelta
from statistics import fmean

from sqlalchemy import select

from app.content.library import read_library
from app.content.services import apply_library
from app.demo import build_demo
from app.models import (
    Application,
    Assignment,
    CheckIn,
    CheckInRating,
    Criterion,
    Posting,
    PostingStatus,
    Progress,
    ProgressStatus,
    Rater,
    Rating,
    Role,
    RoleFamily,
    Scorecard,
    ScorecardStatus,
    Stage,
    User,
)
from app.onboarding import check_ins
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


# Check-in histories ------------------------------------------------------------------------------
DEMO_DAY = date(2026, 11, 23)


def pearson(xs, ys) -> float:
    mean_x, mean_y = fmean(xs), fmean(ys)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sum((x - mean_x) ** 2 for x in xs) * sum((y - mean_y) ** 2 for y in ys))


def validity_pairs(db) -> dict[int, list[tuple[float, int]]]:
    """Per value: (the hire's mean interview rating on it, their 90-day manager rating), over done check-ins."""
    interview = defaultdict(list)
    for application_id, value_id, score in db.session.execute(
            select(Scorecard.application_id, Criterion.value_id, Rating.score)
            .join(Rating, Rating.scorecard_id == Scorecard.id).join(Criterion, Criterion.id == Rating.criterion_id)
            .join(Application, Application.id == Scorecard.application_id)
            .where(Application.hired_user_id.is_not(None), Scorecard.status == ScorecardStatus.SUBMITTED)):
        interview[application_id, value_id].append(score)
    pairs = defaultdict(list)
    for application_id, value_id, score in db.session.execute(
            select(CheckIn.application_id, CheckInRating.value_id, CheckInRating.score)
            .join(CheckInRating, CheckInRating.check_in_id == CheckIn.id)
            .where(CheckIn.day == 90, CheckIn.completed_at.is_not(None), CheckInRating.rater == Rater.MANAGER)):
        pairs[value_id].append((fmean(interview[application_id, value_id]), score))
    return pairs


def test_demo_hires_have_check_in_histories_done_open_and_overdue(app, db):
    load_content(app)
    report = build_demo(200, "medical-home-demo", today=DEMO_DAY)
    assert report.hires >= 40 and report.check_ins >= 3 * report.hires
    made = db.session.scalars(select(CheckIn)).all()
    states = {check_ins.status(c, DEMO_DAY) for c in made}
    assert {"done", "overdue", "upcoming"} <= states
    assert 1 <= sum(check_ins.status(c, DEMO_DAY) == "overdue" for c in made) <= 2
    for check_in in made:
        employee = check_in.employee
        assert check_in.due_date == employee.start_date + timedelta(days=check_in.day)
        assert check_in.application.hired_user_id == employee.id
        assert (check_in.due_date < DEMO_DAY) is (check_in.done or check_ins.status(check_in, DEMO_DAY) == "overdue")
        values = {v.id for v in check_ins.values_for(check_in)}
        sides = defaultdict(set)
        for rating in check_in.ratings:
            sides[rating.rater].add(rating.value_id)
            assert 1 <= rating.score <= 5 and rating.evidence
        if check_in.done:
            assert sides == {Rater.SELF: values, Rater.MANAGER: values}  # every value, by both sides
            assert check_in.manager_id == employee.manager_id and check_in.completed_at.date() <= DEMO_DAY
        else:
            assert Rater.MANAGER not in sides and sides.get(Rater.SELF, values) == values
            assert (Rater.SELF in sides) is (check_in.self_submitted_at is not None)
    providers = {c.employee_id: [] for c in made if c.employee.role_family is RoleFamily.PRIMARY_CARE_PROVIDER}
    for check_in in made:
        providers.get(check_in.employee_id, []).append(check_in.day)
    assert providers and all(sorted(days) == [30, 90, 180] for days in providers.values())  # their own schedule
    newhire = db.session.scalar(select(User).where(User.email == "newhire@demo.clinic"))
    assert [check_ins.status(c, DEMO_DAY) for c in made if c.employee_id == newhire.id] == ["upcoming"] * 3


def test_demo_interview_scores_predict_the_90_day_ratings_modestly(app, db):
    load_content(app)
    build_demo(200, "medical-home-demo", today=DEMO_DAY)
    pairs = validity_pairs(db)
    assert sum(len(found) >= 10 for found in pairs.values()) >= 4  # enough for a validity report on several values
    every = [pair for found in pairs.values() for pair in found]
    r = pearson([x for x, _ in every], [y for _, y in every])
    assert 0.25 <= r <= 0.5, r
    hired = db.session.scalars(select(Application).where(Application.hired_user_id.is_not(None))).all()
    assert all(len([c for c in db.session.scalars(select(Scorecard).where(
        Scorecard.application_id == a.id, Scorecard.status == ScorecardStatus.SUBMITTED))]) == 2 for a in hired)
