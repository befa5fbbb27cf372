"""Check-ins: scheduling them from the start date, rating the hiring values blind on both sides,
amending with a reason, and next steps that assign the development modules of a value."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from sqlalchemy import select

from app.audit import record
from app.extensions import db
from app.models import (
    Application,
    CheckIn,
    CheckInRating,
    CheckInSchedule,
    Criterion,
    Rater,
    RoleFamily,
    Rubric,
    Stage,
    User,
    Value,
    utcnow,
)
from app.models.check_ins import DEFAULT_OFFSETS
from app.onboarding import services as onboarding

log = logging.getLogger(__name__)

MAX_DAY = 730  # a check-in is part of the first two years
OPENS_BEFORE = timedelta(days=14)  # a side may be rated from two weeks before the date
DUE_WITHIN = timedelta(days=7)


class CheckInError(Exception):
    """A check-in action that cannot be taken, with a message the person can act on."""


class RatingProblems(CheckInError):
    """Input problems keyed by (value id, "score" or "evidence"), so a form can show each beside its field."""

    def __init__(self, problems: dict):
        self.problems = problems
        super().__init__(" ".join(problems.values()))


# Schedule ------------------------------------------------------------------------------------
def offsets_for(role_family: RoleFamily | None) -> list[int]:
    """The check-in days of a role family: its own schedule, else the default row, else 30/60/90."""
    rows = {row.role_family: row.offsets for row in db.session.scalars(
        select(CheckInSchedule).where((CheckInSchedule.role_family == role_family)
                                      | CheckInSchedule.role_family.is_(None)))}
    return sorted(rows.get(role_family) or rows.get(None) or DEFAULT_OFFSETS)


def set_offsets(role_family: RoleFamily | None, offsets: Iterable[int], *, actor: User | None) -> CheckInSchedule:
    """HR's schedule for a role family (None: the default); days between 1 and MAX_DAY, each once."""
    days = sorted(set(offsets))
    if not days:
        raise CheckInError("Give at least one check-in day.")
    if days[0] < 1 or days[-1] > MAX_DAY:
        raise CheckInError(f"Check-in days are counted from the start date: use days from 1 to {MAX_DAY}.")
    row = db.session.scalar(select(CheckInSchedule).where(
        CheckInSchedule.role_family.is_(None) if role_family is None else CheckInSchedule.role_family == role_family))
    before = list(row.offsets) if row else None
    if row is None:
        row = CheckInSchedule(role_family=role_family, offsets=days)
        db.session.add(row)
    else:
        row.offsets = days
    record(db.session, "check_in.schedule_set", row, role_family=role_family.value if role_family else None,
           before=before, offsets=days)
    db.session.flush()
    return row


def hired_from(employee: User) -> Application | None:
    """The application this employee was hired from (the latest, if more than one)."""
    return db.session.scalar(select(Application).where(
        Application.hired_user_id == employee.id, Application.stage == Stage.HIRED)
        .order_by(Application.id.desc()).limit(1))


def template_rubric(role_family: RoleFamily | None) -> Rubric | None:
    """The current template rubric of a role family."""
    if role_family is None:
        return None
    return db.session.scalar(select(Rubric).where(
        Rubric.is_template.is_(True), Rubric.role_family == role_family, Rubric.archived_at.is_(None))
        .order_by(Rubric.version.desc(), Rubric.id.desc()).limit(1))


def schedule(employee: User, *, actor: User | None) -> list[CheckIn]:
    """Give an employee the check-ins of their role family's schedule that they do not have yet, on the
    values of the rubric they were hired on (or their role family's template rubric). Nothing without a
    start date or a rubric. Returns the check-ins made."""
    if employee.start_date is None or not employee.active:
        return []
    application = hired_from(employee)
    rubric = application.posting.rubric if application else template_rubric(employee.role_family)
    if rubric is None:
        return []
    have = set(db.session.scalars(select(CheckIn.day).where(CheckIn.employee_id == employee.id)))
    made = [CheckIn(employee_id=employee.id, day=day, due_date=employee.start_date + timedelta(days=day),
                    rubric_id=rubric.id, application_id=application.id if application else None)
            for day in offsets_for(employee.role_family) if day not in have]
    db.session.add_all(made)
    db.session.flush()
    if made:
        record(db.session, "check_in.scheduled", employee, days=[c.day for c in made], rubric_id=rubric.id)
    return made


