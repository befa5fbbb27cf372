"""Per-employee training figures kept current as training changes, so reports read one row per
employee (and per employee and value) instead of aggregating every progress row on each request.

A session listener notes the employees whose progress or assignments a flush touched, who were
deactivated or reactivated, or whose site, department, role family or start date changed, and every employee on a module whose archiving or values changed; just before the transaction commits, their
rows in training_summary and value_summary are recomputed from progress, in the same transaction
and in a fixed number of statements per 500 employees. Recomputing (rather than adding and
subtracting) keeps the figures right whatever the change was; the summary rows are updated before
they are recomputed, which makes concurrent recomputations of one employee wait for each other.

value_total holds the organization's sums of value_summary, one row per value. A recomputation adds
what it changed (the employees' sums after, less their sums before) once it has recomputed
everyone it was given, so a transaction takes the summary rows' locks first and the totals' last,
and two recomputations cannot each hold what the other waits for. `refresh_everyone` also sums the
totals again from scratch, as a repair.

Overdue figures depend on the day. A row records the latest overdue due date and the next due
date; `bring_up_to_date(today)` recomputes the rows for which a due date lies between the day
they were computed for and today (the first report of a day, or a report for another day).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import chain

from sqlalchemy import and_, case, event, func, inspect, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import Assignment, Module, Progress, TrainingSummary, User, ValueSummary, ValueTotal, module_value
from app.onboarding.services import DONE

EMPLOYEES_KEY = "summary_employees"
MODULES_KEY = "summary_modules"
CURRENT_KEY = "summaries_current_for"  # the day bring_up_to_date last made the rows hold for
CHUNK = 500
FIGURES = ("assigned", "done", "overdue")
DATES = ("oldest_overdue", "latest_overdue", "next_due")
EMPLOYEE_FIELDS = ("site_id", "department", "role_family", "start_date")  # copied onto training_summary


# Noting what changed -----------------------------------------------------------------------------
def _module_counts_changed(module: Module) -> bool:
    attrs = inspect(module).attrs
    return attrs.archived_at.history.has_changes() or attrs["values"].history.has_changes()


def _employee_fields_changed(user: User) -> bool:
    attrs = inspect(user).attrs
    return any(attrs[name].history.has_changes() for name in ("active", *EMPLOYEE_FIELDS))


def _note_changes(session: Session, flush_context) -> None:
    employees: set[int] = session.info.setdefault(EMPLOYEES_KEY, set())
    modules: set[int] = session.info.setdefault(MODULES_KEY, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, (Progress, Assignment)):
            employees.add(obj.employee_id)
        elif isinstance(obj, User) and obj in session.dirty and _employee_fields_changed(obj):
            employees.add(obj.id)
        elif isinstance(obj, Module) and obj in session.dirty and _module_counts_changed(obj):
            modules.add(obj.id)


def _apply_before_commit(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this event; its changes must be noted now
    apply_pending(session)


def _forget_after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop(CURRENT_KEY, None)
    if not previous_transaction.nested:  # a savepoint's rollback leaves the outer work to do
        session.info.pop(EMPLOYEES_KEY, None)
        session.info.pop(MODULES_KEY, None)


def _forget_after_commit(session: Session) -> None:
    session.info.pop(CURRENT_KEY, None)  # the next transaction may see other sessions' work


def init_summaries() -> None:
    """Listen on every ORM session (called from create_app; listening twice is a no-op)."""
    for name, listener in (("after_flush", _note_changes), ("before_commit", _apply_before_commit),
                           ("after_soft_rollback", _forget_after_rollback), ("after_commit", _forget_after_commit)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _take_pending(session: Session) -> set[int]:
    """Everyone noted since the last commit (forgotten here: the caller recomputes them)."""
    employees = session.info.pop(EMPLOYEES_KEY, set())
    modules = session.info.pop(MODULES_KEY, set())
    if modules:
        employees |= set(session.connection().scalars(
            select(Progress.employee_id).where(Progress.module_id.in_(sorted(modules))).distinct()))
    return employees


def apply_pending(session: Session, *, today: date | None = None) -> int:
    """Recompute the rows of everyone noted since the last commit; returns how many employees."""
    employees = _take_pending(session)
    refresh(session, employees, today=today or date.today())
    return len(employees)


# Recomputing -------------------------------------------------------------------------------------
def _insert(session: Session, table):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _counted(query):
    """Progress of active employees on active assignments of non-archived modules, as every report
    counts it (a deactivated employee's rows hold zeros until they are reactivated)."""
    return (query.join(Assignment, Assignment.id == Progress.assignment_id)
            .join(Module, Module.id == Progress.module_id)
            .join(User, User.id == Progress.employee_id)
            .where(Assignment.unassigned_at.is_(None), Module.archived_at.is_(None), User.active))


def _figures(today: date) -> tuple:
    is_open = Progress.status.not_in(DONE)
    overdue_due = case((and_(is_open, Progress.due_date < today), Progress.due_date))
    coming_due = case((and_(is_open, Progress.due_date >= today), Progress.due_date))
    return (func.count(Progress.id), func.count(case((Progress.status.in_(DONE), 1))), func.count(overdue_due),
            func.min(overdue_due), func.max(overdue_due), func.min(coming_due))


def refresh(session: Session, employee_ids: Iterable[int], *, today: date) -> None:
    """Recompute these employees' summary rows as of today (an employee with no training gets zeros),
    and add the change to the value totals."""
    ordered = sorted(set(employee_ids))  # one lock order for every caller
    if not ordered:
        return
    connection = session.connection()
    chunks = [ordered[start:start + CHUNK] for start in range(0, len(ordered), CHUNK)]
    for chunk in chunks:  # every employee's rows locked before any total is
        connection.execute(_insert(session, TrainingSummary).on_conflict_do_nothing(),
                           [{"employee_id": employee_id} for employee_id in chunk])
        connection.execute(update(TrainingSummary).where(TrainingSummary.employee_id.in_(chunk))
                           .values(dict.fromkeys(FIGURES, 0) | dict.fromkeys(DATES)))
    change: dict[int, list[int]] = {}
    for chunk in chunks:
        _add_value_sums(connection, chunk, change, -1)
        connection.execute(update(ValueSummary).where(ValueSummary.employee_id.in_(chunk))
                           .values(dict.fromkeys(FIGURES, 0)))
        fields = [getattr(User, name) for name in EMPLOYEE_FIELDS]
        by_employee = _counted(select(Progress.employee_id, *_figures(today), *fields).select_from(Progress)).where(
            Progress.employee_id.in_(chunk)).group_by(Progress.employee_id, *fields)
        _upsert(connection, _insert(session, TrainingSummary), ["employee_id"], [*FIGURES, *DATES, *EMPLOYEE_FIELDS],
                by_employee)
        by_value = _counted(select(Progress.employee_id, module_value.c.value_id, *_figures(today)[:3])
                            .select_from(Progress)).join(
            module_value, module_value.c.module_id == Progress.module_id).where(
            Progress.employee_id.in_(chunk)).group_by(Progress.employee_id, module_value.c.value_id)
        _upsert(connection, _insert(session, ValueSummary), ["employee_id", "value_id"], list(FIGURES), by_value)
        _add_value_sums(connection, chunk, change, 1)
    _add_to_totals(session, change)


def _add_value_sums(connection, chunk: list[int], change: dict[int, list[int]], sign: int) -> None:
    """Add sign times these employees' value_summary sums, per value, to change."""
    sums = connection.execute(select(ValueSummary.value_id, *(func.sum(getattr(ValueSummary, name)) for name in FIGURES))
                              .where(ValueSummary.employee_id.in_(chunk)).group_by(ValueSummary.value_id))
    for value_id, *figures in sums:
        totals = change.setdefault(value_id, [0, 0, 0])
        for index, figure in enumerate(figures):
            totals[index] += sign * figure


def _add_to_totals(session: Session, change: dict[int, list[int]]) -> None:
    """Add the change to value_total, in value order (one lock order for every writer); a value with
    no row yet gets one."""
    rows = [{"value_id": value_id, **dict(zip(FIGURES, figures, strict=True))}
            for value_id, figures in sorted(change.items()) if any(figures)]
    if not rows:
        return
    statement = _insert(session, ValueTotal)
    session.connection().execute(statement.on_conflict_do_update(
        index_elements=["value_id"],
        set_={name: getattr(ValueTotal, name) + statement.excluded[name] for name in FIGURES}), rows)


def sum_value_totals(session: Session) -> None:
    """Sum value_total again from value_summary (a repair; the migration fills it the same way)."""
    connection = session.connection()
    connection.execute(update(ValueTotal).values(dict.fromkeys(FIGURES, 0)))
    sums = select(ValueSummary.value_id, *(func.sum(getattr(ValueSummary, name)) for name in FIGURES)).group_by(
        ValueSummary.value_id)
    _upsert(connection, _insert(session, ValueTotal), ["value_id"], list(FIGURES), sums)


def _upsert(connection, insert, keys: list[str], columns: list[str], rows) -> None:
    statement = insert.from_select([*keys, *columns], rows)
    connection.execute(statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in columns}))


