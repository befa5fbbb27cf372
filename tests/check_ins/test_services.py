"""Check-ins through their services: due dates from the start date and the role family's schedule, the
values of the hiring rubric (or the role family's template), the blind rule, amendments, next steps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.audit import acting_as
from app.models import (
    AuditEvent,
    CheckInRating,
    Criterion,
    Module,
    Progress,
    Rater,
    Role,
    RoleFamily,
    Rubric,
    Stage,
    Track,
    TrackKind,
)
from app.onboarding import check_ins
from app.onboarding.check_ins import CheckInError, RatingProblems
from tests.hiring.test_scoring import make_application, make_posting, value

START = date(2026, 3, 2)


@pytest.fixture
def team(db, make_user):
    """A manager, their new medical assistant (started START) and someone else's manager."""
    manager = make_user(Role.MANAGER, name="Mona Manager")
    hire = make_user(Role.STAFF, name="Nia Hire", manager=manager, start_date=START,
                     role_family=RoleFamily.MEDICAL_ASSISTANT)
    stranger = make_user(Role.MANAGER, name="Other Manager")
    return manager, hire, stranger


def hired(db, employee, criteria=(("care-coordination", 60), ("qi-strategy", 40))):
    """Record that the employee was hired from an application to a posting with these criteria."""
    posting = make_posting(db, criteria)
    application = make_application(db, posting, stage=Stage.HIRED)
    application.hired_user_id = employee.id
    db.session.flush()
    return application


def full_ratings(check_in, score: int = 4, evidence: str = "Walked a patient's referral through to the visit."):
    return {v.id: (score, evidence) for v in check_ins.values_for(check_in)}


def test_check_ins_fall_due_30_60_and_90_days_after_the_start_date(db, team):
    _, hire, _ = team
    hired(db, hire)
    made = check_ins.schedule(hire, actor=None)
    assert [(c.day, c.due_date) for c in made] == [
        (30, date(2026, 4, 1)), (60, date(2026, 5, 1)), (90, date(2026, 5, 31))]


def test_a_role_family_schedule_overrides_the_default_and_scheduling_twice_adds_nothing(db, team):
    _, hire, _ = team
    hired(db, hire)
    check_ins.set_offsets(None, [45, 90], actor=None)
    check_ins.set_offsets(RoleFamily.MEDICAL_ASSISTANT, [14, 30, 90, 180], actor=None)
    assert [c.day for c in check_ins.schedule(hire, actor=None)] == [14, 30, 90, 180]
    assert check_ins.schedule(hire, actor=None) == []
    assert check_ins.offsets_for(RoleFamily.FRONT_DESK) == [45, 90]


@pytest.mark.parametrize("days, message", [([], "at least one"), ([0, 30], "from 1 to"), ([800], "from 1 to")])
def test_a_schedule_out_of_range_is_refused(db, days, message):
    with pytest.raises(CheckInError, match=message):
        check_ins.set_offsets(None, days, actor=None)


def test_a_hire_rates_the_values_of_the_rubric_they_were_hired_on(db, team):
    _, hire, _ = team
    application = hired(db, hire, (("qi-strategy", 50), ("care-coordination", 30), ("qi-strategy", 20)))
    [first, *_] = check_ins.schedule(hire, actor=None)
    assert first.application_id == application.id
    assert [v.key for v in check_ins.values_for(first)] == ["qi-strategy", "care-coordination"]  # each value once


def test_staff_without_a_hiring_record_rate_their_role_familys_template(db, team):
    _, hire, _ = team
    template = Rubric(name="Medical assistant template", role_family=RoleFamily.MEDICAL_ASSISTANT, is_template=True)
    db.session.add(template)
    db.session.flush()
    db.session.add(Criterion(rubric_id=template.id, value_id=value(db, "enhanced-access").id, position=0, weight=100,
                             title="Opens access", anchor_1="a", anchor_3="b", anchor_5="c"))
    db.session.flush()
    [first, *_] = check_ins.schedule(hire, actor=None)
    assert first.application_id is None and first.rubric_id == template.id
    assert [v.key for v in check_ins.values_for(first)] == ["enhanced-access"]