def in_window(employee: User, today: date, days: Iterable[int] | None = None) -> bool:
    """Whether a check-in day of the employee's schedule is still ahead (today or later). For someone past
    their last one every check-in would start out overdue, so they are left out unless asked for."""
    if employee.start_date is None:
        return False
    last = max(days if days is not None else offsets_for(employee.role_family))
    return employee.start_date + timedelta(days=last) >= today


def schedule_if_current(employee: User, *, actor: User | None, today: date) -> list[CheckIn]:
    """schedule() for a new hire or anyone with a check-in day still ahead; nothing for someone whose check-in
    days are all behind them (long-serving staff imported or given a start date)."""
    return schedule(employee, actor=actor) if in_window(employee, today) else []


def reschedule(employee: User, *, actor: User | None) -> list[CheckIn]:
    """After the start date changes: move the check-ins not yet done to the same number of days after the new
    start date; done ones keep theirs. Nothing moves without a start date. Returns the check-ins moved."""
    if employee.start_date is None:
        return []
    moved, changes = [], {}
    for check_in in db.session.scalars(select(CheckIn).where(
            CheckIn.employee_id == employee.id, CheckIn.completed_at.is_(None), CheckIn.archived_at.is_(None))
            .order_by(CheckIn.day)):
        due = employee.start_date + timedelta(days=check_in.day)
        if check_in.due_date != due:
            changes[check_in.day] = [check_in.due_date, due]
            check_in.due_date = due
            moved.append(check_in)
    if moved:
        record(db.session, "check_in.rescheduled", employee, start_date=employee.start_date, moved=changes)
        db.session.flush()
        log.info("%s check-ins of user %s moved to a new start date", len(moved), employee.id)
    return moved


def backfill(today: date, *, include_past: bool = False) -> tuple[int, int, int]:
    """Schedule every active employee with a start date who lacks a check-in of their schedule, leaving out
    (unless include_past) those whose check-in days are all behind them. Returns (check-ins added, people
    given check-ins, people left out). Idempotent: one query finds who lacks anything."""
    saved = {row.role_family: sorted(row.offsets) for row in db.session.scalars(select(CheckInSchedule))}
    default = saved.get(None) or sorted(DEFAULT_OFFSETS)
    have: dict[int, set[int]] = {}
    for employee_id, day in db.session.execute(select(CheckIn.employee_id, CheckIn.day)):
        have.setdefault(employee_id, set()).add(day)
    added = people = left_out = 0
    for employee in db.session.scalars(select(User).where(User.active.is_(True), User.start_date.is_not(None))
                                       .order_by(User.id)):
        days = saved.get(employee.role_family) or default
        if set(days) <= have.get(employee.id, set()):
            continue
        if not include_past and not in_window(employee, today, days):
            left_out += 1
            continue
        made = schedule(employee, actor=None)
        added, people = added + len(made), people + bool(made)
    return added, people, left_out


def values_for(check_in: CheckIn) -> list[Value]:
    """The values a check-in rates: those of its rubric's criteria, in the rubric's order, each once."""
    criteria = db.session.scalars(select(Criterion).where(
        Criterion.rubric_id == check_in.rubric_id, Criterion.archived_at.is_(None)).order_by(Criterion.position))
    seen: dict[int, Value] = {}
    for criterion in criteria:
        seen.setdefault(criterion.value_id, criterion.value)
    return list(seen.values())


def status(check_in: CheckIn, today: date) -> str:
    """done, overdue (its date has passed with a side still missing), due (within a week) or upcoming."""
    return "done" if check_in.done else open_status(check_in.due_date, today)


def open_status(due_date: date, today: date) -> str:
    """The status of a check-in that is not done yet: overdue, due or upcoming."""
    if due_date < today:
        return "overdue"
    return "due" if due_date <= today + DUE_WITHIN else "upcoming"


