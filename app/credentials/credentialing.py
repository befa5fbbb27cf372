"""Re-credentialing and privileges: when each clinician is next due (two years after they were last credentialed,
their start date until HR records one), HR's queue of who is due or overdue, and the privileges granted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.audit import acting_as, record
from app.credentials.services import CredentialError
from app.extensions import db
from app.models import CredentialingEvent, CredentialType, Privilege, RoleFamily, User
from app.onboarding.services import add_months

RECREDENTIAL_MONTHS = 24  # HRSA: re-credential at least every two years
DUE_WITHIN_DAYS = 90


def due_after(last_credentialed_on: dt.date | None) -> dt.date | None:
    """The re-credentialing due date two years after the last credentialing (29 February gives 28 February)."""
    return None if last_credentialed_on is None else add_months(last_credentialed_on, RECREDENTIAL_MONTHS)


def latest_on_or_before_due(horizon: dt.date) -> dt.date:
    """The latest last-credentialing date whose due date falls on or before `horizon` (the inverse of due_after,
    exact on the month ends)."""
    day = add_months(horizon, -RECREDENTIAL_MONTHS)
    while due_after(day + dt.timedelta(days=1)) <= horizon:
        day += dt.timedelta(days=1)
    while due_after(day) > horizon:  # pragma: no cover (add_months never overshoots going back)
        day -= dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class Standing:
    """Where an employee stands: when last credentialed (or since when they started), and when next due."""

    last_credentialed_on: dt.date | None
    recorded: bool  # False when the date is the start date, no credentialing recorded yet
    due_on: dt.date | None

    def overdue(self, today: dt.date) -> bool:
        return self.due_on is None or self.due_on < today

    def days_left(self, today: dt.date) -> int | None:
        return None if self.due_on is None else (self.due_on - today).days


def _latest_events():
    """Each employee's latest credentialing date, as a subquery (archived records do not count)."""
    return (
        select(CredentialingEvent.employee_id, func.max(CredentialingEvent.credentialed_on).label("last_on"))
        .where(CredentialingEvent.archived_at.is_(None))
        .group_by(CredentialingEvent.employee_id)
        .subquery()
    )


def standing_of(employee: User) -> Standing:
    """One statement: the employee's latest credentialing, else their start date."""
    last = db.session.scalar(
        select(func.max(CredentialingEvent.credentialed_on)).where(
            CredentialingEvent.employee_id == employee.id, CredentialingEvent.archived_at.is_(None)
        )
    )
    base = last or employee.start_date
    return Standing(base, last is not None, due_after(base))


def history_of(employee: User) -> list[CredentialingEvent]:
    """The credentialing HR recorded for the employee, latest first."""
    return list(
        db.session.scalars(
            select(CredentialingEvent)
            .options(selectinload(CredentialingEvent.recorded_by))
            .where(CredentialingEvent.employee_id == employee.id, CredentialingEvent.archived_at.is_(None))
            .order_by(CredentialingEvent.credentialed_on.desc())
        )
    )


def record_credentialed(
    employee: User, *, credentialed_on: dt.date, note: str, actor: User, today: dt.date
) -> CredentialingEvent:
    """Record that the employee was (re-)credentialed on a day; the next due date is two years on."""
    if credentialed_on > today:
        raise CredentialError("The credentialing date is in the future; record it on or after the day it happened.")
    current = standing_of(employee)
    if current.recorded and credentialed_on <= current.last_credentialed_on:
        raise CredentialError(
            f"{employee.name} was already credentialed on {current.last_credentialed_on:%b %-d, %Y}; "
            "record a later date."
        )
    with acting_as(db.session, actor.id):
        event = CredentialingEvent(
            employee_id=employee.id, credentialed_on=credentialed_on, note=note.strip(), recorded_by_id=actor.id
        )
        db.session.add(event)
        db.session.flush()
        record(
            db.session,
            "credential.recredentialed",
            event,
            employee_id=employee.id,
            credentialed_on=credentialed_on,
            due_on=due_after(credentialed_on),
            note=event.note,
        )
        db.session.flush()
    return event