def test_no_start_date_or_no_rubric_means_no_check_ins(db, make_user):
    assert check_ins.schedule(make_user(Role.STAFF, start_date=None), actor=None) == []
    assert check_ins.schedule(make_user(Role.STAFF, start_date=START, role_family=RoleFamily.FRONT_DESK),
                              actor=None) == []


def test_status_moves_from_upcoming_to_due_to_overdue(db, team):
    _, hire, _ = team
    hired(db, hire)
    first = check_ins.schedule(hire, actor=None)[0]  # due April 1
    assert check_ins.status(first, date(2026, 3, 20)) == "upcoming"
    assert check_ins.status(first, date(2026, 3, 25)) == "due"
    assert check_ins.status(first, date(2026, 4, 2)) == "overdue"


def test_each_side_is_blind_to_the_other_until_both_have_submitted(db, team):
    manager, hire, _ = team
    hired(db, hire)
    check_in = check_ins.schedule(hire, actor=None)[0]
    today = check_in.due_date
    check_ins.submit(check_in, actor=hire, ratings=full_ratings(check_in, 5), today=today)
    assert check_ins.visible_ratings(check_in, manager)[Rater.SELF] == []
    assert len(check_ins.visible_ratings(check_in, hire)[Rater.SELF]) == 2
    assert not check_in.done

    check_ins.submit(check_in, actor=manager, ratings=full_ratings(check_in, 3), next_steps="Shadow the RN", today=today)
    db.session.expire(check_in, ["ratings"])
    for viewer in (hire, manager):
        shown = check_ins.visible_ratings(check_in, viewer)
        assert [r.score for r in shown[Rater.SELF]] == [5, 5] and [r.score for r in shown[Rater.MANAGER]] == [3, 3]
    assert check_in.done and check_in.manager_id == manager.id and check_in.next_steps == "Shadow the RN"


def test_the_manager_side_stays_hidden_from_the_employee_while_they_have_not_rated(db, team):
    manager, hire, _ = team
    hired(db, hire)
    check_in = check_ins.schedule(hire, actor=None)[0]
    check_ins.submit(check_in, actor=manager, ratings=full_ratings(check_in, 2), today=check_in.due_date)
    assert check_ins.visible_ratings(check_in, hire) == {Rater.SELF: [], Rater.MANAGER: []}


def test_another_teams_manager_can_neither_see_nor_rate(db, team):
    _, hire, stranger = team
    hired(db, hire)
    check_in = check_ins.schedule(hire, actor=None)[0]
    assert not check_ins.may_view(stranger, check_in)
    assert check_ins.visible_ratings(check_in, stranger) == {}
    with pytest.raises(CheckInError, match="manager line"):
        check_ins.submit(check_in, actor=stranger, ratings=full_ratings(check_in), today=check_in.due_date)


def test_incomplete_ratings_are_refused_per_value_and_change_nothing(db, team):
    manager, hire, _ = team
    hired(db, hire)
    check_in = check_ins.schedule(hire, actor=None)[0]
    values = check_ins.values_for(check_in)
    bad = {values[0].id: (6, "x"), values[1].id: (3, "  ")}
    with pytest.raises(RatingProblems) as refused:
        check_ins.submit(check_in, actor=manager, ratings=bad, today=check_in.due_date)
    assert set(refused.value.problems) == {(values[0].id, "score"), (values[1].id, "evidence")}
    assert db.session.scalars(select(CheckInRating)).all() == []
    assert check_in.manager_submitted_at is None


def test_a_check_in_opens_two_weeks_before_its_date_and_takes_each_side_once(db, team):
    _, hire, _ = team
    hired(db, hire)
    check_in = check_ins.schedule(hire, actor=None)[0]
    with pytest.raises(CheckInError, match="opens on"):
        check_ins.submit(check_in, actor=hire, ratings=full_ratings(check_in), today=check_in.due_date - timedelta(15))
    check_ins.submit(check_in, actor=hire, ratings=full_ratings(check_in), today=check_in.due_date - timedelta(14))
    with pytest.raises(CheckInError, match="already submitted"):
        check_ins.submit(check_in, actor=hire, ratings=full_ratings(check_in), today=check_in.due_date)


