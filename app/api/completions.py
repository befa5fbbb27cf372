"""Completions reported by an external LMS: the rules the app's own pages keep, applied to them."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from app.audit import record
from app.extensions import db
from app.models import ApiToken, Assignment, Completion, Method, Module, Progress, User
from app.onboarding.services import complete

LMS_METHODS = (Method.ATTEST, Method.QUIZ)  # sign-offs are observed by a manager, tasks done by whoever owns them


class CompletionRefused(Exception):
    """A completion that cannot be recorded; `field` names the input at fault, if one is."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.field, self.status = field, status


def record_external_completion(*, token: ApiToken, employee_id: int, module_id: int, module_version: int,
                               completed_on: date, score: int | None, today: date) -> tuple[bool, Progress]:
    """Mark the employee's module complete with the version and day the LMS reports; True when it
    was recorded now, False when the module was already complete (nothing changes then)."""
    employee = db.session.get(User, employee_id)
    if employee is None:
        raise CompletionRefused(f"There is no employee with id {employee_id}.", "employee_id")
    module = db.session.get(Module, module_id)
    if module is None:
        raise CompletionRefused(f"There is no module with id {module_id}.", "module_id")
    if not employee.active:
        raise CompletionRefused(f"{employee.name} is deactivated; their training record is closed.", "employee_id")
    if module.method not in LMS_METHODS:
        raise CompletionRefused(f"{module.title} is completed by a {module.method.value} in the app, not by an "
                                "LMS.", "module_id")
    if module_version > module.version:
        raise CompletionRefused(f"{module.title} is at version {module.version}; version {module_version} "
                                "does not exist.", "module_version")
    if completed_on > today:
        raise CompletionRefused("The completion date is in the future.", "completed_on")
    progress = db.session.scalar(select(Progress).where(Progress.employee_id == employee.id,
                                                        Progress.module_id == module.id))
    assignment = db.session.get(Assignment, progress.assignment_id) if progress and progress.assignment_id else None
    if progress is None or (assignment is not None and assignment.unassigned_at is not None):
        raise CompletionRefused(f"{module.title} is not assigned to {employee.name}.", "module_id")
    recorded = complete(progress, actor=None, score=score, now=datetime.combine(completed_on, time()))
    progress = db.session.get(Progress, progress.id)
    if recorded:
        progress.completed_version = module_version
        completion = db.session.scalars(
            select(Completion).where(Completion.employee_id == employee.id, Completion.module_id == module.id)
            .order_by(Completion.id.desc()).limit(1)).one()
        completion.module_version = module_version
        record(db.session, "api.completion_recorded", progress, note=f"reported by {token.name} (#{token.id})",
               module_version=module_version, completed_on=completed_on, api_token_id=token.id)
        db.session.flush()
    return recorded, progress
