"""Onboarding rules: assignment and due dates, completion by each method, versions and renewals.

Services take the acting user explicitly, change data, flush and never commit.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import Integer, Select, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import mail
from app.access import manages
from app.audit import record
from app.extensions import db
from app.models import (
    Assignment,
    Completion,
    Method,
    Module,
    Progress,
    ProgressStatus,
    QuizAttempt,
    QuizItem,
    Responsible,
    Role,
    Track,
    TrackKind,
    User,
    Value,
    module_value,
    utcnow,
)
from app.webhooks import events as webhook_events

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 7
RENEWAL_NOTICE_DAYS = 30
DONE = (ProgressStatus.COMPLETED, ProgressStatus.WAIVED)


class OnboardingError(Exception):
    """A training action that cannot be taken, with a message the person can act on."""


# Due dates and status ------------------------------------------------------------------------
def due_date_for(start: date | None, offset_days: int, today: date) -> date:
    """A module is due offset_days after the start date (or after today, without one)."""
    return (start or today) + timedelta(days=offset_days)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def classify(status: ProgressStatus, due: date | None, today: date) -> str:
    """complete, overdue, due soon (within 7 days) or on track."""
    if status in DONE:
        return "complete"
    if due is not None and due < today:
        return "overdue"
    if due is not None and (due - today).days <= DUE_SOON_DAYS:
        return "due soon"
    return "on track"


# Assignment ----------------------------------------------------------------------------------
def tracks_for(employee: User) -> list[Track]:
    """The all-staff tracks plus the tracks written for the employee's role family."""
    tracks = db.session.scalars(
        select(Track).where(Track.archived_at.is_(None), Track.kind != TrackKind.DEVELOPMENT).order_by(Track.id)
    ).all()
    family = employee.role_family.value if employee.role_family else None
    chosen = [t for t in tracks if t.kind is TrackKind.ALL_STAFF or (family and family in t.role_families)]
    return sorted(chosen, key=lambda t: (t.kind is not TrackKind.ALL_STAFF, t.id))


def assign_track(
    employee: User,
    track: Track,
    *,
    actor: User | None,
    today: date,
    reason: str = "Assigned by HR",
    modules: Iterable[Module] | None = None,
) -> Assignment:
    """Assign a track (or some of its modules); assigning twice adds only what is missing."""
    if not employee.active:
        raise OnboardingError(f"{employee.name} is deactivated; reactivate them before assigning training.")
    if track.archived:
        raise OnboardingError(f"{track.name} is archived and cannot be assigned.")
    assignment = db.session.scalar(
        select(Assignment).where(Assignment.employee_id == employee.id, Assignment.track_id == track.id)
    )
    if assignment is None:
        assignment = Assignment(employee_id=employee.id, track_id=track.id, reason=reason,
                                assigned_by_id=actor.id if actor else None)
        db.session.add(assignment)
        db.session.flush()
    elif assignment.unassigned_at is not None:
        assignment.unassigned_at = None
        assignment.reason = reason
    wanted = list(modules) if modules is not None else list(track.modules)
    existing = set(db.session.scalars(
        select(Progress.module_id).where(Progress.employee_id == employee.id,
                                         Progress.module_id.in_([m.id for m in wanted]))
    ))
    for module in wanted:
        if module.id not in existing:
            db.session.add(Progress(
                employee_id=employee.id, module_id=module.id, assignment_id=assignment.id,
                due_date=due_date_for(employee.start_date, module.due_offset_days, today),
            ))
    db.session.flush()
    return assignment


def development_modules_for(value_keys: Iterable[str]) -> list[Module]:
    """The development modules that deepen any of the given values."""
    keys = list(value_keys)
    if not keys:
        return []
    builds_a_low_value = (
        select(module_value.c.module_id).join(Value, Value.id == module_value.c.value_id).where(Value.key.in_(keys))
    )
    return db.session.scalars(
        select(Module).join(Track, Module.track_id == Track.id)
        .where(Track.kind == TrackKind.DEVELOPMENT, Track.archived_at.is_(None), Module.archived_at.is_(None),
               Module.id.in_(builds_a_low_value))
        .order_by(Module.track_id, Module.position)
    ).all()


def assign_development_modules(employee: User, modules: Iterable[Module], *, actor: User | None, today: date,
                               reason: str) -> list[Assignment]:
    """Assign these development modules, each under its own track; what the employee has is kept."""
    by_track: dict[int, list[Module]] = {}
    for module in modules:
        by_track.setdefault(module.track_id, []).append(module)
    return [assign_track(employee, db.session.get(Track, track_id), actor=actor, today=today, reason=reason,
                         modules=track_modules) for track_id, track_modules in by_track.items()]