def opens_on(check_in: CheckIn) -> date:
    """The first day either side may submit ratings."""
    return check_in.due_date - OPENS_BEFORE


def open_to(check_in: CheckIn, side: Rater, today: date) -> bool:
    """Whether this side may submit its ratings today: not yet submitted, not archived, and open."""
    return check_in.submitted_at(side) is None and not check_in.archived and opens_on(check_in) <= today


def calendar_check_ins(user: User) -> list[tuple[CheckIn, User]]:
    """The open check-ins a person's calendar shows: their own, and their active direct reports'; each with
    whose it is. One query."""
    return list(db.session.execute(
        select(CheckIn, User).join(User, User.id == CheckIn.employee_id)
        .where(CheckIn.completed_at.is_(None), CheckIn.archived_at.is_(None), User.active.is_(True),
               (CheckIn.employee_id == user.id) | (User.manager_id == user.id))
        .order_by(CheckIn.due_date, CheckIn.id)
    ).tuples())


# Who may do what -------------------------------------------------------------------------------
def rater_for(actor: User, check_in: CheckIn) -> Rater | None:
    """The side of this check-in the actor rates: the employee rates themself; their manager line, HR and
    admins rate as the manager. None for anyone else."""
    if actor.id == check_in.employee_id:
        return Rater.SELF
    return Rater.MANAGER if onboarding.may_sign_off(actor, check_in.employee) else None


def may_view(viewer: User, check_in: CheckIn) -> bool:
    return rater_for(viewer, check_in) is not None


def visible_ratings(check_in: CheckIn, viewer: User) -> dict[Rater, list[CheckInRating]]:
    """The current ratings the viewer may see: their own side always, the other side only once both
    sides have submitted (neither is swayed by the other)."""
    mine = rater_for(viewer, check_in)
    if mine is None:
        return {}
    shown = {Rater.SELF: [], Rater.MANAGER: []}
    for rating in check_in.ratings:
        if rating.rater is mine or check_in.done:
            shown[rating.rater].append(rating)
    return shown


# Rating --------------------------------------------------------------------------------------
def _problems(values: list[Value], ratings: Mapping[int, tuple[int | None, str]]) -> dict:
    problems: dict = {}
    for value in values:
        score, evidence = ratings.get(value.id, (None, ""))
        if score not in range(1, 6):  # None included
            problems[value.id, "score"] = f"Rate {value.name} from 1 to 5."
        elif not (evidence or "").strip():
            problems[value.id, "evidence"] = f"Write what you saw that shows {value.name} at this level."
    return problems


def _rateable_values(check_in: CheckIn) -> list[Value]:
    """The values to rate; refused when there are none, so no side is marked as rated on nothing."""
    values = values_for(check_in)
    if not values:
        raise CheckInError("This check-in's rubric has no values to rate yet. Ask HR to add criteria to the rubric.")
    return values


def _write(check_in: CheckIn, rater: Rater, actor: User, values: list[Value],
           ratings: Mapping[int, tuple[int | None, str]], *, revision: int, reason: str = "") -> None:
    for value in values:
        score, evidence = ratings[value.id]
        db.session.add(CheckInRating(check_in_id=check_in.id, rater=rater, rater_id=actor.id, value_id=value.id,
                                     score=score, evidence=evidence.strip(), revision=revision,
                                     amendment_reason=reason))


def _side_of(actor: User, check_in: CheckIn) -> tuple[CheckIn, Rater]:
    """The check-in, re-read under a row lock (two submissions of one side wait for each other), and the
    side the actor rates; refused for anyone else and for an archived check-in."""
    check_in = db.session.scalars(select(CheckIn).where(CheckIn.id == check_in.id).with_for_update()
                                  .execution_options(populate_existing=True)).one()
    rater = rater_for(actor, check_in)
    if rater is None:
        raise CheckInError("Only the employee and their manager line can rate this check-in.")
    if check_in.archived:
        raise CheckInError("This check-in is archived.")
    return check_in, rater


