"""Onboarding rules: due dates, assignment, versions and renewals, and completion by each method."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.content.library import read_library
from app.content.services import apply_library
from app.models import (
    Assignment,
    AuditEvent,
    Completion,
    Method,
    Module,
    OutboxMessage,
    Progress,
    ProgressStatus,
    QuizAttempt,
    QuizItem,
    Responsible,
    Role,
    RoleFamily,
    Track,
    TrackKind,
    User,
)
from app.onboarding import services
from app.onboarding.services import OnboardingError
from tests.helpers import count

TODAY = date(2026, 3, 2)
START = date(2026, 3, 9)
_names = itertools.count(1)


# Building blocks ------------------------------------------------------------------------------
def make_track(db, modules: int = 0, *, kind: TrackKind = TrackKind.ROLE, **module_fields) -> Track:
    """A small hand-built track for medical assistants with `modules` modules (offsets 7, 14, 21 ...)."""
    track = Track(name=f"Test track {next(_names)}", kind=kind,
                  role_families=["medical-assistant"] if kind is TrackKind.ROLE else [])
    db.session.add(track)
    db.session.flush()
    offset = module_fields.pop("due_offset_days", None)
    for position in range(modules):
        make_module(db, track, position=position, due_offset_days=7 * (position + 1) if offset is None else offset,
                    **module_fields)
    return track


def make_module(db, track: Track, *, position: int = 0, method: Method = Method.ATTEST,
                due_offset_days: int = 7, **fields) -> Module:
    if method is Method.QUIZ:
        fields.setdefault("pass_mark", 80)
    if method is Method.SIGN_OFF:
        fields.setdefault("observation", "Leads a huddle from start to finish.")
    if method is Method.TASK:
        fields.setdefault("responsible", Responsible.HR)
    module = Module(track_id=track.id, title=f"Module {next(_names)}", position=position,
                    due_offset_days=due_offset_days, method=method, minutes=10, **fields)
    db.session.add(module)
    db.session.flush()
    db.session.expire(track, ["modules"])
    return module


def progress_of(db, employee: User, module: Module) -> Progress:
    return db.session.scalar(select(Progress).where(Progress.employee_id == employee.id,
                                                    Progress.module_id == module.id))


def completions(db, employee: User, module: Module) -> list[Completion]:
    return db.session.scalars(select(Completion).where(Completion.employee_id == employee.id,
                                                       Completion.module_id == module.id)).all()


def mail_to(db, user: User) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == user.email).order_by(OutboxMessage.id)
    ).all()


def audit(db, action: str, entity_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return db.session.scalars(query.order_by(AuditEvent.id)).all()


@pytest.fixture
def hr(make_user):
    return make_user(Role.HR)


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER)


@pytest.fixture
def employee(make_user, manager):
    return make_user(Role.STAFF, manager=manager, role_family=RoleFamily.MEDICAL_ASSISTANT, start_date=START)


@pytest.fixture
def other_manager(make_user):
    return make_user(Role.MANAGER)


def assigned(db, employee: User, *, hr: User | None = None, method: Method = Method.ATTEST, **fields):
    """A one-module track assigned to employee; returns (module, progress)."""
    track = make_track(db)
    module = make_module(db, track, method=method, **fields)
    services.assign_track(employee, track, actor=hr, today=TODAY)
    return module, progress_of(db, employee, module)


# Due dates and status -------------------------------------------------------------------------
def test_module_is_due_offset_days_after_the_start_date_or_after_today_without_one():
    assert services.due_date_for(date(2026, 3, 9), 14, TODAY) == date(2026, 3, 23)
    assert services.due_date_for(None, 14, TODAY) == date(2026, 3, 16)
    assert services.due_date_for(date(2026, 12, 28), 7, TODAY) == date(2027, 1, 4)
    assert services.due_date_for(None, 0, TODAY) == TODAY


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),  # month end, common year
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # month end, leap year
    (date(2025, 3, 31), 1, date(2025, 4, 30)),
    (date(2025, 11, 15), 3, date(2026, 2, 15)),  # year wrap
    (date(2025, 12, 31), 1, date(2026, 1, 31)),
    (date(2025, 6, 10), 12, date(2026, 6, 10)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2025, 6, 10), 24, date(2027, 6, 10)),
])
def test_add_months_keeps_the_day_clamped_to_the_month_end(day, months, expected):
    assert services.add_months(day, months) == expected


@pytest.mark.parametrize(("status", "due", "expected"), [
    (ProgressStatus.COMPLETED, TODAY - timedelta(days=30), "complete"),
    (ProgressStatus.WAIVED, TODAY - timedelta(days=30), "complete"),
    (ProgressStatus.NOT_STARTED, TODAY - timedelta(days=1), "overdue"),
    (ProgressStatus.IN_PROGRESS, TODAY - timedelta(days=1), "overdue"),
    (ProgressStatus.NOT_STARTED, TODAY, "due soon"),
    (ProgressStatus.NOT_STARTED, TODAY + timedelta(days=7), "due soon"),
    (ProgressStatus.NOT_STARTED, TODAY + timedelta(days=8), "on track"),
    (ProgressStatus.IN_PROGRESS, TODAY + timedelta(days=30), "on track"),
    (ProgressStatus.NOT_STARTED, None, "on track"),
])
def test_classify_complete_overdue_due_within_seven_days_or_on_track(status, due, expected):
    assert services.classify(status, due, TODAY) == expected


# Assignment -----------------------------------------------------------------------------------
def test_assign_track_creates_one_progress_per_active_module_due_from_the_start_date(db, employee, hr):
    track = make_track(db, 3)
    archived = make_module(db, track, position=3, due_offset_days=1)
    archived.archive()
    db.session.flush()
    db.session.expire(track, ["modules"])

    assignment = services.assign_track(employee, track, actor=hr, today=TODAY)

    assert assignment.employee_id == employee.id and assignment.assigned_by_id == hr.id
    rows = db.session.scalars(select(Progress).where(Progress.employee_id == employee.id)
                              .order_by(Progress.module_id)).all()
    assert [p.module_id for p in rows] == [m.id for m in track.modules]
    assert len(rows) == 3
    assert [p.due_date for p in rows] == [START + timedelta(days=m.due_offset_days) for m in track.modules]
    assert all(p.status is ProgressStatus.NOT_STARTED and p.assignment_id == assignment.id for p in rows)
    assert audit(db, "assignment.created", assignment.id)


def test_assign_track_without_a_start_date_counts_from_today(db, make_user, hr):
    person = make_user(Role.STAFF, start_date=None)
    track = make_track(db, 1, due_offset_days=10)
    services.assign_track(person, track, actor=hr, today=TODAY)
    assert progress_of(db, person, track.modules[0]).due_date == TODAY + timedelta(days=10)


def test_assigning_a_track_twice_adds_nothing(db, employee, hr):
    track = make_track(db, 2)
    first = services.assign_track(employee, track, actor=hr, today=TODAY)
    before = [(p.id, p.due_date) for p in db.session.scalars(select(Progress).order_by(Progress.id))]

    second = services.assign_track(employee, track, actor=hr, today=TODAY + timedelta(days=40))

    assert second.id == first.id
    assert count(db, Assignment, Assignment.employee_id == employee.id) == 1
    assert [(p.id, p.due_date) for p in db.session.scalars(select(Progress).order_by(Progress.id))] == before


def test_reassigning_after_unassign_reactivates_and_keeps_earlier_progress(db, employee, hr):
    track = make_track(db, 2)
    assignment = services.assign_track(employee, track, actor=hr, today=TODAY)
    first, second = track.modules
    assert services.attest(progress_of(db, employee, first), actor=employee, confirmed=True)
    services.unassign(assignment, actor=hr)
    assert assignment.unassigned_at is not None

    again = services.assign_track(employee, track, actor=hr, today=TODAY, reason="Back on the team")

    assert again.id == assignment.id and again.unassigned_at is None and again.reason == "Back on the team"
    assert count(db, Assignment, Assignment.employee_id == employee.id) == 1
    assert count(db, Progress, Progress.employee_id == employee.id) == 2
    assert progress_of(db, employee, first).status is ProgressStatus.COMPLETED
    assert progress_of(db, employee, second).status is ProgressStatus.NOT_STARTED
    assert len(completions(db, employee, first)) == 1


def test_assign_track_refuses_a_deactivated_employee(db, make_user, hr):
    person = make_user(Role.STAFF, active=False, name="Dana Gone")
    track = make_track(db, 1)
    with pytest.raises(OnboardingError, match="Dana Gone is deactivated; reactivate them"):
        services.assign_track(person, track, actor=hr, today=TODAY)
    assert count(db, Assignment, Assignment.employee_id == person.id) == 0
    assert count(db, Progress, Progress.employee_id == person.id) == 0


def test_assign_track_refuses_an_archived_track(db, employee, hr):
    track = make_track(db, 1)
    track.archive()
    db.session.flush()
    with pytest.raises(OnboardingError, match=f"{track.name} is archived and cannot be assigned"):
        services.assign_track(employee, track, actor=hr, today=TODAY)
    assert count(db, Assignment, Assignment.employee_id == employee.id) == 0


# On hire, with the shipped library -------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped(app):
    return read_library(app.config["SEEDS_DIR"])


@pytest.fixture
def library(db, shipped):
    apply_library(shipped)
    db.session.flush()
    return shipped


def _track_keys(db, assignments: list[Assignment]) -> set[str]:
    return {db.session.get(Track, a.track_id).key for a in assignments}


def test_medical_assistant_hire_gets_the_all_staff_and_role_tracks(db, library, employee, hr):
    assignments = services.assign_on_hire(employee, actor=hr, today=TODAY)

    assert _track_keys(db, assignments) == {"pcmh-foundations", "ma-onboarding"}
    expected = [m for a in assignments for m in db.session.get(Track, a.track_id).modules]
    rows = {p.module_id: p for p in db.session.scalars(select(Progress).where(Progress.employee_id == employee.id))}
    # Beside the tracks: a task for each credential the medical assistant's role requires (tests/credentials).
    credential_tasks = {module_id for module_id, p in rows.items() if p.module.key.startswith("credential-type-")}
    assert set(rows) - credential_tasks == {m.id for m in expected}
    for module in expected:
        assert rows[module.id].due_date == START + timedelta(days=module.due_offset_days)
    assert all(a.reason == "Assigned on hire" for a in assignments)
    [event] = audit(db, "onboarding.assigned_on_hire", employee.id)
    assert event.entity_type == "user"
    assert event.after == {"low_values": [], "tracks": [a.track_id for a in assignments],
                           "credential_tasks": sorted(credential_tasks)}


def test_hire_with_a_low_value_gets_exactly_that_values_development_modules(db, library, employee, hr):
    development = db.session.scalar(select(Track).where(Track.key == "value-development"))
    matching = {m.id for m in development.modules if "care-coordination" in [v.key for v in m.values]}
    others = {m.id for m in development.modules} - matching
    assert matching and others

    assignments = services.assign_on_hire(employee, actor=hr, today=TODAY, low_values=["care-coordination"])

    assert _track_keys(db, assignments) == {"pcmh-foundations", "ma-onboarding", "value-development"}
    on_plan = set(db.session.scalars(select(Progress.module_id).where(Progress.employee_id == employee.id)))
    assert matching <= on_plan
    assert not others & on_plan
    [dev_assignment] = [a for a in assignments if a.track_id == development.id]
    assert dev_assignment.reason == "Interview evidence: care-coordination"
    [event] = audit(db, "onboarding.assigned_on_hire", employee.id)
    assert event.after["low_values"] == ["care-coordination"]
    assert event.after["tracks"] == [a.track_id for a in assignments]


# Bulk assignment, new modules, unassigning -------------------------------------------------------
def test_bulk_assign_counts_new_assignments_skips_inactive_people_and_repeats_as_zero(db, make_user, hr):
    track = make_track(db, 2)
    active = [make_user(Role.STAFF, start_date=START) for _ in range(2)]
    inactive = make_user(Role.STAFF, active=False)

    assert services.bulk_assign(track, [*active, inactive], actor=hr, today=TODAY) == 2
    assert count(db, Assignment, Assignment.track_id == track.id) == 2
    assert count(db, Progress, Progress.employee_id == inactive.id) == 0
    assert all(count(db, Progress, Progress.employee_id == person.id) == 2 for person in active)

    assert services.bulk_assign(track, [*active, inactive], actor=hr, today=TODAY) == 0
    assert count(db, Progress) == 4


def test_new_module_reaches_people_on_the_track_due_today_plus_offset(db, make_user, employee, hr):
    track = make_track(db, 2)
    services.assign_track(employee, track, actor=hr, today=TODAY)
    first, second = track.modules
    done = progress_of(db, employee, first)
    services.complete(done, actor=employee, now=datetime(2026, 3, 10, 9, 30))
    left = make_user(Role.STAFF)
    services.unassign(services.assign_track(left, track, actor=hr, today=TODAY), actor=hr)
    untouched_second = progress_of(db, employee, second).due_date

    later = TODAY + timedelta(days=20)
    new = services.add_module(track, Module(title="Added later", due_offset_days=5, method=Method.ATTEST, minutes=10),
                              actor=hr, today=later)

    assert new.track_id == track.id and new.position == 2
    assert [m.id for m in track.modules] == [first.id, second.id, new.id]
    added = progress_of(db, employee, new)
    assert added.due_date == later + timedelta(days=5)
    assert added.status is ProgressStatus.NOT_STARTED
    assert progress_of(db, left, new) is None  # no longer on the track
    done = progress_of(db, employee, first)
    assert done.status is ProgressStatus.COMPLETED and done.completed_at == datetime(2026, 3, 10, 9, 30)
    assert progress_of(db, employee, second).due_date == untouched_second
    assert len(completions(db, employee, first)) == 1


def test_new_development_module_reaches_only_people_low_on_its_values(db, employee, hr):
    development = make_track(db, kind=TrackKind.DEVELOPMENT)
    coordination = make_module(db, development)
    services.assign_track(employee, development, actor=hr, today=TODAY, modules=[coordination],
                          reason="Interview evidence: care-coordination")

    new = services.add_module(development, Module(title="Community health walk", due_offset_days=5,
                                                  method=Method.ATTEST, minutes=10), actor=hr, today=TODAY)

    assert progress_of(db, employee, new) is None


def test_unassign_keeps_progress_and_completions_and_takes_the_track_off_my_plan(db, employee, hr):
    kept, dropped = make_track(db, 2), make_track(db, 1)
    services.assign_track(employee, kept, actor=hr, today=TODAY)
    assignment = services.assign_track(employee, dropped, actor=hr, today=TODAY)
    progress = progress_of(db, employee, dropped.modules[0])
    services.attest(progress, actor=employee, confirmed=True)

    services.unassign(assignment, actor=hr)

    assert count(db, Progress, Progress.employee_id == employee.id) == 3
    assert progress.status is ProgressStatus.COMPLETED
    assert len(completions(db, employee, dropped.modules[0])) == 1
    assert [tp.assignment.track_id for tp in services.my_plan(employee)] == [kept.id]
    [event] = audit(db, "assignment.updated", assignment.id)
    assert event.before["unassigned_at"] is None and event.after["unassigned_at"]
    with pytest.raises(OnboardingError, match="already unassigned"):
        services.unassign(assignment, actor=hr)


def test_progress_on_an_unassigned_track_cannot_be_completed_by_the_employee(db, employee, hr):
    track = make_track(db, 1)
    assignment = services.assign_track(employee, track, actor=hr, today=TODAY)
    services.unassign(assignment, actor=hr)
    progress = progress_of(db, employee, track.modules[0])
    with pytest.raises(OnboardingError, match="no longer assigned to you"):
        services.attest(progress, actor=employee, confirmed=True)
    assert progress.status is ProgressStatus.NOT_STARTED


# Versions and renewals ----------------------------------------------------------------------------
def _two_people_on_one_module(db, make_user, employee, hr):
    module, done = assigned(db, employee, hr=hr, due_offset_days=3)
    colleague = make_user(Role.STAFF, start_date=START)
    services.assign_track(colleague, module.track, actor=hr, today=TODAY)
    services.complete(done, actor=employee, now=datetime(2026, 3, 10, 12, 0))
    return module, done, progress_of(db, colleague, module)


def test_new_version_requiring_recompletion_reopens_old_completions_and_keeps_the_record(db, make_user, employee, hr):
    module, done, open_progress = _two_people_on_one_module(db, make_user, employee, hr)
    open_due = open_progress.due_date

    reopened = services.publish_new_version(module, actor=hr, require_recompletion=True, today=TODAY)

    assert reopened == 1 and module.version == 2
    assert done.status is ProgressStatus.NOT_STARTED
    assert done.due_date == TODAY + timedelta(days=7)  # at least a week, though the module's offset is 3 days
    [completion] = completions(db, employee, module)
    assert completion.module_version == 1
    assert open_progress.status is ProgressStatus.NOT_STARTED and open_progress.due_date == open_due
    [event] = audit(db, "module.new_version", module.id)
    assert event.after == {"version": 2, "require_recompletion": True, "reopened": 1}

    assert services.attest(done, actor=employee, confirmed=True)
    assert [c.module_version for c in completions(db, employee, module)] == [1, 2]
    assert done.completed_version == 2


def test_new_version_without_recompletion_reopens_nothing(db, make_user, employee, hr):
    module, done, _ = _two_people_on_one_module(db, make_user, employee, hr)

    assert services.publish_new_version(module, actor=hr, require_recompletion=False, today=TODAY) == 0

    assert module.version == 2
    assert done.status is ProgressStatus.COMPLETED and done.completed_version == 1
    assert len(completions(db, employee, module)) == 1
    [event] = audit(db, "module.new_version", module.id)
    assert event.after == {"version": 2, "require_recompletion": False, "reopened": 0}


def test_completion_of_a_renewed_module_sets_renew_by_and_renewal_reopens_within_30_days(db, make_user, employee, hr):
    module, progress = assigned(db, employee, hr=hr, renew_months=12)
    colleague = make_user(Role.STAFF)
    services.assign_track(colleague, module.track, actor=hr, today=TODAY)
    later = progress_of(db, colleague, module)

    services.complete(progress, actor=employee, now=datetime(2025, 1, 31, 15, 0))
    services.complete(later, actor=colleague, now=datetime(2025, 6, 1, 9, 0))
    assert progress.renew_by == date(2026, 1, 31)
    assert later.renew_by == date(2026, 6, 1)

    assert services.reopen_renewals(date(2025, 12, 31)) == 0  # 31 days ahead
    assert progress.status is ProgressStatus.COMPLETED

    assert services.reopen_renewals(date(2026, 1, 1)) == 1  # exactly 30 days ahead

    assert progress.status is ProgressStatus.NOT_STARTED
    assert progress.due_date == date(2026, 1, 31) and progress.renew_by is None
    assert later.status is ProgressStatus.COMPLETED and later.renew_by == date(2026, 6, 1)
    [completion] = completions(db, employee, module)
    assert completion.completed_at == datetime(2025, 1, 31, 15, 0)
    assert services.reopen_renewals(date(2026, 1, 1)) == 0


def test_module_without_renewal_has_no_renew_by(db, employee, hr):
    _, progress = assigned(db, employee, hr=hr)
    services.complete(progress, actor=employee, now=datetime(2025, 1, 31, 15, 0))
    assert progress.renew_by is None
    assert services.reopen_renewals(date(2030, 1, 1)) == 0


# Quizzes ------------------------------------------------------------------------------------------
@pytest.fixture
def quiz(db, employee, hr):
    """A two-question quiz (pass mark 80): a single-choice item and a multiple-answer item."""
    module, progress = assigned(db, employee, hr=hr, method=Method.QUIZ, pass_mark=80)
    single = QuizItem(module_id=module.id, position=0, prompt="Who leads the huddle?",
                      choices=["Nobody", "The team", "The front desk"], answers=[1])
    multiple = QuizItem(module_id=module.id, position=1, prompt="Which close a referral loop?",
                        choices=["Report received", "Fax sent", "Patient told", "Chart closed"], answers=[0, 2])
    db.session.add_all([single, multiple])
    db.session.flush()
    db.session.expire(module, ["quiz_items"])
    return module, progress, single, multiple


def answers(single: QuizItem, multiple: QuizItem, *, first_right: bool, second_right: bool):
    return {single.id: [1] if first_right else [0], multiple.id: [0, 2] if second_right else [0]}


def test_score_quiz_needs_every_correct_choice_and_no_wrong_one():
    single = QuizItem(id=1, prompt="?", choices=["a", "b", "c"], answers=[1])
    multiple = QuizItem(id=2, prompt="?", choices=["a", "b", "c", "d"], answers=[0, 2])
    items = [single, multiple]

    assert services.score_quiz(items, {1: [1], 2: [2, 0]}) == (100, {1: True, 2: True})
    assert services.score_quiz(items, {1: [1], 2: [0]}) == (50, {1: True, 2: False})  # one correct choice missing
    assert services.score_quiz(items, {1: [1], 2: [0, 1, 2]}) == (50, {1: True, 2: False})  # a wrong one added
    assert services.score_quiz(items, {1: [0], 2: [1, 3]}) == (0, {1: False, 2: False})
    assert services.score_quiz(items, {1: [1]}) == (50, {1: True, 2: False})
    assert services.score_quiz([], {}) == (0, {})
    third = QuizItem(id=3, prompt="?", choices=["a", "b"], answers=[0])
    assert services.score_quiz([*items, third], {1: [1], 2: [0, 2], 3: [1]})[0] == 67


def test_failed_quiz_is_recorded_and_a_later_pass_completes_the_module(db, employee, quiz):
    module, progress, single, multiple = quiz

    result = services.submit_quiz(progress, answers(single, multiple, first_right=True, second_right=False),
                                  actor=employee)

    assert (result.score, result.passed, result.pass_mark) == (50, False, 80)
    assert result.correct == {single.id: True, multiple.id: False}
    [attempt] = db.session.scalars(select(QuizAttempt).where(QuizAttempt.progress_id == progress.id)).all()
    assert (attempt.score, attempt.passed, attempt.module_version) == (50, False, 1)
    assert attempt.answers == {str(single.id): [1], str(multiple.id): [0]}
    assert progress.status is ProgressStatus.IN_PROGRESS and progress.started_at is not None
    assert progress.best_score == 50
    assert completions(db, employee, module) == []

    result = services.submit_quiz(progress, answers(single, multiple, first_right=True, second_right=True),
                                  actor=employee)

    assert (result.score, result.passed) == (100, True)
    assert progress.status is ProgressStatus.COMPLETED and progress.best_score == 100
    [completion] = completions(db, employee, module)
    assert completion.score == 100 and completion.module_version == 1
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.progress_id == progress.id)
                                  .order_by(QuizAttempt.id)).all()
    assert [(a.score, a.passed) for a in attempts] == [(50, False), (100, True)]


def test_best_score_keeps_the_maximum_over_attempts(db, employee, quiz):
    module, progress, single, multiple = quiz
    services.submit_quiz(progress, answers(single, multiple, first_right=True, second_right=False), actor=employee)
    services.submit_quiz(progress, answers(single, multiple, first_right=False, second_right=False), actor=employee)
    assert progress.best_score == 50

    services.submit_quiz(progress, answers(single, multiple, first_right=True, second_right=True), actor=employee)
    result = services.submit_quiz(progress, answers(single, multiple, first_right=False, second_right=True),
                                  actor=employee)

    assert result.score == 50 and not result.passed
    assert progress.best_score == 100
    assert progress.status is ProgressStatus.COMPLETED
    assert len(completions(db, employee, module)) == 1
    assert count(db, QuizAttempt, QuizAttempt.progress_id == progress.id) == 4


@pytest.mark.parametrize("change", ["missing", "extra"])
def test_answers_for_other_questions_are_refused_as_a_changed_quiz(db, employee, quiz, change):
    _, progress, single, multiple = quiz
    given = {single.id: [1]} if change == "missing" else {single.id: [1], multiple.id: [0, 2], 999_999: [0]}
    with pytest.raises(OnboardingError, match="This quiz has changed"):
        services.submit_quiz(progress, given, actor=employee)
    assert count(db, QuizAttempt, QuizAttempt.progress_id == progress.id) == 0
    assert progress.status is ProgressStatus.NOT_STARTED


@pytest.mark.parametrize("choice", [3, -1])
def test_an_answer_outside_the_choices_is_refused(db, employee, quiz, choice):
    _, progress, single, multiple = quiz
    with pytest.raises(OnboardingError, match="did not match the question's choices"):
        services.submit_quiz(progress, {single.id: [choice], multiple.id: [0, 2]}, actor=employee)
    assert count(db, QuizAttempt, QuizAttempt.progress_id == progress.id) == 0


def test_unanswered_and_doubled_single_choice_questions_are_refused(db, employee, quiz):
    _, progress, single, multiple = quiz
    with pytest.raises(OnboardingError, match="Answer every question"):
        services.submit_quiz(progress, {single.id: [], multiple.id: [0, 2]}, actor=employee)
    with pytest.raises(OnboardingError, match="Choose one answer"):
        services.submit_quiz(progress, {single.id: [0, 1], multiple.id: [0, 2]}, actor=employee)
    assert count(db, QuizAttempt, QuizAttempt.progress_id == progress.id) == 0


def test_nobody_takes_a_quiz_on_someone_elses_progress(db, make_user, employee, quiz):
    _, progress, single, multiple = quiz
    colleague = make_user(Role.HR)
    with pytest.raises(OnboardingError, match="only on your own"):
        services.submit_quiz(progress, answers(single, multiple, first_right=True, second_right=True),
                             actor=colleague)
    assert count(db, QuizAttempt, QuizAttempt.progress_id == progress.id) == 0
    assert progress.status is ProgressStatus.NOT_STARTED


def test_quiz_submission_on_a_module_without_a_quiz_is_refused(db, employee, hr):
    _, progress = assigned(db, employee, hr=hr)
    with pytest.raises(OnboardingError, match="no quiz"):
        services.submit_quiz(progress, {}, actor=employee)


# Attestation and completion -------------------------------------------------------------------------
def test_attestation_needs_the_box_ticked_and_then_completes(db, employee, hr):
    module, progress = assigned(db, employee, hr=hr)
    with pytest.raises(OnboardingError, match="Tick the box"):
        services.attest(progress, actor=employee, confirmed=False)
    assert progress.status is ProgressStatus.NOT_STARTED

    assert services.attest(progress, actor=employee, confirmed=True) is True

    assert progress.status is ProgressStatus.COMPLETED
    assert progress.completed_at is not None and progress.completed_version == 1
    [completion] = completions(db, employee, module)
    assert completion.module_version == 1 and completion.signed_off_by_id is None
    assert audit(db, "completion.created", completion.id)
    [update] = audit(db, "progress.updated", progress.id)
    assert update.before["status"] == "not_started" and update.after["status"] == "completed"


@pytest.mark.parametrize("method", [Method.QUIZ, Method.SIGN_OFF, Method.TASK])
def test_attestation_is_refused_for_other_methods(db, employee, hr, method):
    module, progress = assigned(db, employee, hr=hr, method=method)
    with pytest.raises(OnboardingError, match="not completed by attestation"):
        services.attest(progress, actor=employee, confirmed=True)
    assert completions(db, employee, module) == []


def test_nobody_attests_for_someone_else(db, make_user, employee, hr):
    module, progress = assigned(db, employee, hr=hr)
    with pytest.raises(OnboardingError, match="only on your own"):
        services.attest(progress, actor=hr, confirmed=True)
    assert completions(db, employee, module) == []


def test_completing_twice_changes_nothing_the_second_time(db, employee, hr):
    module, progress = assigned(db, employee, hr=hr)

    assert services.complete(progress, actor=employee) is True
    completed_at = progress.completed_at
    assert services.complete(progress, actor=employee) is False
    assert services.attest(progress, actor=employee, confirmed=True) is False

    assert len(completions(db, employee, module)) == 1
    assert progress.completed_at == completed_at


# Sign-offs ----------------------------------------------------------------------------------------
@pytest.fixture
def sign_off(db, employee, hr):
    return assigned(db, employee, hr=hr, method=Method.SIGN_OFF)


def test_request_sign_off_queues_mail_to_the_manager_and_cannot_be_repeated(db, employee, manager, sign_off):
    module, progress = sign_off

    services.request_sign_off(progress, actor=employee)

    assert progress.sign_off_requested_at is not None
    assert progress.status is ProgressStatus.IN_PROGRESS
    [message] = mail_to(db, manager)
    assert message.kind == "onboarding"
    assert message.subject == f"{employee.name} asks for your sign-off"
    assert module.title in message.body and module.observation in message.body
    assert "/onboarding/sign-offs" in message.body

    with pytest.raises(OnboardingError, match="already asked"):
        services.request_sign_off(progress, actor=employee)
    assert len(mail_to(db, manager)) == 1


def test_request_sign_off_without_a_manager_says_to_ask_hr(db, make_user, hr):
    loner = make_user(Role.STAFF)
    _, progress = assigned(db, loner, hr=hr, method=Method.SIGN_OFF)
    with pytest.raises(OnboardingError, match="no manager on record"):
        services.request_sign_off(progress, actor=loner)
    assert progress.sign_off_requested_at is None
    assert count(db, OutboxMessage) == 0


def test_request_sign_off_is_refused_for_other_methods_and_other_people(db, employee, manager, hr):
    _, progress = assigned(db, employee, hr=hr)
    with pytest.raises(OnboardingError, match="not completed by a manager's sign-off"):
        services.request_sign_off(progress, actor=employee)
    _, progress = assigned(db, employee, hr=hr, method=Method.SIGN_OFF)
    with pytest.raises(OnboardingError, match="only on your own"):
        services.request_sign_off(progress, actor=manager)


def test_manager_approval_completes_the_module_and_tells_the_employee(db, employee, manager, sign_off):
    module, progress = sign_off
    with pytest.raises(OnboardingError, match="No sign-off has been requested"):
        services.approve_sign_off(progress, manager=manager)
    services.request_sign_off(progress, actor=employee)

    assert services.approve_sign_off(progress, manager=manager) is True

    assert progress.status is ProgressStatus.COMPLETED
    assert progress.signed_off_by_id == manager.id and progress.signed_off_at is not None
    [completion] = completions(db, employee, module)
    assert completion.signed_off_by_id == manager.id
    [message] = mail_to(db, employee)
    assert message.subject == f"Signed off: {module.title}" and manager.name in message.body
    assert services.approve_sign_off(progress, manager=manager) is False
    assert len(mail_to(db, employee)) == 1 and len(completions(db, employee, module)) == 1


def test_send_back_needs_a_comment_clears_the_request_and_tells_the_employee(db, employee, manager, sign_off):
    module, progress = sign_off
    services.request_sign_off(progress, actor=employee)
    for blank in ("", "   \n"):
        with pytest.raises(OnboardingError, match="Say what to work on"):
            services.send_back(progress, manager=manager, comment=blank)
    assert progress.sign_off_requested_at is not None and mail_to(db, employee) == []

    services.send_back(progress, manager=manager, comment="  Run the huddle with the full team present.  ")

    assert progress.sign_off_requested_at is None
    assert progress.sign_off_comment == "Run the huddle with the full team present."
    assert progress.status is ProgressStatus.IN_PROGRESS
    assert completions(db, employee, module) == []
    [message] = mail_to(db, employee)
    assert message.subject == f"Not yet signed off: {module.title}"
    assert "Run the huddle with the full team present." in message.body
    with pytest.raises(OnboardingError, match="no open sign-off request"):
        services.send_back(progress, manager=manager, comment="Again")

    services.request_sign_off(progress, actor=employee)  # asking again after a send-back is allowed
    assert progress.sign_off_requested_at is not None and progress.sign_off_comment == ""


def test_a_manager_of_another_team_cannot_approve_or_send_back(db, employee, other_manager, sign_off):
    module, progress = sign_off
    services.request_sign_off(progress, actor=employee)
    with pytest.raises(OnboardingError, match="Only the employee's manager"):
        services.approve_sign_off(progress, manager=other_manager)
    with pytest.raises(OnboardingError, match="Only the employee's manager"):
        services.send_back(progress, manager=other_manager, comment="Not yet")
    assert progress.status is ProgressStatus.IN_PROGRESS and progress.sign_off_requested_at is not None
    assert completions(db, employee, module) == [] and mail_to(db, employee) == []


def test_an_approved_sign_off_cannot_be_sent_back(db, employee, manager, sign_off):
    module, progress = sign_off
    services.request_sign_off(progress, actor=employee)
    services.approve_sign_off(progress, manager=manager)

    with pytest.raises(OnboardingError):
        services.send_back(progress, manager=manager, comment="Not yet")
    assert [m.subject for m in mail_to(db, employee)] == [f"Signed off: {module.title}"]


def test_nobody_signs_off_their_own_skill(db, make_user, manager, hr):
    hr_hire = make_user(Role.HR, manager=manager)
    module, progress = assigned(db, hr_hire, hr=hr, method=Method.SIGN_OFF)
    services.request_sign_off(progress, actor=hr_hire)

    with pytest.raises(OnboardingError):
        services.approve_sign_off(progress, manager=hr_hire)
    assert completions(db, hr_hire, module) == []


# Tasks ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("responsible", list(Responsible))
def test_a_task_is_completed_only_by_the_person_responsible(db, employee, manager, other_manager, hr, responsible):
    module, progress = assigned(db, employee, hr=hr, method=Method.TASK, responsible=responsible)
    doer = {Responsible.HR: hr, Responsible.MANAGER: manager, Responsible.EMPLOYEE: employee}[responsible]

    for other in (hr, manager, other_manager, employee):
        if other is doer:
            continue
        with pytest.raises(OnboardingError, match="for someone else to complete"):
            services.complete_task(progress, actor=other)
    assert completions(db, employee, module) == []

    assert services.complete_task(progress, actor=doer) is True

    assert progress.status is ProgressStatus.COMPLETED
    [completion] = completions(db, employee, module)
    expected_signer = None if doer is employee else doer.id
    assert progress.signed_off_by_id == expected_signer and completion.signed_off_by_id == expected_signer


def test_complete_task_is_refused_for_other_methods(db, employee, hr):
    _, progress = assigned(db, employee, hr=hr)
    with pytest.raises(OnboardingError, match="not a task"):
        services.complete_task(progress, actor=hr)


def test_open_tasks_list_only_the_tasks_each_person_is_responsible_for(db, make_user, employee, manager,
                                                                        other_manager, hr):
    outsider = make_user(Role.STAFF, manager=other_manager)
    track = make_track(db)
    hr_task = make_module(db, track, position=0, method=Method.TASK, responsible=Responsible.HR)
    manager_task = make_module(db, track, position=1, method=Method.TASK, responsible=Responsible.MANAGER)
    own_task = make_module(db, track, position=2, method=Method.TASK, responsible=Responsible.EMPLOYEE)
    make_module(db, track, position=3, method=Method.ATTEST)
    for person in (employee, outsider):
        services.assign_track(person, track, actor=hr, today=TODAY)

    def listed(user):
        return {(p.employee_id, p.module_id) for p in services.open_tasks_for(user)}

    assert listed(hr) == {(employee.id, hr_task.id), (outsider.id, hr_task.id)}
    assert listed(manager) == {(employee.id, manager_task.id)}
    assert listed(other_manager) == {(outsider.id, manager_task.id)}
    assert listed(employee) == {(employee.id, own_task.id)}

    services.complete_task(progress_of(db, employee, hr_task), actor=hr)
    assert listed(hr) == {(outsider.id, hr_task.id)}


def test_sign_off_queue_shows_direct_reports_requests_only(db, make_user, employee, manager, other_manager, hr):
    outsider = make_user(Role.STAFF, manager=other_manager)
    track = make_track(db)
    module = make_module(db, track, method=Method.SIGN_OFF)
    make_module(db, track, position=1, method=Method.SIGN_OFF)  # not requested
    for person in (employee, outsider):
        services.assign_track(person, track, actor=hr, today=TODAY)
        services.request_sign_off(progress_of(db, person, module), actor=person)

    assert [(p.employee_id, p.module_id) for p in services.sign_off_queue(manager)] == [(employee.id, module.id)]
    assert [(p.employee_id, p.module_id) for p in services.sign_off_queue(other_manager)] == [(outsider.id, module.id)]
    assert services.sign_off_queue(hr) == []

    services.approve_sign_off(progress_of(db, employee, module), manager=manager)
    assert services.sign_off_queue(manager) == []


# Reading ----------------------------------------------------------------------------------------------
def test_my_plan_runs_a_constant_number_of_queries_however_many_modules(db, make_user, hr, count_queries):
    small, large = make_user(Role.STAFF), make_user(Role.STAFF)
    services.assign_track(small, make_track(db, 3), actor=hr, today=TODAY)
    for _ in range(3):
        services.assign_track(large, make_track(db, 4), actor=hr, today=TODAY)
    ids = small.id, large.id
    db.session.flush()
    db.session.expunge_all()  # nothing already loaded, so every query shows up
    small, large = db.session.get(User, ids[0]), db.session.get(User, ids[1])

    counted = {}
    for name, person in (("small", small), ("large", large)):
        with count_queries() as statements:
            plan = services.my_plan(person)
            shown = [(tp.assignment.track.name, tp.done, tp.total, tp.minutes_left,
                      [(p.module.title, p.due_date) for p in tp.items]) for tp in plan]
        counted[name] = len(statements)
        assert sum(total for _, _, total, _, _ in shown) == (3 if name == "small" else 12)

    assert counted["small"] == counted["large"] <= 4