def test_an_amendment_keeps_the_earlier_ratings_and_records_the_reason(db, team):
    manager, hire, _ = team
    hired(db, hire)
    check_in = check_ins.schedule(hire, actor=None)[0]
    with acting_as(db.session, manager.id):
        check_ins.submit(check_in, actor=manager, ratings=full_ratings(check_in, 2), today=check_in.due_date)
        with pytest.raises(CheckInError, match="Say why"):
            check_ins.amend(check_in, actor=manager, ratings=full_ratings(check_in, 4), reason=" ")
        check_ins.amend(check_in, actor=manager, ratings=full_ratings(check_in, 4), reason="Mixed her up with Nina")
    every = db.session.scalars(select(CheckInRating).order_by(CheckInRating.id)).all()
    assert [(r.revision, r.score, r.superseded_at is None) for r in every] == [
        (1, 2, False), (1, 2, False), (2, 4, True), (2, 4, True)]
    assert {r.amendment_reason for r in every if r.revision == 2} == {"Mixed her up with Nina"}
    assert [r.score for r in check_in.ratings] == [4, 4]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "check_in.amended"))
    assert event.actor_id == manager.id


def test_next_steps_assign_the_development_modules_of_a_value_in_one_click(db, team):
    manager, hire, _ = team
    hired(db, hire)
    check_in = check_ins.schedule(hire, actor=None)[0]
    track = Track(name="Grow in care coordination", kind=TrackKind.DEVELOPMENT)
    db.session.add(track)
    db.session.flush()
    module = Module(track_id=track.id, position=0, title="Closing the referral loop", minutes=20, due_offset_days=0,
                    content="Read", values=[value(db, "care-coordination")])
    db.session.add(module)
    db.session.flush()
    cc = value(db, "care-coordination")
    assert check_ins.assign_next_step_modules(check_in, [cc.id], actor=manager, today=START) == 1
    assert db.session.scalar(select(Progress.module_id).where(Progress.employee_id == hire.id)) == module.id
    assert check_ins.assign_next_step_modules(check_in, [cc.id], actor=manager, today=START) == 0
    with pytest.raises(CheckInError, match="No development module builds"):
        check_ins.assign_next_step_modules(check_in, [value(db, "qi-strategy").id], actor=manager, today=START)
    with pytest.raises(CheckInError, match="manager line"):
        check_ins.assign_next_step_modules(check_in, [cc.id], actor=hire, today=START)


def test_check_ins_and_their_ratings_are_never_deleted(db, team):
    manager, hire, _ = team
    hired(db, hire)
    rated, unrated, *_ = check_ins.schedule(hire, actor=None)
    check_ins.submit(rated, actor=manager, ratings=full_ratings(rated), today=rated.due_date)
    for row in (rated.ratings[0], unrated):
        with pytest.raises(RuntimeError, match="never deleted"), db.session.begin_nested():
            db.session.delete(row)
            db.session.flush()


def test_a_check_in_whose_rubric_has_no_values_cannot_be_marked_rated(db, team):
    manager, hire, _ = team
    hired(db, hire, criteria=())
    check_in = check_ins.schedule(hire, actor=None)[0]
    assert check_ins.values_for(check_in) == []
    with pytest.raises(CheckInError, match="no values to rate"):
        check_ins.submit(check_in, actor=hire, ratings={}, today=check_in.due_date)
    assert check_in.self_submitted_at is None and not check_in.done


def test_an_archived_check_in_cannot_be_amended(db, team):
    manager, hire, _ = team
    hired(db, hire)
    check_in = check_ins.schedule(hire, actor=None)[0]
    check_ins.submit(check_in, actor=hire, ratings=full_ratings(check_in, 3), today=check_in.due_date)
    check_in.archive()
    db.session.flush()
    with pytest.raises(CheckInError, match="archived"):
        check_ins.amend(check_in, actor=hire, ratings=full_ratings(check_in, 5), reason="Second thoughts")
    assert [r.score for r in check_in.ratings] == [3, 3]