def assign_credential_tasks(employee: User, *, actor: User | None, today: date) -> list[Module]:
    """The onboarding tasks for the credentials the employee's role family requires (app/credentials)."""
    from app.credentials.onboarding_tasks import assign_credential_tasks as assign

    return assign(employee, actor=actor, today=today)


def assign_on_hire(employee: User, *, actor: User | None, today: date, low_values: Iterable[str] = ()) -> list[Assignment]:
    """Onboarding for a new hire: all-staff and role tracks, plus development modules for each
    value the interviews rated 2.5 or lower (the hiring step passes those value keys)."""
    low_values = sorted(set(low_values))
    assignments = [
        assign_track(employee, track, actor=actor, today=today, reason="Assigned on hire")
        for track in tracks_for(employee)
    ]
    assignments += assign_development_modules(employee, development_modules_for(low_values), actor=actor,
                                              today=today, reason="Interview evidence: " + ", ".join(low_values))
    credential_tasks = assign_credential_tasks(employee, actor=actor, today=today)
    record(db.session, "onboarding.assigned_on_hire", employee, low_values=low_values,
           tracks=[a.track_id for a in assignments], credential_tasks=[m.id for m in credential_tasks])
    db.session.flush()
    return assignments


def bulk_assign(track: Track, employees: Iterable[User], *, actor: User, today: date) -> int:
    """Assign one track to many people; returns how many were newly assigned. A role track brings the tasks for
    the credentials the person's role family requires."""
    count = 0
    for employee in employees:
        if not employee.active:
            continue
        before = db.session.scalar(select(Assignment.id).where(
            Assignment.employee_id == employee.id, Assignment.track_id == track.id, Assignment.unassigned_at.is_(None)))
        assign_track(employee, track, actor=actor, today=today)
        if track.kind is TrackKind.ROLE and employee.role_family and employee.role_family.value in track.role_families:
            assign_credential_tasks(employee, actor=actor, today=today)
        count += before is None
    return count


def unassign(assignment: Assignment, *, actor: User) -> None:
    """Take a track off someone's plan; their progress and completions stay on record."""
    if assignment.unassigned_at is not None:
        raise OnboardingError("This track is already unassigned.")
    assignment.unassigned_at = utcnow()
    db.session.flush()


def add_module(track: Track, module: Module, *, actor: User, today: date) -> Module:
    """Append a module to a track; everyone active on the track gets it, due offset days from today.
    Development tracks are the exception: their modules go only to people whose interviews call
    for them, so a new one is assigned at hire, not to everyone already on the track."""
    positions = [m.position for m in track.modules]
    module.track_id = track.id
    module.position = (max(positions) + 1) if positions else 0
    db.session.add(module)
    db.session.flush()
    assignments = [] if track.kind is TrackKind.DEVELOPMENT else db.session.scalars(
        select(Assignment).join(User, User.id == Assignment.employee_id)
        .where(Assignment.track_id == track.id, Assignment.unassigned_at.is_(None), User.active)
    ).all()
    for assignment in assignments:
        db.session.add(Progress(employee_id=assignment.employee_id, module_id=module.id,
                                assignment_id=assignment.id, due_date=today + timedelta(days=module.due_offset_days)))
    db.session.flush()
    db.session.expire(track, ["modules"])
    return module


def move_module(module: Module, direction: int, *, actor: User) -> None:
    """Swap a module with its neighbour (direction -1 up, +1 down)."""
    siblings = list(module.track.modules)
    index = siblings.index(module)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    db.session.flush()
    db.session.expire(module.track, ["modules"])


def publish_new_version(module: Module, *, actor: User, require_recompletion: bool, today: date) -> int:
    """Record a material change; optionally reopen completions made on older versions.
    Returns how many people must complete it again."""
    module.version += 1
    reopened = 0
    if require_recompletion:
        stale = db.session.scalars(select(Progress).where(
            Progress.module_id == module.id, Progress.status == ProgressStatus.COMPLETED,
            Progress.completed_version < module.version,
        )).all()
        for progress in stale:
            _reopen(progress, due=today + timedelta(days=max(module.due_offset_days, DUE_SOON_DAYS)))
            reopened += 1
    record(db.session, "module.new_version", module, version=module.version,
           require_recompletion=require_recompletion, reopened=reopened)
    db.session.flush()
    return reopened


