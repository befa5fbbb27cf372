"""Expiring credentials: the notices 60, 30 and 7 days before expiry and on the day, e-mailed to the employee and
their manager through the outbox; the lines of a manager's weekly digest; the events of an employee's calendar.

A credential is reminded of while it is the employee's latest record of its type (not archived, nothing
expiring later recorded), its type is in use and the employee active. Each notice has a window, so a run that
cron missed is caught up the next day: the 60-day notice covers 31 to 60 days left, the 30-day one 8 to 30,
the 7-day one 1 to 7, and the last the day itself. A notice goes to each recipient once: its dedupe key names
the credential, the notice, the recipient and the notice's own day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Alarm, Event
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from app import mail
from app.credentials.rules import latest_live
from app.extensions import db
from app.models import CredentialType, EmployeeCredential, User
from app.templating import format_date
from app.webhooks import events as webhook_events

NOTICE_DAYS = (60, 30, 7, 0)
DIGEST_DAYS = 60  # a manager's digest lists the team's credentials expiring within this many days, or expired
EMPLOYEE, MANAGER = "employee", "manager"


@dataclass(frozen=True)
class Expiring:
    """One employee's credential with an expiry date, and who manages them."""

    credential_id: int
    employee_id: int
    name: str
    email: str
    manager_email: str | None
    manager_id: int | None
    manager_name: str | None
    type_name: str
    expires_on: date
    today: date

    @property
    def days_left(self) -> int:
        return (self.expires_on - self.today).days

    @property
    def notice(self) -> int | None:
        """The notice (60, 30, 7 or 0 days) whose window holds today, or None outside every window."""
        left = self.days_left
        if left < 0 or left > NOTICE_DAYS[0]:
            return None
        return min(days for days in NOTICE_DAYS if days >= left) if left else 0

    @property
    def notice_day(self) -> date:
        """The day the current notice is for (the expiry date less the notice's days)."""
        return self.expires_on - timedelta(days=self.notice)

    @property
    def when(self) -> str:
        """'expires today', 'expires in 12 days (Dec 16, 2026)' or 'expired Nov 25, 2026'."""
        left = self.days_left
        if left < 0:
            return f"expired {format_date(self.expires_on)}"
        if left == 0:
            return "expires today"
        return f"expires in {left} day{'s' if left != 1 else ''} ({format_date(self.expires_on)})"


def notice_key(item: Expiring, recipient: str) -> str:
    """Once per credential, notice, recipient and the notice's day (expiry minus the notice)."""
    return f"credential:{item.credential_id}:{item.notice}d:{recipient}:{item.notice_day.isoformat()}"


def expiring(today: date, *, until: date, since: date | None = None, employee_id: int | None = None) -> list[Expiring]:
    """Latest live credentials expiring on or before `until` (and on or after `since`), by expiry: one query."""
    manager = aliased(User)
    conditions = [*latest_live(), EmployeeCredential.expires_on <= until]
    if since is not None:
        conditions.append(EmployeeCredential.expires_on >= since)
    if employee_id is not None:
        conditions.append(EmployeeCredential.employee_id == employee_id)
    rows = db.session.execute(
        select(EmployeeCredential.id, User.id, User.name, User.email, manager.email, manager.id, manager.name,
               CredentialType.name, EmployeeCredential.expires_on)
        .join(User, User.id == EmployeeCredential.employee_id)
        .join(CredentialType, CredentialType.id == EmployeeCredential.credential_type_id)
        .outerjoin(manager, and_(manager.id == User.manager_id, manager.active.is_(True), manager.id != User.id))
        .where(*conditions)
        .order_by(EmployeeCredential.expires_on, User.name, EmployeeCredential.id)
    ).all()
    return [Expiring(*row, today) for row in rows]


def due_notices(today: date) -> list[Expiring]:
    """The credentials a notice is due for today (expiring within 60 days, not yet expired)."""
    return [item for item in expiring(today, until=today + timedelta(days=NOTICE_DAYS[0]), since=today)
            if item.notice is not None]


def notice_message(item: Expiring, recipient: str) -> tuple[str, str]:
    """The subject and body of one notice, to the employee or to their manager."""
    if recipient == EMPLOYEE:
        subject = f"Your {item.type_name} {item.when.split(' (')[0]}"
        lines = [f"Hello {item.name},", "",
                 f"Your {item.type_name} {item.when}.",
                 "Renew it in time and bring the new one to HR, so your record stays current.", "",
                 f"Your credentials are listed on My onboarding: {mail.external_url('onboarding.my_onboarding')}"]
    else:
        subject = f"{item.name}'s {item.type_name} {item.when.split(' (')[0]}"
        lines = [f"Hello {item.manager_name},", "",
                 f"{item.name}'s {item.type_name} {item.when}.",
                 "Please make sure they renew it and bring the new one to HR.", "",
                 f"Your team's credential warnings: {mail.external_url('team.index')}"]
    return subject, "\n".join(lines) + "\n"


def queue_credential_notices(today: date) -> tuple[int, int]:
    """Queue today's notices to employees and managers; returns (queued, already queued). Flushes."""
    queued = already = 0
    for item in due_notices(today):
        webhook_events.credential_expiring(item)
        recipients = [(EMPLOYEE, item.email)] + ([(MANAGER, item.manager_email)] if item.manager_email else [])
        for role, address in recipients:
            subject, body = notice_message(item, role)
            if mail.queue(kind="credential-notice", dedupe_key=notice_key(item, role), recipient=address,
                          subject=subject, body=body):
                queued += 1
            else:
                already += 1
    db.session.flush()
    return queued, already


def team_credentials(today: date) -> dict[int, list[Expiring]]:
    """Per manager, the team's credentials expired or expiring within 60 days, for the weekly digest (one query)."""
    found: dict[int, list[Expiring]] = {}
    for item in expiring(today, until=today + timedelta(days=DIGEST_DAYS)):
        if item.manager_id is not None:
            found.setdefault(item.manager_id, []).append(item)
    return found


def digest_lines(items: list[Expiring]) -> list[str]:
    """The digest's credentials paragraph."""
    if not items:
        return []
    return ["Credentials expired or expiring within 60 days:",
            *(f"- {item.name}: {item.type_name} {item.when}" for item in items), ""]


def calendar_events(user: User, today: date, now: datetime) -> list[Event]:
    """The person's own credentials that expire (from 30 days ago on), each an all-day event on its expiry day
    with alarms 60, 30 and 7 days before and on the day."""
    events = []
    for item in expiring(today, until=date.max, since=today - timedelta(days=30), employee_id=user.id):
        event = Event()
        event.add("uid", f"credential-{item.credential_id}@medical-home-onboarding")
        event.add("summary", f"Expires: {item.type_name}")
        event.add("description", "Renew it and bring the new one to HR.")
        event.add("dtstart", item.expires_on)
        event.add("dtend", item.expires_on + timedelta(days=1))
        event.add("dtstamp", now)
        for days in NOTICE_DAYS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{item.type_name} expires {'today' if not days else f'in {days} days'}")
            alarm.add("trigger", timedelta(days=-days) if days else timedelta(hours=9))
            event.add_component(alarm)
        events.append(event)
    return events
