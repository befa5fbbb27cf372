"""Where each employee stands on their credentials, kept current as credentials change, so the team page
and HR's report read the few rows that can warn instead of matching every employee against every
credential type on each request (app.credentials.gaps reads them).

credential_standing holds, for each active employee, a row per credential type that can raise a warning:
a type their role family requires and that they have no record of (expires_on is None), and the type of
each latest record that has an expiry date (the record as app.credentials.gaps defines it). Which of those
rows warn depends on the day, and is decided when they are read.

A session listener notes the employees a flush gave a credential record or changed one of, who were
added, deactivated or reactivated, or whose role family changed; a change to a credential type (which
role families require it, archiving) notes everyone. Just before the transaction commits, and before a
warning is read in the same transaction, their rows are recomputed. Recomputing first locks the
employees' user rows (on PostgreSQL, in id order), so two transactions recomputing one employee take
turns and the second sees what the first committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from sqlalchemy import (
    Date,
    Select,
    and_,
    cast,
    delete,
    event,
    exists,
    insert,
    inspect,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from app.credentials.rules import latest_live, requires
from app.models import CredentialStanding, CredentialType, EmployeeCredential, User

EMPLOYEES_KEY = "credential_standing_employees"
EVERYONE_KEY = "credential_standing_everyone"
CHUNK = 500


# Noting what changed -----------------------------------------------------------------------------
def _changed(obj, names: tuple[str, ...]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _note_changes(session: Session, flush_context) -> None:
    employees: set[int] = session.info.setdefault(EMPLOYEES_KEY, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, EmployeeCredential):
            employees.add(obj.employee_id)
        elif isinstance(obj, User) and (obj in session.new or _changed(obj, ("active", "role_family"))):
            employees.add(obj.id)
        elif isinstance(obj, CredentialType) and (obj not in session.dirty
                                                   or _changed(obj, ("role_families", "archived_at"))):
            session.info[EVERYONE_KEY] = True


def _apply_before_commit(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this event; its changes must be noted now
    apply_pending(session)


def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:  # a savepoint's rollback leaves the outer work to do
        session.info.pop(EMPLOYEES_KEY, None)
        session.info.pop(EVERYONE_KEY, None)


def init_standing() -> None:
    """Listen on every ORM session (called from create_app; listening twice is a no-op)."""
    for name, listener in (("after_flush", _note_changes), ("before_commit", _apply_before_commit),
                           ("after_soft_rollback", _forget_after_rollback)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def apply_pending(session: Session) -> int:
    """Recompute the rows of everyone noted since they were last recomputed; returns how many employees."""
    employees = session.info.pop(EMPLOYEES_KEY, set())
    if session.info.pop(EVERYONE_KEY, False):
        employees = set(session.connection().scalars(select(User.id)))
    refresh(session, employees)
    return len(employees)


def bring_current(session: Session) -> None:
    """Before reading the rows in a transaction that may have changed credentials: flush, and recompute
    what the flush noted (nothing to do, and no statement, in a transaction that only read)."""
    session.flush()
    if session.info.get(EMPLOYEES_KEY) or session.info.get(EVERYONE_KEY):
        apply_pending(session)


# Recomputing -------------------------------------------------------------------------------------
def _rows(employee_ids: list[int]) -> Select:
    """The standing rows of these employees: required types without a record, and latest dated records."""
    missing = (
        select(User.id, CredentialType.id, cast(null(), Date))
        .join(CredentialType, and_(CredentialType.archived_at.is_(None), requires()))
        .where(User.id.in_(employee_ids), User.active, User.role_family.is_not(None),
               ~exists().where(EmployeeCredential.employee_id == User.id,
                               EmployeeCredential.credential_type_id == CredentialType.id,
                               EmployeeCredential.archived_at.is_(None)))
    )
    dated = (
        select(EmployeeCredential.employee_id, EmployeeCredential.credential_type_id, EmployeeCredential.expires_on)
        .join(User, User.id == EmployeeCredential.employee_id)
        .join(CredentialType, CredentialType.id == EmployeeCredential.credential_type_id)
        .where(EmployeeCredential.employee_id.in_(employee_ids), *latest_live())
    )
    return union_all(missing, dated)


def refresh(session: Session, employee_ids: Iterable[int]) -> None:
    """Recompute these employees' rows (an inactive employee, or one with nothing to warn about, has none)."""
    ordered = sorted(set(employee_ids))  # one lock order for every caller
    if not ordered:
        return  # no connection taken: committing a session that did nothing still costs nothing here
    connection = session.connection()
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        # FOR NO KEY UPDATE on PostgreSQL: inserting rows that refer to these users is not held up.
        connection.execute(select(User.id).where(User.id.in_(chunk)).order_by(User.id)
                           .with_for_update(key_share=True)).all()
        connection.execute(delete(CredentialStanding).where(CredentialStanding.employee_id.in_(chunk)))
        connection.execute(insert(CredentialStanding).from_select(
            ["employee_id", "credential_type_id", "expires_on"], _rows(chunk)))


def refresh_everyone(session: Session) -> int:
    """Recompute every employee's rows (after a bulk load, or to repair); returns how many employees."""
    session.info[EVERYONE_KEY] = True
    session.info.pop(EMPLOYEES_KEY, None)
    return apply_pending(session)
