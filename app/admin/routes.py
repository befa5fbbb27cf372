"""Administration pages: users, sites and the audit log (admins only)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.access import role_required
from app.actions import carry_out
from app.admin import bp, services
from app.admin.forms import EditUserForm, InviteUserForm, SiteForm
from app.auth import services as accounts
from app.auth.forms import EmptyForm
from app.auth.services import AccountError, invite_user, send_invitation
from app.extensions import db
from app.forms import EARLIEST, LATEST
from app.models import AuditEvent, Role, RoleFamily, Site, User


def _fill_choices(form) -> None:
    sites = db.session.scalars(select(Site).where(Site.archived_at.is_(None)).order_by(Site.name))
    form.site_id.choices = [("", "— none —")] + [(str(site.id), site.name) for site in sites]
    managers = db.session.scalars(
        select(User).where(User.active, User.role.in_([Role.MANAGER, Role.HR, Role.ADMIN])).order_by(User.name)
    )
    form.manager_id.choices = [("", "— none —")] + [(str(m.id), f"{m.name} ({m.email})") for m in managers]


def _profile(form) -> dict:
    return {
        "name": form.name.data,
        "role": Role(form.role.data),
        "is_interviewer": form.is_interviewer.data,
        "site": db.session.get(Site, int(form.site_id.data)) if form.site_id.data else None,
        "department": form.department.data or "",
        "role_family": RoleFamily(form.role_family.data) if form.role_family.data else None,
        "manager": db.session.get(User, int(form.manager_id.data)) if form.manager_id.data else None,
        "start_date": form.start_date.data,
    }


def _page_size() -> int:
    return current_app.config["ITEMS_PER_PAGE"]


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    """Every user, searchable, with role and status filters."""
    query = select(User).options(selectinload(User.site)).order_by(User.name)
    search = request.args.get("q", "").strip()
    if search:
        needle = search.lower()  # % and _ are searched for as typed, not as wildcards
        query = query.where(or_(User.email.contains(needle, autoescape=True),
                                func.lower(User.name).contains(needle, autoescape=True)))
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    status = request.args.get("status", "active")
    if status == "active":
        query = query.where(User.active)
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    page = db.paginate(query, per_page=_page_size(), error_out=False)
    return render_template("admin/users.html", page=page, search=search, role=role, status=status,
                           action_form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def invite():
    """Invite a new user; they set their own password from the e-mailed link."""
    form = InviteUserForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            user = invite_user(actor=current_user, email=form.email.data, **_profile(form))
        except AccountError as problem:
            form.email.errors.append(str(problem))
        else:
            db.session.commit()
            flash(f"Invitation sent to {user.email}.", "success")
            return redirect(url_for(".user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def user(user_id: int):
    """View and edit one user's profile, role and reporting line."""
    subject = db.get_or_404(User, user_id)
    form = EditUserForm(obj=None if request.method == "POST" else _FormData(subject))
    _fill_choices(form)
    if form.validate_on_submit():
        if carry_out(lambda: services.update_user(subject, actor=current_user, **_profile(form)),
                     services.AdminError, lambda _: f"{subject.name} saved."):
            return redirect(url_for(".user", user_id=subject.id))
    history = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "user", AuditEvent.entity_id == subject.id)
        .order_by(AuditEvent.at.desc()).limit(10)
    ).all()
    return render_template("admin/user_form.html", form=form, user=subject, history=history,
                           action_form=EmptyForm())