def refresh_everyone(session: Session, *, today: date | None = None) -> int:
    """Recompute every employee who has any progress (after a bulk load, or to repair)."""
    employees = set(session.scalars(select(Progress.employee_id).distinct()))
    employees |= set(session.scalars(select(TrainingSummary.employee_id)))
    refresh(session, employees, today=today or date.today())
    sum_value_totals(session)
    return len(employees)


def bring_up_to_date(session: Session, today: date) -> int:
    """Make every row hold for today: apply pending changes, then recompute the rows a due date
    has passed since (or, for an earlier day, before) they were computed. Returns the rows redone.
    A second call in the same transaction for the same day, with nothing changed since, does nothing."""
    session.flush()
    if session.info.get(CURRENT_KEY) == today and not session.info.get(EMPLOYEES_KEY) \
            and not session.info.get(MODULES_KEY):
        return 0
    redone = _take_pending(session) | set(session.scalars(select(TrainingSummary.employee_id).where(
        or_(TrainingSummary.next_due < today, TrainingSummary.latest_overdue >= today))))
    refresh(session, redone, today=today)  # in one go: the totals' locks come after every summary row's
    session.info[CURRENT_KEY] = today
    return len(redone)


def catch_up(session: Session, today: date) -> int:
    """For a read-only request: bring the rows up to date and commit what was redone, so that the
    rest of the day's requests find nothing to redo (their transactions end in a rollback)."""
    redone = bring_up_to_date(session, today)
    if redone:
        session.commit()
    return redone