def submit(check_in: CheckIn, *, actor: User, ratings: Mapping[int, tuple[int | None, str]],
           next_steps: str = "", today: date) -> CheckIn:
    """Submit one side's ratings (every value, 1–5, with evidence). The manager's side may carry the
    agreed next steps. When both sides are in, the check-in is done."""
    check_in, rater = _side_of(actor, check_in)
    if check_in.submitted_at(rater) is not None:
        raise CheckInError("These ratings are already submitted; amend them with a reason to change them.")
    if opens_on(check_in) > today:
        raise CheckInError(f"This check-in opens on {opens_on(check_in):%b %-d, %Y}, two weeks before its date.")
    values = _rateable_values(check_in)
    problems = _problems(values, ratings)
    if problems:
        raise RatingProblems(problems)
    _write(check_in, rater, actor, values, ratings, revision=1)
    now = utcnow()
    if rater is Rater.SELF:
        check_in.self_submitted_at = now
    else:
        check_in.manager_submitted_at, check_in.manager_id = now, actor.id
        check_in.next_steps = (next_steps or "").strip()
    if check_in.self_submitted_at and check_in.manager_submitted_at:
        check_in.completed_at = now
    record(db.session, "check_in.rated", check_in, rater=rater.value, day=check_in.day,
           scores={value.id: ratings[value.id][0] for value in values}, done=check_in.done)
    db.session.flush()
    log.info("check-in %s rated (%s) by %s", check_in.id, rater.value, actor.id)
    return check_in


def amend(check_in: CheckIn, *, actor: User, ratings: Mapping[int, tuple[int | None, str]], reason: str,
          next_steps: str | None = None) -> CheckIn:
    """Replace one side's submitted ratings with a new revision; the earlier one is kept, superseded,
    and the reason is recorded with the new one."""
    check_in, rater = _side_of(actor, check_in)
    if check_in.submitted_at(rater) is None:
        raise CheckInError("Submit the ratings before amending them.")
    reason = (reason or "").strip()
    if not reason:
        raise CheckInError("Say why the ratings change; the earlier ones are kept beside the reason.")
    values = _rateable_values(check_in)
    problems = _problems(values, ratings)
    if problems:
        raise RatingProblems(problems)
    current = [r for r in check_in.ratings if r.rater is rater]
    revision = max((r.revision for r in current), default=0) + 1
    before = {r.value_id: r.score for r in current}
    now = utcnow()
    for old in current:
        old.superseded_at = now
    db.session.flush()
    _write(check_in, rater, actor, values, ratings, revision=revision, reason=reason)
    if rater is Rater.MANAGER and next_steps is not None:
        check_in.next_steps = next_steps.strip()
    record(db.session, "check_in.amended", check_in, rater=rater.value, revision=revision, reason=reason,
           before=before, scores={value.id: ratings[value.id][0] for value in values})
    db.session.flush()
    db.session.expire(check_in, ["ratings"])
    return check_in


def assign_next_step_modules(check_in: CheckIn, value_ids: Iterable[int], *, actor: User, today: date) -> int:
    """Next steps in one click: assign the development modules that build these values; returns how
    many modules the employee did not have yet."""
    if rater_for(actor, check_in) is not Rater.MANAGER:
        raise CheckInError("Only the employee's manager line can assign training from a check-in.")
    rated = {value.id: value for value in values_for(check_in)}
    chosen = [rated[value_id] for value_id in value_ids if value_id in rated]
    if not chosen:
        raise CheckInError("Choose a value this check-in rates.")
    modules = onboarding.development_modules_for(value.key for value in chosen)
    if not modules:
        raise CheckInError("No development module builds " + ", ".join(v.name for v in chosen) + " yet.")
    employee = check_in.employee
    had = set(db.session.scalars(select(onboarding.Progress.module_id).where(
        onboarding.Progress.employee_id == employee.id, onboarding.Progress.module_id.in_([m.id for m in modules]))))
    onboarding.assign_development_modules(employee, modules, actor=actor, today=today,
                                          reason=f"Day-{check_in.day} check-in: " + ", ".join(v.name for v in chosen))
    added = len([m for m in modules if m.id not in had])
    record(db.session, "check_in.modules_assigned", check_in, values=[v.key for v in chosen],
           modules=[m.id for m in modules], added=added)
    db.session.flush()
    return added
