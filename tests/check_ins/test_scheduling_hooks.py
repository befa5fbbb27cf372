"""Check-ins are scheduled where people arrive: on hire (on the hiring rubric), on staff import, by the
backfill command; and a changed start date moves the check-ins not yet done."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.admin.import_services import apply_plan, parse_staff_csv
from app.admin.services import update_user
from app.audit import acting_as
from app.content.library import read_library
from app.content.services import apply_library
from app.hiring.hire import hire_applicant, summary
from app.models import AuditEvent, CheckIn, Role, RoleFamily, Stage
from app.onboarding import check_ins
from tests.check_ins.test_services import full_ratings
from tests.factories import SiteFactory
from tests.hiring.test_scoring import assign, make_application, make_posting, score

TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def shipped(app):
    return read_library(app.config["SEEDS_DIR"])


@pytest.fixture
def library(db, shipped):
    """The shipped library: template rubrics, tracks, and the check-in schedules (providers 30/90/180)."""
    with acting_as(db.session, None):
        apply_library(shipped)
    db.session.flush()


def check_ins_of(db, employee) -> list[CheckIn]:
    return db.session.scalars(select(CheckIn).where(CheckIn.employee_id == employee.id).order_by(CheckIn.day)).all()


def edit(user, actor, **changes):
    fields = {"name": user.name, "role": user.role, "is_interviewer": user.is_interviewer, "site": user.site,
              "department": user.department, "role_family": user.role_family, "manager": user.manager,
              "start_date": user.start_date}
    update_user(user, actor=actor, today=TODAY, **{**fields, **changes})


# On hire -------------------------------------------------------------------------------------
def test_a_hire_gets_check_ins_on_the_postings_rubric_and_hr_is_told(db, library, make_user):
    hr, manager = make_user(Role.HR), make_user(Role.MANAGER)
    posting = make_posting(db, (("care-coordination", 60), ("enhanced-access", 40)))
    application = make_application(db, posting, stage=Stage.OFFER, name="Pat Provider", email="pat@example.org")
    score(assign(db, application, make_user(Role.STAFF, is_interviewer=True)), [4, 3])
    start = TODAY + timedelta(days=14)

    result = hire_applicant(application, actor=hr, start_date=start, site=SiteFactory(),
                            role_family=RoleFamily.PRIMARY_CARE_PROVIDER, manager=manager, today=TODAY)

    made = check_ins_of(db, result.employee)
    assert [(c.day, c.due_date) for c in made] == [(day, start + timedelta(days=day)) for day in (30, 90, 180)]
    assert {c.application_id for c in made} == {application.id} and {c.rubric_id for c in made} == {posting.rubric_id}
    assert [v.key for v in check_ins.values_for(made[0])] == ["care-coordination", "enhanced-access"]
    assert "Check-ins scheduled for days 30, 90 and 180 after the start date." in summary(result)


# On import -----------------------------------------------------------------------------------
def test_imported_staff_get_check_ins_unless_their_check_in_days_are_all_past(db, library):
    site = SiteFactory(name="Riverside Family Health")
    recent, veteran = (TODAY - timedelta(days=20)).isoformat(), "2019-05-01"
    plan = parse_staff_csv("name,email,site,role_family,manager_email,start_date\n"
                           f"Sam New,sam@example.org,{site.name},medical-assistant,,{recent}\n"
                           f"Val Veteran,val@example.org,{site.name},front-desk,,{veteran}\n", today=TODAY)
    sam, val = apply_plan(plan, actor=None, today=TODAY)
    assert [c.day for c in check_ins_of(db, sam)] == [30, 60, 90]
    assert check_ins_of(db, sam)[0].application_id is None  # rated on the medical assistant template
    assert check_ins_of(db, val) == []


# The backfill command --------------------------------------------------------------------------
def test_the_backfill_schedules_who_lacks_check_ins_once_and_leaves_out_long_serving_staff(db, library, runner,
                                                                                            make_user):
    today = date.today()
    new = make_user(Role.STAFF, role_family=RoleFamily.FRONT_DESK, start_date=today - timedelta(days=40))
    provider = make_user(Role.STAFF, role_family=RoleFamily.PRIMARY_CARE_PROVIDER,
                         start_date=today - timedelta(days=150))  # day 180 is still ahead
    veteran = make_user(Role.STAFF, role_family=RoleFamily.FRONT_DESK, start_date=today - timedelta(days=900))
    make_user(Role.STAFF, role_family=RoleFamily.FRONT_DESK, start_date=today, active=False)
    make_user(Role.STAFF, role_family=RoleFamily.FRONT_DESK, start_date=None)
    check_ins.schedule(new, actor=None)
    db.session.commit()

    first = runner.invoke(args=["check-ins", "schedule"])
    assert first.exit_code == 0, first.output
    assert "3 check-ins added for 1 person." in first.output  # the provider; the new hire had theirs
    assert "1 person whose check-in days are all past left out; run with --all" in first.output
    assert [c.day for c in check_ins_of(db, provider)] == [30, 90, 180]
    assert check_ins_of(db, veteran) == []

    again = runner.invoke(args=["check-ins", "schedule"])
    assert "0 check-ins added for 0 people." in again.output

    everyone = runner.invoke(args=["check-ins", "schedule", "--all"])
    assert "3 check-ins added for 1 person." in everyone.output and "left out" not in everyone.output
    assert [c.due_date for c in check_ins_of(db, veteran)][0] == veteran.start_date + timedelta(days=30)


# A changed start date ----------------------------------------------------------------------------
def test_a_new_start_date_moves_the_check_ins_not_done_and_keeps_the_done_ones(db, library, make_user):
    admin, manager = make_user(Role.ADMIN), make_user(Role.MANAGER)
    hire = make_user(Role.STAFF, manager=manager, role_family=RoleFamily.MEDICAL_ASSISTANT, start_date=TODAY)
    first, second, third = check_ins.schedule(hire, actor=None)
    for actor in (hire, manager):
        check_ins.submit(first, actor=actor, ratings=full_ratings(first), today=first.due_date)
    check_ins.submit(second, actor=hire, ratings=full_ratings(second), today=second.due_date)  # half done
    done_on = first.due_date

    later = TODAY + timedelta(days=10)
    with acting_as(db.session, admin.id):
        edit(hire, admin, start_date=later)

    db.session.expire_all()
    assert [(c.day, c.due_date) for c in check_ins_of(db, hire)] == [
        (30, done_on), (60, later + timedelta(days=60)), (90, later + timedelta(days=90))]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "check_in.rescheduled"))
    assert event.actor_id == admin.id and event.entity_id == hire.id
    assert set(event.after["moved"]) == {"60", "90"}


def test_editing_anything_but_the_start_date_moves_nothing(db, library, make_user):
    admin = make_user(Role.ADMIN)
    hire = make_user(Role.STAFF, role_family=RoleFamily.MEDICAL_ASSISTANT, start_date=TODAY)
    check_ins.schedule(hire, actor=None)
    edit(hire, admin, name="Nia Renamed")
    assert [c.due_date for c in check_ins_of(db, hire)] == [TODAY + timedelta(days=d) for d in (30, 60, 90)]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "check_in.rescheduled")) is None


def test_a_first_start_date_schedules_the_check_ins(db, library, make_user):
    admin = make_user(Role.ADMIN)
    hire = make_user(Role.STAFF, role_family=RoleFamily.MEDICAL_ASSISTANT, start_date=None)
    edit(hire, admin, start_date=TODAY - timedelta(days=5))
    assert [c.day for c in check_ins_of(db, hire)] == [30, 60, 90]


def test_removing_the_start_date_keeps_the_check_ins_where_they_are(db, library, make_user):
    hire = make_user(Role.STAFF, role_family=RoleFamily.MEDICAL_ASSISTANT, start_date=TODAY)
    check_ins.schedule(hire, actor=None)
    edit(hire, make_user(Role.ADMIN), start_date=None)
    assert [c.due_date for c in check_ins_of(db, hire)] == [TODAY + timedelta(days=d) for d in (30, 60, 90)]
