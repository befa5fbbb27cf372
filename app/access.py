"""Who may use what: one decorator for route rules, one helper for the reporting line."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.extensions import db
from app.models import Role, User

STAFF_MANAGERS = (Role.ADMIN, Role.HR)
MAX_REPORTING_DEPTH = 20


def role_required(*roles: Role):
    """Allow signed-in users holding one of roles; others get 403, anonymous users sign in."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def interviewer_required(view):
    """Allow users who hold the interviewer permission (any app role)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_interviewer:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def manages(manager: User, employee: User) -> bool:
    """True when employee reports to manager directly or through a chain of managers."""
    seen: set[int] = set()
    manager_id = employee.manager_id
    while manager_id is not None and manager_id not in seen and len(seen) < MAX_REPORTING_DEPTH:
        if manager_id == manager.id:
            return True
        seen.add(manager_id)
        manager_id = db.session.scalar(db.select(User.manager_id).where(User.id == manager_id))
    return False


def can_view_employee(viewer: User, employee: User) -> bool:
    """HR and admins see everyone; a manager sees their reporting line; everyone sees themself."""
    if viewer.id == employee.id or viewer.role in STAFF_MANAGERS:
        return True
    return viewer.role is Role.MANAGER and manages(viewer, employee)