def clinical_families() -> list[RoleFamily]:
    """Role families some credential type in use requires: the people who are credentialed."""
    families = {
        family
        for kinds in db.session.scalars(
            select(CredentialType.role_families).where(CredentialType.archived_at.is_(None))
        )
        for family in kinds or []
    }
    return [member for member in RoleFamily if member.value in families]


@dataclass(frozen=True)
class QueueRow:
    employee: User
    standing: Standing


def queue_query(today: dt.date, *, site_id: int | None = None) -> Select:
    """Active clinicians due for re-credentialing within 90 days or overdue (never credentialed first), soonest
    first: one statement for the rows, whatever the organization's size."""
    latest = _latest_events()
    last_on = func.coalesce(latest.c.last_on, User.start_date)
    horizon = latest_on_or_before_due(today + dt.timedelta(days=DUE_WITHIN_DAYS))
    query = (
        select(User)
        .outerjoin(latest, latest.c.employee_id == User.id)
        .options(selectinload(User.site))
        .where(
            User.active.is_(True),
            User.role_family.in_(clinical_families()),
            or_(last_on.is_(None), last_on <= horizon),
        )
        .order_by(case((last_on.is_(None), 0), else_=1), last_on, User.name, User.id)
    )
    if site_id is not None:
        query = query.where(User.site_id == site_id)
    return query


def queue_rows(employees: list[User]) -> list[QueueRow]:
    """A page of queue_query's employees with where each stands: one more statement for the whole page."""
    latest = _latest_events()
    recorded = (
        dict(
            db.session.execute(
                select(latest.c.employee_id, latest.c.last_on).where(
                    latest.c.employee_id.in_([employee.id for employee in employees])
                )
            ).all()
        )
        if employees
        else {}
    )
    rows = []
    for employee in employees:
        base = recorded.get(employee.id) or employee.start_date
        rows.append(QueueRow(employee, Standing(base, employee.id in recorded, due_after(base))))
    return rows


# Privileges ---------------------------------------------------------------------------------------------------
def privileges_of(employee: User) -> list[Privilege]:
    """The employee's privileges in force, latest granted first."""
    return list(
        db.session.scalars(
            select(Privilege)
            .where(Privilege.employee_id == employee.id, Privilege.archived_at.is_(None))
            .order_by(Privilege.granted_on.desc(), Privilege.id)
        )
    )


def grant_privilege(
    employee: User, *, text: str, granted_on: dt.date, granted_by: str, actor: User, today: dt.date
) -> Privilege:
    """Record a privilege granted to the employee."""
    text, granted_by = " ".join(text.split()), " ".join(granted_by.split())
    if not text:
        raise CredentialError("Describe the privilege, for example Performs IUD insertion and removal.")
    if not granted_by:
        raise CredentialError("Say who granted it, for example the Board of Directors or the medical director.")
    if granted_on > today:
        raise CredentialError("The grant date is in the future; record a privilege once it has been granted.")
    with acting_as(db.session, actor.id):
        privilege = Privilege(
            employee_id=employee.id, text=text, granted_on=granted_on, granted_by=granted_by, recorded_by_id=actor.id
        )
        db.session.add(privilege)
        db.session.flush()
        record(db.session, "privilege.granted", privilege, employee_id=employee.id, text=text, granted_by=granted_by)
        db.session.flush()
    return privilege


def archive_privilege(privilege: Privilege, *, actor: User) -> Privilege:
    """Take a privilege off the file (it ended or was withdrawn); the record stays for history."""
    if privilege.archived_at is not None:
        raise CredentialError("This privilege is already archived.")
    with acting_as(db.session, actor.id):
        privilege.archive()  # the audit listener records privilege.archived
        db.session.flush()
    return privilege
