"""User and site administration; every change lands in the audit log through the session."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.access import manages
from app.auth.services import AccountError, sign_out_everywhere
from app.extensions import db
from app.models import Role, RoleFamily, Site, User, utcnow
from app.onboarding import check_ins
from app.timezones import DEFAULT_TIME_ZONE, is_time_zone


class AdminError(AccountError):
    """An administrative change that cannot be made, with the reason."""


def _check_manager(user: User, manager: User | None) -> None:
    if manager is None:
        return
    if manager.id == user.id:
        raise AdminError("A person cannot be their own manager.")
    if not manager.active:
        raise AdminError(f"{manager.name} is deactivated and cannot manage anyone.")
    if manager.role not in (Role.MANAGER, Role.ADMIN, Role.HR):
        raise AdminError(f"{manager.name} needs the manager role before people can report to them.")
    if manages(user, manager):
        raise AdminError(f"{manager.name} already reports to {user.name}; that would make a loop.")


def _check_last_admin(user: User, new_role: Role | None = None, deactivating: bool = False) -> None:
    if user.role is not Role.ADMIN or (new_role is Role.ADMIN and not deactivating):
        return
    admins = db.session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN, User.active))
    if admins <= 1:
        raise AdminError("This is the only active administrator; make someone else an administrator first.")


def update_user(
    user: User,
    *,
    actor: User,
    name: str,
    role: Role,
    is_interviewer: bool,
    site: Site | None,
    department: str,
    role_family: RoleFamily | None,
    manager: User | None,
    start_date: date | None,
    today: date | None = None,
) -> None:
    """Change a user's profile, role and reporting line. A new start date moves the check-ins not yet done;
    a first one schedules them, unless every check-in day would already be behind them."""
    _check_manager(user, manager)
    if role is not user.role:
        if user.id == actor.id:
            raise AdminError("You cannot change your own role.")
        _check_last_admin(user, new_role=role)
        if user.role is Role.MANAGER and role is not Role.MANAGER and user.reports:
            raise AdminError(f"{user.name} still has people reporting to them; move them to another manager first.")
    user.name = name.strip()
    user.role = role
    user.is_interviewer = is_interviewer
    user.site = site
    user.department = department.strip()
    user.role_family = role_family
    user.manager = manager
    had_start, user.start_date = user.start_date, start_date
    db.session.flush()
    if start_date != had_start:
        check_ins.reschedule(user, actor=actor)
        if had_start is None:
            check_ins.schedule_if_current(user, actor=actor, today=today or date.today())


def deactivate_user(user: User, *, actor: User) -> None:
    """Stop a user signing in; their records stay."""
    if user.id == actor.id:
        raise AdminError("You cannot deactivate your own account.")
    if not user.active:
        raise AdminError(f"{user.name} is already deactivated.")
    _check_last_admin(user, deactivating=True)
    user.active = False
    user.deactivated_at = utcnow()
    sign_out_everywhere(user)
    db.session.flush()


def reactivate_user(user: User, *, actor: User) -> None:
    if user.active:
        raise AdminError(f"{user.name} is already active.")
    user.active = True
    user.deactivated_at = None
    db.session.flush()


def save_site(site: Site | None, *, actor: User, **fields) -> Site:
    """Create a site, or update one; names are unique and the time zone is an IANA name."""
    name = fields["name"].strip()
    clash = db.session.scalar(select(Site.id).where(func.lower(Site.name) == name.lower()))
    if clash and (site is None or clash != site.id):
        raise AdminError(f"A site named {name} already exists.")
    time_zone = (fields.get("time_zone") or (site.time_zone if site else "") or DEFAULT_TIME_ZONE).strip()
    if not is_time_zone(time_zone):
        raise AdminError(f"{time_zone} is not a time zone name. Use the IANA name, such as America/Chicago.")
    if site is None:
        site = Site(name=name)
        db.session.add(site)
    for field in ("street", "city", "region", "postal_code"):
        setattr(site, field, fields.get(field, "").strip())
    site.time_zone = time_zone
    site.name = name
    db.session.flush()
    return site


def archive_site(site: Site, *, actor: User) -> None:
    if site.archived:
        raise AdminError(f"{site.name} is already archived.")
    site.archive()
    db.session.flush()
