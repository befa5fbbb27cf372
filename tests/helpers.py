"""Small helpers the test modules share."""

import html
import socket
from datetime import date
from email import message_from_bytes
from email.policy import default as default_policy

from sqlalchemy import func, select

from app.models import Assignment, Module, Progress, ProgressStatus, TrainingSummary, User, ValueSummary, ValueTotal


def text(response) -> str:
    """A response's body as a person reads it (HTML entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def count(db, model, *where) -> int:
    """Rows of model matching where."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


SUMMARY_DONE = {ProgressStatus.COMPLETED, ProgressStatus.WAIVED}


def counted_from_scratch(session, today: date) -> tuple[dict, dict]:
    """The figures each summary row should hold, counted in Python from every progress row."""
    per_employee: dict[int, list] = {}
    per_value: dict[tuple[int, int], list] = {}
    for progress in session.scalars(select(Progress)):
        assignment = session.get(Assignment, progress.assignment_id)
        module = session.get(Module, progress.module_id)
        employee = session.get(User, progress.employee_id)
        if assignment.unassigned_at is not None or module.archived_at is not None or not employee.active:
            continue
        done = progress.status in SUMMARY_DONE
        overdue = not done and progress.due_date is not None and progress.due_date < today
        row = per_employee.setdefault(progress.employee_id, [0, 0, 0, [], []])
        row[0], row[1], row[2] = row[0] + 1, row[1] + done, row[2] + overdue
        if overdue:
            row[3].append(progress.due_date)
        elif not done and progress.due_date is not None:
            row[4].append(progress.due_date)
        for value in module.values:
            figures = per_value.setdefault((progress.employee_id, value.id), [0, 0, 0])
            figures[0], figures[1], figures[2] = figures[0] + 1, figures[1] + done, figures[2] + overdue
    employees = {
        employee_id: (assigned, done, overdue, min(late, default=None), max(late, default=None),
                      min(coming, default=None))
        for employee_id, (assigned, done, overdue, late, coming) in per_employee.items()
    }
    return employees, {key: tuple(figures) for key, figures in per_value.items()}


def kept(session) -> tuple[dict, dict]:
    """The summary rows as stored, leaving out rows of all zeros (people with no training left)."""
    session.expire_all()
    employees = {
        row.employee_id: (row.assigned, row.done, row.overdue, row.oldest_overdue, row.latest_overdue, row.next_due)
        for row in session.scalars(select(TrainingSummary)) if row.assigned
    }
    values = {(row.employee_id, row.value_id): (row.assigned, row.done, row.overdue)
              for row in session.scalars(select(ValueSummary)) if row.assigned}
    return employees, values


def value_totals(session) -> dict[int, tuple[int, int, int]]:
    """value_total as stored, leaving out rows of all zeros."""
    session.expire_all()
    return {row.value_id: (row.assigned, row.done, row.overdue) for row in session.scalars(select(ValueTotal))
            if row.assigned or row.done or row.overdue}


def totals_of(per_value: dict[tuple[int, int], tuple]) -> dict[int, tuple[int, int, int]]:
    """Per-employee-and-value figures summed per value, values with nothing assigned left out."""
    totals: dict[int, list[int]] = {}
    for (_, value_id), figures in per_value.items():
        row = totals.setdefault(value_id, [0, 0, 0])
        for index, figure in enumerate(figures):
            row[index] += figure
    return {value_id: tuple(row) for value_id, row in totals.items() if any(row)}


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
