"""Check-ins in the reminder e-mails: the employee's own check-in when it is due, and each manager's team
check-ins due within a week or overdue; one query each for the whole organization."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import CheckIn, User

DIGEST_DAYS = 7  # a manager's weekly digest looks a week ahead


@dataclass
class CheckInItem:
    """One check-in in an e-mail: whose, which day, when, and which sides are still missing."""

    name: str
    email: str
    day: int
    due_date: date
    self_done: bool
    manager_done: bool
    today: date

    @property
    def overdue(self) -> bool:
        return self.due_date < self.today


def _open():
    """Check-ins not done and not archived, of active employees."""
    return (select(CheckIn).join(User, User.id == CheckIn.employee_id)
            .where(CheckIn.completed_at.is_(None), CheckIn.archived_at.is_(None), User.active.is_(True)))


def _item(name: str, email: str, day: int, due: date, self_at: datetime | None, manager_at: datetime | None,
          today: date) -> CheckInItem:
    return CheckInItem(name, email, day, due, self_at is not None, manager_at is not None, today)


def own_check_ins(today: date, soon_days: int) -> dict[int, tuple[User, list[CheckInItem]]]:
    """Employees whose own ratings are missing on a check-in overdue or due within soon_days (overdue only for
    those who turned due-soon reminders off), with those check-ins: one query."""
    rows = db.session.execute(
        _open().with_only_columns(User, CheckIn.day, CheckIn.due_date, CheckIn.self_submitted_at,
                                  CheckIn.manager_submitted_at)
        .where(CheckIn.self_submitted_at.is_(None), CheckIn.due_date <= today + timedelta(days=soon_days),
               or_(CheckIn.due_date < today, User.due_soon_reminders.is_(True)))
        .order_by(User.id, CheckIn.due_date)
    ).all()
    found: dict[int, tuple[User, list[CheckInItem]]] = {}
    for user, day, due, self_at, manager_at in rows:
        found.setdefault(user.id, (user, []))[1].append(_item(user.name, user.email, day, due, self_at, manager_at,
                                                              today))
    return found


def team_check_ins(today: date) -> dict[int, list[CheckInItem]]:
    """Per active manager, their active direct reports' check-ins due within a week or overdue: one query."""
    manager = aliased(User)
    rows = db.session.execute(
        _open().join(manager, manager.id == User.manager_id)
        .with_only_columns(manager.id, User.name, User.email, CheckIn.day, CheckIn.due_date,
                           CheckIn.self_submitted_at, CheckIn.manager_submitted_at)
        .where(manager.active.is_(True), CheckIn.due_date <= today + timedelta(days=DIGEST_DAYS))
        .order_by(manager.id, CheckIn.due_date, User.name, User.id)
    ).all()
    found: dict[int, list[CheckInItem]] = {}
    for manager_id, name, email, day, due, self_at, manager_at in rows:
        found.setdefault(manager_id, []).append(_item(name, email, day, due, self_at, manager_at, today))
    return found


def _when(item: CheckInItem, day_text) -> str:
    return f"was due {day_text(item.due_date)}, overdue" if item.overdue else f"due {day_text(item.due_date)}"


def own_lines(items: list[CheckInItem], day_text) -> list[str]:
    """The employee's reminder paragraph about their check-ins."""
    one = len(items) == 1
    lines = ["Your check-in is due:" if one else "Your check-ins are due:"]
    lines += [f"- Day-{item.day} check-in ({_when(item, day_text)})" for item in items]
    lines += ["Rate yourself on each value you were hired on, with an example of what you did; then talk it "
              "through with your manager. Neither of you sees the other's ratings until both are in.", ""]
    return lines


def own_subject(items: list[CheckInItem], day_text) -> str:
    """The subject of a reminder that is only about check-ins."""
    first = items[0]
    if first.overdue:
        return f"Your day-{first.day} check-in is overdue"
    return f"Your day-{first.day} check-in is due {day_text(first.due_date)}"


def team_lines(items: list[CheckInItem], day_text) -> list[str]:
    """The manager's digest paragraph: each check-in, its date and whose ratings are still missing."""
    names = Counter(item.name for item in items)
    lines = [f"Check-ins due in the next {DIGEST_DAYS} days or overdue:"]
    for item in items:
        who = f"{item.name} ({item.email})" if names[item.name] > 1 else item.name
        missing = [part for part, done in (("your ratings", item.manager_done), ("their self-rating", item.self_done))
                   if not done]
        lines.append(f"- {who}: day-{item.day} check-in, {_when(item, day_text)}; waiting for {' and '.join(missing)}")
    return lines
