"""Reminder e-mails: a daily note to each employee with training or a check-in due soon or overdue, a
weekly digest to each manager (with their team's check-ins due that week), queued in the outbox once per
reason and period, then sent."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from app import mail
from app.check_in_mail import CheckInItem, own_check_ins, own_lines, own_subject, team_check_ins, team_lines
from app.credentials.reminders import Expiring, digest_lines, queue_credential_notices, team_credentials
from app.extensions import db
from app.models import Assignment, Method, Module, OutboxMessage, Progress, Responsible, User
from app.onboarding.services import DONE

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 3
KEY_CHUNK = 500  # dedupe keys looked up per statement
DELIVERY_BATCH = 500


@dataclass
class ReminderReport:
    """What one run queued and sent."""

    reminders_queued: int = 0
    reminders_already_queued: int = 0
    digests_queued: int = 0
    digests_already_queued: int = 0
    credential_notices_queued: int = 0
    credential_notices_already_queued: int = 0
    sent: int = 0
    failed: int = 0

    def summary(self) -> str:
        return (
            f"Reminders: {self.reminders_queued} queued ({self.reminders_already_queued} already queued today). "
            f"Manager digests: {self.digests_queued} queued ({self.digests_already_queued} already queued this week). "
            f"Credential notices: {self.credential_notices_queued} queued "
            f"({self.credential_notices_already_queued} already queued). "
            f"E-mail: {self.sent} sent, {self.failed} failed (failures are retried later)."
        )


@dataclass
class DueItem:
    title: str
    due_date: date
    overdue: bool


@dataclass
class ReportLine:
    """One direct report's training in a manager's digest."""

    name: str
    email: str
    total: int
    done: int
    overdue: int
    awaiting_sign_off: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def reminder_key(user_id: int, today: date) -> str:
    return f"reminder:{user_id}:{today.isoformat()}"


def digest_key(manager_id: int, today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"digest:{manager_id}:{year}-W{week}"


def run_reminders(today: date, *, now: datetime | None = None) -> ReminderReport:
    """Queue today's employee reminders and this week's manager digests, then send what is due.

    A batch job, so unlike a service it commits: once after queueing, then once per message sent
    (mail.deliver_due). Each message is queued once per dedupe key, so running it again the same
    day (or, for digests, the same ISO week) queues and sends nothing new. `now` is the clock
    used to pick the messages whose (re)try time has come; it defaults to the current time.
    """
    report = ReminderReport()
    report.reminders_queued, report.reminders_already_queued = queue_employee_reminders(today)
    report.digests_queued, report.digests_already_queued = queue_manager_digests(today)
    report.credential_notices_queued, report.credential_notices_already_queued = queue_credential_notices(today)
    db.session.commit()
    while True:  # a failed message waits for its back-off, so each batch holds new messages
        sent, failed = mail.deliver_due(DELIVERY_BATCH, now=now)
        report.sent += sent
        report.failed += failed
        if sent + failed < DELIVERY_BATCH:
            break
    log.info("reminders for %s: %s", today, report.summary())
    return report


# Selection -----------------------------------------------------------------------------------
def _live_progress():
    """Progress on non-archived modules of tracks still assigned to active employees."""
    return (
        select(Progress)
        .join(Module, Module.id == Progress.module_id)
        .join(Assignment, Assignment.id == Progress.assignment_id)
        .join(User, User.id == Progress.employee_id)
        .where(Module.archived_at.is_(None), Assignment.unassigned_at.is_(None), User.active.is_(True))
    )


def due_items(today: date) -> dict[int, tuple[User, list[DueItem]]]:
    """Employees with open modules overdue or due within three days (overdue only for those who
    turned due-soon reminders off), with those modules: one query for everyone."""
    until = today + timedelta(days=DUE_SOON_DAYS)
    rows = db.session.execute(
        _live_progress()
        .with_only_columns(User, Module.title, Progress.due_date)
        .where(
            Progress.status.not_in(DONE),
            Progress.due_date.is_not(None),
            Progress.due_date <= until,
            or_(Progress.due_date < today, User.due_soon_reminders.is_(True)),
            # Tasks for HR or the manager are theirs to tick, not the employee's.
            or_(Module.method != Method.TASK, Module.responsible == Responsible.EMPLOYEE),
        )
        .order_by(User.id, Progress.due_date, Module.track_id, Module.position)
    ).all()
    found: dict[int, tuple[User, list[DueItem]]] = {}
    for user, title, due in rows:
        found.setdefault(user.id, (user, []))[1].append(DueItem(title, due, due < today))
    return found


def report_lines(today: date) -> dict[int, tuple[User, list[ReportLine]]]:
    """Each active manager with active direct reports, and each report's training: one query."""
    manager = aliased(User)
    live = _live_progress().with_only_columns(Progress).subquery()
    done = live.c.status.in_(DONE)
    rows = db.session.execute(
        select(
            manager,
            User.name,
            User.email,
            func.count(live.c.id),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((and_(~done, live.c.due_date < today), 1), else_=0)),
            func.sum(case((and_(~done, live.c.sign_off_requested_at.is_not(None)), 1), else_=0)),
        )
        .select_from(User)
        .join(manager, manager.id == User.manager_id)
        .outerjoin(live, live.c.employee_id == User.id)
        .where(User.active.is_(True), manager.active.is_(True))
        .group_by(manager.id, User.id, User.name, User.email)
        .order_by(manager.id, User.name, User.id)
    ).all()
    found: dict[int, tuple[User, list[ReportLine]]] = {}
    for boss, name, email, total, done_count, overdue, awaiting in rows:
        line = ReportLine(name, email, total, int(done_count or 0), int(overdue or 0), int(awaiting or 0))
        found.setdefault(boss.id, (boss, []))[1].append(line)
    return found