class _FormData:
    """A user's fields in the shapes the edit form's selects expect."""

    def __init__(self, user: User):
        self.name = user.name
        self.role = user.role.value
        self.is_interviewer = user.is_interviewer
        self.site_id = str(user.site_id or "")
        self.department = user.department
        self.role_family = user.role_family.value if user.role_family else ""
        self.manager_id = str(user.manager_id or "")
        self.start_date = user.start_date


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    """Confirm, then deactivate: the person can no longer sign in; nothing is deleted."""
    subject = db.get_or_404(User, user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        carry_out(lambda: services.deactivate_user(subject, actor=current_user), services.AdminError,
                  f"{subject.name} is deactivated and signed out everywhere.")
        return redirect(url_for(".user", user_id=subject.id))
    return render_template("admin/confirm.html", form=form, title=f"Deactivate {subject.name}?",
                           message="They will be signed out and unable to sign in. Their training "
                                   "records and scorecards are kept.",
                           confirm_label="Deactivate", cancel_url=url_for(".user", user_id=subject.id))


@bp.post("/users/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate(user_id: int):
    """Let a deactivated user sign in again."""
    subject = db.get_or_404(User, user_id)
    if EmptyForm().validate_on_submit():
        carry_out(lambda: services.reactivate_user(subject, actor=current_user), services.AdminError,
                  f"{subject.name} can sign in again.")
    return redirect(url_for(".user", user_id=subject.id))


@bp.post("/users/<int:user_id>/invite")
@role_required(Role.ADMIN)
def resend_invite(user_id: int):
    """Send a fresh set-password link (the old one keeps working until the password is set)."""
    subject = db.get_or_404(User, user_id)
    if not subject.active:
        abort(400)
    if EmptyForm().validate_on_submit():
        carry_out(lambda: send_invitation(subject, actor=current_user), AccountError,
                  f"A new set-password link was sent to {subject.email}.")
    return redirect(url_for(".user", user_id=subject.id))


@bp.post("/users/<int:user_id>/reset-password")
@role_required(Role.ADMIN)
def send_password_reset(user_id: int):
    """E-mail the person a single-use link to choose a new password (the current one keeps working
    until they use it)."""
    subject = db.get_or_404(User, user_id)
    if not subject.active or not subject.has_password:
        flash("Only an active account with a password can be sent a reset link; send an invitation instead.",
              "warning")
    elif EmptyForm().validate_on_submit():
        accounts.send_password_reset(subject, actor=current_user)
        db.session.commit()
        flash(f"A password reset link was sent to {subject.email}. It works once and expires in 2 hours.", "success")
    return redirect(url_for(".user", user_id=subject.id))


@bp.get("/sites")
@role_required(Role.ADMIN)
def sites():
    """Clinic sites, active first."""
    rows = db.session.scalars(select(Site).order_by(Site.archived_at.is_not(None), Site.name)).all()
    return render_template("admin/sites.html", sites=rows, action_form=EmptyForm())


@bp.route("/sites/new", methods=["GET", "POST"], defaults={"site_id": None})
@bp.route("/sites/<int:site_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def site(site_id: int | None):
    """Create or edit a site."""
    subject = db.get_or_404(Site, site_id) if site_id else None
    form = SiteForm(obj=subject)
    if form.validate_on_submit():
        try:
            saved = services.save_site(subject, actor=current_user, **{
                name: getattr(form, name).data or "" for name in ("name", "street", "city", "region", "postal_code", "time_zone")
            })
        except services.AdminError as problem:
            form.name.errors.append(str(problem))
        else:
            db.session.commit()
            flash(f"{saved.name} saved.", "success")
            return redirect(url_for(".sites"))
    return render_template("admin/site_form.html", form=form, site=subject)


@bp.route("/sites/<int:site_id>/archive", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def archive_site(site_id: int):
    """Confirm, then archive a site; its people and postings keep it."""
    subject = db.get_or_404(Site, site_id)
    form = EmptyForm()
    if form.validate_on_submit():
        carry_out(lambda: services.archive_site(subject, actor=current_user), services.AdminError,
                  f"{subject.name} is archived.")
        return redirect(url_for(".sites"))
    return render_template("admin/confirm.html", form=form, title=f"Archive {subject.name}?",
                           message="It will no longer be offered for new users or postings. "
                                   "People and postings already there keep it.",
                           confirm_label="Archive", cancel_url=url_for(".sites"))


def _audit_day(filters: dict, name: str) -> date | None:
    """A date filter of the audit log; an unreadable or implausible one is ignored with a message."""
    if not filters[name]:
        return None
    try:
        day = date.fromisoformat(filters[name])
    except ValueError:
        flash(f"Dates are written YYYY-MM-DD; '{filters[name][:20]}' was ignored.", "warning")
        return None
    if not EARLIEST <= day <= LATEST:
        flash(f"Dates must be between {EARLIEST.year} and {LATEST.year}; '{filters[name]}' was ignored.", "warning")
        return None
    return day


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit():
    """The audit log, newest first, filtered by action, record type, person and date."""
    query = (
        select(AuditEvent).options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    filters = {name: request.args.get(name, "").strip() for name in ("action", "entity", "actor", "since", "until")}
    if filters["action"]:
        query = query.where(AuditEvent.action.startswith(filters["action"], autoescape=True))
    if filters["entity"]:
        query = query.where(AuditEvent.entity_type == filters["entity"])
    if filters["actor"]:
        query = query.join(User, AuditEvent.actor_id == User.id).where(
            User.email.contains(filters["actor"].lower(), autoescape=True))
    since, until = _audit_day(filters, "since"), _audit_day(filters, "until")
    if since and until and since > until:
        flash("The From date is after the To date, so nothing could match; both were ignored.", "warning")
        since = until = None
    if since:
        query = query.where(AuditEvent.at >= datetime.combine(since, time()))
    if until:
        query = query.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time()))
    page = db.paginate(query, per_page=50, error_out=False)
    entity_types = db.session.scalars(select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type))
    return render_template("admin/audit.html", page=page, filters=filters, entity_types=list(entity_types))