def _reopen(progress: Progress, *, due: date) -> None:
    """Open a completed module again; its earlier completions stay on the transcript."""
    progress.status = ProgressStatus.NOT_STARTED
    progress.due_date = due
    progress.started_at = None
    progress.completed_at = None
    progress.best_score = None
    progress.sign_off_requested_at = None
    progress.signed_off_by_id = None
    progress.signed_off_at = None
    progress.renew_by = None


def reopen_renewals(today: date) -> int:
    """Reopen completed modules whose renewal falls within 30 days; due on the renewal date."""
    due = db.session.scalars(
        select(Progress).join(User, User.id == Progress.employee_id)
        .where(Progress.status == ProgressStatus.COMPLETED, Progress.renew_by.is_not(None),
               Progress.renew_by <= today + timedelta(days=RENEWAL_NOTICE_DAYS), User.active)
    ).all()
    for progress in due:
        _reopen(progress, due=progress.renew_by)
    db.session.flush()
    return len(due)


# Completion ----------------------------------------------------------------------------------
def _locked(progress: Progress) -> Progress:
    """The progress row, re-read under a row lock so concurrent completions queue up."""
    return db.session.scalars(
        select(Progress).where(Progress.id == progress.id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _require_own(progress: Progress, actor: User) -> None:
    if progress.employee_id != actor.id:
        raise OnboardingError("You can act only on your own training.")
    assignment = db.session.get(Assignment, progress.assignment_id) if progress.assignment_id else None
    if assignment is not None and assignment.unassigned_at is not None:
        raise OnboardingError("This track is no longer assigned to you.")


def complete(progress: Progress, *, actor: User | None, score: int | None = None,
             signed_off_by: User | None = None, now: datetime | None = None) -> bool:
    """Mark a module complete once; a repeat or concurrent call changes nothing and returns False."""
    progress = _locked(progress)
    module = db.session.get(Module, progress.module_id)
    if progress.status is ProgressStatus.COMPLETED:
        return False
    now = now or utcnow()
    progress.status = ProgressStatus.COMPLETED
    progress.sign_off_requested_at = None
    progress.completed_at = now
    progress.completed_version = module.version
    progress.started_at = progress.started_at or now
    if score is not None:
        progress.best_score = max(progress.best_score or 0, score)
    if signed_off_by is not None:
        progress.signed_off_by_id = signed_off_by.id
        progress.signed_off_at = now
    progress.renew_by = add_months(now.date(), module.renew_months) if module.renew_months else None
    db.session.add(Completion(employee_id=progress.employee_id, module_id=module.id, module_version=module.version,
                              completed_at=now, score=score, signed_off_by_id=signed_off_by.id if signed_off_by else None))
    try:
        db.session.flush()
    except IntegrityError:  # pragma: no cover - the lock makes this a last line of defence
        db.session.rollback()
        return False
    webhook_events.training_completed(progress, module)
    return True


def attest(progress: Progress, *, actor: User, confirmed: bool) -> bool:
    """Read-and-confirm modules: an explicit confirmation completes them."""
    _require_own(progress, actor)
    if progress.module.method is not Method.ATTEST:
        raise OnboardingError("This module is not completed by attestation.")
    if not confirmed:
        raise OnboardingError("Tick the box to confirm you have read and understood the module.")
    return complete(progress, actor=actor)


@dataclass
class QuizResult:
    score: int
    passed: bool
    pass_mark: int
    correct: dict[int, bool]  # quiz item id -> answered correctly
    chosen: dict[int, list[int]]


def score_quiz(items: list[QuizItem], answers: dict[int, list[int]]) -> tuple[int, dict[int, bool]]:
    """Percent of items answered exactly right (every correct choice and no wrong one)."""
    correct = {item.id: sorted(answers.get(item.id, [])) == sorted(item.answers) for item in items}
    score = round(100 * sum(correct.values()) / len(items)) if items else 0
    return score, correct


def submit_quiz(progress: Progress, answers: dict[int, list[int]], *, actor: User) -> QuizResult:
    """Score an attempt, keep the best score, and complete the module when the pass mark is met."""
    _require_own(progress, actor)
    module = progress.module
    if module.method is not Method.QUIZ:
        raise OnboardingError("This module has no quiz.")
    items = list(module.quiz_items)
    if set(answers) != {item.id for item in items}:
        raise OnboardingError("This quiz has changed since you opened it. Reload the page and answer the current questions.")
    for item in items:
        chosen = answers[item.id]
        if not chosen:
            raise OnboardingError("Answer every question before submitting.")
        if any(index < 0 or index >= len(item.choices) for index in chosen):
            raise OnboardingError("An answer did not match the question's choices. Reload the page and try again.")
        if len(chosen) > 1 and not item.multiple:
            raise OnboardingError("Choose one answer for single-choice questions.")
    score, correct = score_quiz(items, answers)
    passed = score >= (module.pass_mark or 0)
    db.session.add(QuizAttempt(progress_id=progress.id, module_version=module.version,
                               answers={str(k): v for k, v in answers.items()}, score=score, passed=passed))
    progress.best_score = max(progress.best_score or 0, score)
    if progress.status is ProgressStatus.NOT_STARTED:
        progress.status = ProgressStatus.IN_PROGRESS
        progress.started_at = utcnow()
    db.session.flush()
    if passed:
        complete(progress, actor=actor, score=score)
    return QuizResult(score, passed, module.pass_mark or 0, correct, answers)


def request_sign_off(progress: Progress, *, actor: User) -> None:
    """Ask the manager to observe and sign off a skill."""
    _require_own(progress, actor)
    module = progress.module
    if module.method is not Method.SIGN_OFF:
        raise OnboardingError("This module is not completed by a manager's sign-off.")
    if progress.status in DONE:
        raise OnboardingError("This module is already complete.")
    if progress.sign_off_requested_at is not None:
        raise OnboardingError("You have already asked for this sign-off; your manager has it in their queue.")
    if actor.manager is None:
        raise OnboardingError("You have no manager on record to sign this off. Ask HR to set your manager.")
    progress.status = ProgressStatus.IN_PROGRESS
    progress.started_at = progress.started_at or utcnow()
    progress.sign_off_requested_at = utcnow()
    progress.sign_off_comment = ""
    _notify(actor.manager, f"sign-off-requested:{progress.id}:{progress.sign_off_requested_at.isoformat()}",
            f"{actor.name} asks for your sign-off",
            f"{actor.name} is ready for you to observe: {module.title}.\n\nWhat to observe: {module.observation}\n\n"
            f"Open your sign-off queue: {mail.external_url('onboarding.sign_offs')}\n")
    db.session.flush()


def may_sign_off(manager: User, employee: User) -> bool:
    """The employee's manager line, or HR and admins; never the employee themself."""
    if manager.id == employee.id:
        return False
    return manager.role in (Role.HR, Role.ADMIN) or (manager.role is Role.MANAGER and manages(manager, employee))


def approve_sign_off(progress: Progress, *, manager: User) -> bool:
    """The manager observed the skill: complete the module and tell the employee."""
    employee = progress.employee
    if not may_sign_off(manager, employee):
        raise OnboardingError("Only the employee's manager can sign this off.")
    if progress.sign_off_requested_at is None and progress.status not in DONE:
        raise OnboardingError("No sign-off has been requested for this module.")
    done = complete(progress, actor=manager, signed_off_by=manager)
    if done:
        _notify(employee, f"sign-off-approved:{progress.id}:{progress.completed_at.isoformat()}",
                f"Signed off: {progress.module.title}",
                f"{manager.name} signed off {progress.module.title}. It is complete on your transcript.\n")
    return done


def send_back(progress: Progress, *, manager: User, comment: str) -> None:
    """Not yet: clear the request and tell the employee what to work on."""
    employee = progress.employee
    if not may_sign_off(manager, employee):
        raise OnboardingError("Only the employee's manager can respond to this sign-off.")
    comment = comment.strip()
    if not comment:
        raise OnboardingError("Say what to work on before sending the sign-off back.")
    if progress.status in DONE:
        raise OnboardingError("This module is already signed off.")
    if progress.sign_off_requested_at is None:
        raise OnboardingError("There is no open sign-off request for this module.")
    progress.sign_off_requested_at = None
    progress.sign_off_comment = comment[:2000]
    _notify(employee, f"sign-off-sent-back:{progress.id}:{utcnow().isoformat()}",
            f"Not yet signed off: {progress.module.title}",
            f"{manager.name} sent back your sign-off request for {progress.module.title}:\n\n{comment}\n\n"
            "Ask again when you are ready.\n")
    db.session.flush()


def may_complete_task(actor: User, progress: Progress) -> bool:
    responsible = progress.module.responsible
    employee = progress.employee
    if responsible is Responsible.EMPLOYEE:
        return actor.id == employee.id
    if responsible is Responsible.MANAGER:
        return actor.id == employee.manager_id or (actor.role is Role.MANAGER and manages(actor, employee))
    return actor.role in (Role.HR, Role.ADMIN)


def complete_task(progress: Progress, *, actor: User) -> bool:
    """A checklist task done by whoever is responsible for it (HR, the manager or the employee)."""
    if progress.module.method is not Method.TASK:
        raise OnboardingError("This module is not a task.")
    if not may_complete_task(actor, progress):
        raise OnboardingError("This task is for someone else to complete.")
    return complete(progress, actor=actor, signed_off_by=actor if actor.id != progress.employee_id else None)


def _notify(user: User, key: str, subject: str, body: str) -> None:
    mail.queue(kind="onboarding", dedupe_key=key, recipient=user.email, subject=subject,
               body=f"Hello {user.name},\n\n{body}")


# Reading -------------------------------------------------------------------------------------
@dataclass
class TrackProgress:
    assignment: Assignment
    items: list[Progress]

    @property
    def done(self) -> int:
        return sum(p.status in DONE for p in self.items)

    @property
    def total(self) -> int:
        return len(self.items)

    def _mine_to_do(self) -> list[Progress]:
        """Open modules the employee completes (tasks for HR or the manager are theirs to tick)."""
        return [p for p in self.items if p.status not in DONE
                and (p.module.method is not Method.TASK or p.module.responsible is Responsible.EMPLOYEE)]

    @property
    def minutes_left(self) -> int:
        return sum(p.module.minutes for p in self._mine_to_do())

    @property
    def next_item(self) -> Progress | None:
        return next(iter(self._mine_to_do()), None)


def my_plan(employee: User) -> list[TrackProgress]:
    """The employee's current tracks with their modules in order (two queries, however many)."""
    assignments = db.session.scalars(
        select(Assignment).options(selectinload(Assignment.track))
        .where(Assignment.employee_id == employee.id, Assignment.unassigned_at.is_(None))
        .order_by(Assignment.id)
    ).all()
    progress = db.session.scalars(
        select(Progress).options(selectinload(Progress.module))
        .join(Module, Module.id == Progress.module_id)
        .where(Progress.employee_id == employee.id, Module.archived_at.is_(None))
        .order_by(Module.track_id, Module.position)
    ).all()
    by_assignment: dict[int, list[Progress]] = {}
    for item in progress:
        by_assignment.setdefault(item.assignment_id, []).append(item)
    assignments = sorted(assignments, key=lambda a: (a.track.kind is not TrackKind.ALL_STAFF, a.id))
    return [TrackProgress(a, by_assignment[a.id]) for a in assignments if by_assignment.get(a.id)]


def open_tasks_for(user: User) -> list[Progress]:
    """Task modules not yet done that this person is responsible for completing."""
    query = (
        select(Progress).options(selectinload(Progress.module), selectinload(Progress.employee))
        .join(Module, Module.id == Progress.module_id).join(User, User.id == Progress.employee_id)
        .join(Assignment, Assignment.id == Progress.assignment_id)
        .where(Module.method == Method.TASK, Module.archived_at.is_(None), Progress.status.not_in(DONE),
               Assignment.unassigned_at.is_(None), User.active)
        .order_by(Progress.due_date)
    )
    clauses = [(Module.responsible == Responsible.EMPLOYEE) & (Progress.employee_id == user.id),
               (Module.responsible == Responsible.MANAGER) & (User.manager_id == user.id)]
    if user.role in (Role.HR, Role.ADMIN):
        clauses.append(Module.responsible == Responsible.HR)
    return db.session.scalars(query.where(or_(*clauses)).limit(200)).all()


@dataclass(frozen=True)
class SignOffRequest:
    """One open sign-off request, as the queues show it."""

    id: int  # the progress row's
    employee_id: int
    employee_name: str
    module_id: int
    module_title: str
    observation: str | None
    sign_off_requested_at: datetime
    due_date: date | None


def sign_off_queue(manager: User) -> list[SignOffRequest]:
    """Open sign-off requests from the manager's direct reports, oldest first (one query of the
    columns the queues show)."""
    rows = db.session.execute(_sign_off_statement(), {"manager_id": manager.id})
    return [SignOffRequest(*row) for row in rows]


@cache
def _sign_off_statement() -> Select:
    """Built once: building it costs more than running it."""
    return (
        select(Progress.id, Progress.employee_id, User.name, Progress.module_id, Module.title, Module.observation,
               Progress.sign_off_requested_at, Progress.due_date)
        .join(User, User.id == Progress.employee_id).join(Module, Module.id == Progress.module_id)
        .where(Progress.sign_off_requested_at.is_not(None), Progress.status.not_in(DONE),
               User.manager_id == bindparam("manager_id", type_=Integer), User.active)
        .order_by(Progress.sign_off_requested_at, Progress.id)
    )