def _already_queued(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        found.update(
            db.session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys[start : start + KEY_CHUNK]))
            )
        )
    return found


# Messages ------------------------------------------------------------------------------------
def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def reminder_message(user: User, items: list[DueItem], check_ins: list[CheckInItem] = ()) -> tuple[str, str]:
    """The subject and body of one employee's reminder: their modules, then their own check-ins."""
    overdue = [item for item in items if item.overdue]
    due_soon = [item for item in items if not item.overdue]
    if overdue:
        subject = f"Onboarding training overdue: {len(overdue)} module{'s' if len(overdue) != 1 else ''}"
    elif due_soon:
        subject = f"Onboarding training due soon: {len(due_soon)} module{'s' if len(due_soon) != 1 else ''}"
    else:
        subject = own_subject(check_ins, _day)
    lines = [f"Hello {user.name},", ""]
    if overdue:
        lines += ["These modules are OVERDUE:"]
        lines += [f"- {item.title} (was due {_day(item.due_date)}, overdue)" for item in overdue]
        lines += [""]
    if due_soon:
        lines += [f"These modules are due in the next {DUE_SOON_DAYS} days:"]
        lines += [f"- {item.title} (due {_day(item.due_date)})" for item in due_soon]
        lines += [""]
    if check_ins:
        lines += own_lines(check_ins, _day)
    lines += [
        f"Open My onboarding to continue: {mail.external_url('onboarding.my_onboarding')}",
        "",
        f"You can turn off reminders about modules{' and check-ins' if check_ins else ''} that are due soon in "
        "your reminder settings: "
        f"{mail.external_url('onboarding.preferences')}. Reminders about overdue training always go out.",
    ]
    return subject, "\n".join(lines) + "\n"


def digest_message(manager: User, lines: list[ReportLine], today: date,
                   check_ins: list[CheckInItem] = (), credentials: list[Expiring] = ()) -> tuple[str, str]:
    """The subject and body of one manager's weekly digest: training per report, check-ins due, credentials."""
    year, week, _ = today.isocalendar()
    behind = sum(1 for line in lines if line.overdue)
    awaiting = sum(line.awaiting_sign_off for line in lines)
    subject = f"Team training, week {week} of {year}: {behind} behind, {awaiting} sign-off{'s' if awaiting != 1 else ''} waiting"
    if check_ins:
        subject += f", {len(check_ins)} check-in{'s' if len(check_ins) != 1 else ''} due"
    body = [f"Hello {manager.name},", "", "Your team's onboarding training this week:", ""]
    names = Counter(line.name for line in lines)
    # Those behind first, then those waiting for a sign-off; e-mail tells namesakes apart.
    for line in sorted(lines, key=lambda line: (-line.overdue, -line.awaiting_sign_off)):
        who = f"{line.name} ({line.email})" if names[line.name] > 1 else line.name
        body.append(
            f"- {who}: {line.done} of {line.total} modules complete ({line.percent}%), {line.overdue} overdue"
            + (f", {line.awaiting_sign_off} awaiting your sign-off" if line.awaiting_sign_off else "")
        )
    body += [""]
    if check_ins:
        body += team_lines(check_ins, _day)
        body += [f"Give your ratings from your team page: {mail.external_url('team.index')}", ""]
    body += digest_lines(list(credentials))
    body += [
        f"Sign-off requests waiting for you: {awaiting}. Your sign-off queue: {mail.external_url('onboarding.sign_offs')}",
        f"Your team's training status: {mail.external_url('team.index')}",
    ]
    return subject, "\n".join(body) + "\n"


# Queueing ------------------------------------------------------------------------------------
def queue_employee_reminders(today: date) -> tuple[int, int]:
    """Queue one reminder per employee for today; returns (queued, already queued). Flushes."""
    selected = due_items(today)
    check_ins = own_check_ins(today, DUE_SOON_DAYS)
    for user_id, (user, _) in check_ins.items():
        selected.setdefault(user_id, (user, []))
    keys = {user_id: reminder_key(user_id, today) for user_id in selected}
    existing = _already_queued(keys.values())
    queued = 0
    for user_id, (user, items) in selected.items():
        if keys[user_id] in existing:
            continue
        subject, body = reminder_message(user, items, check_ins.get(user_id, (user, []))[1])
        if mail.queue(kind="reminder", dedupe_key=keys[user_id], recipient=user.email, subject=subject, body=body):
            queued += 1
    db.session.flush()
    return queued, len(selected) - queued


def queue_manager_digests(today: date) -> tuple[int, int]:
    """Queue one digest per manager for this ISO week; returns (queued, already queued). Flushes."""
    teams = report_lines(today)
    check_ins = team_check_ins(today)
    credentials = team_credentials(today)
    keys = {manager_id: digest_key(manager_id, today) for manager_id in teams}
    existing = _already_queued(keys.values())
    queued = 0
    for manager_id, (manager, lines) in teams.items():
        if keys[manager_id] in existing:
            continue
        subject, body = digest_message(manager, lines, today, check_ins.get(manager_id, []),
                                       credentials.get(manager_id, []))
        if mail.queue(kind="digest", dedupe_key=keys[manager_id], recipient=manager.email, subject=subject, body=body):
            queued += 1
    db.session.flush()
    return queued, len(teams) - queued
