"""HR's re-credentialing pages: recording a re-credentialing, privileges, the due queue and the printable file."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import role_required
from app.actions import carry_out
from app.credentials import bp
from app.credentials.credentialing import (
    DUE_WITHIN_DAYS,
    archive_privilege,
    grant_privilege,
    history_of,
    privileges_of,
    queue_query,
    queue_rows,
    record_credentialed,
    standing_of,
)
from app.credentials.forms import ArchivePrivilegeForm, PrivilegeForm, RecredentialForm
from app.credentials.routes import render_person
from app.credentials.services import CredentialError, credentials_of, with_status
from app.extensions import db
from app.models import Privilege, Role, Site, User


@bp.post("/people/<int:user_id>/recredentialed")
@role_required(Role.HR, Role.ADMIN)
def recredentialed(user_id: int):
    """Record that the employee was re-credentialed on a day; the next is due two years later."""
    employee = db.get_or_404(User, user_id)
    form = RecredentialForm()
    if form.validate_on_submit() and carry_out(
        lambda: record_credentialed(
            employee,
            credentialed_on=form.credentialed_on.data,
            note=form.note.data or "",
            actor=current_user,
            today=date.today(),
        ),
        CredentialError,
        lambda event: f"{employee.name} re-credentialed on {event.credentialed_on:%b %-d, %Y}.",
    ):
        return redirect(url_for(".person", user_id=employee.id))
    return render_person(employee, recredential_form=form), 400


@bp.post("/people/<int:user_id>/privileges")
@role_required(Role.HR, Role.ADMIN)
def add_privilege(user_id: int):
    """Add a privilege granted to the employee to their credentialing file."""
    employee = db.get_or_404(User, user_id)
    form = PrivilegeForm()
    if form.validate_on_submit() and carry_out(
        lambda: grant_privilege(
            employee,
            text=form.text.data,
            granted_on=form.granted_on.data,
            granted_by=form.granted_by.data,
            actor=current_user,
            today=date.today(),
        ),
        CredentialError,
        f"Privilege added to {employee.name}'s file.",
    ):
        return redirect(url_for(".person", user_id=employee.id) + "#privileges")
    return render_person(employee, privilege_form=form), 400


@bp.route("/privileges/<int:privilege_id>/archive", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def archive_privilege_page(privilege_id: int):
    """Ask before taking a privilege off the file; the record is kept."""
    privilege = db.session.get(Privilege, privilege_id)
    if privilege is None or privilege.archived_at is not None:
        abort(404)
    form = ArchivePrivilegeForm()
    if form.validate_on_submit():
        carry_out(
            lambda: archive_privilege(privilege, actor=current_user),
            CredentialError,
            "Privilege archived; its record is kept.",
        )
        return redirect(url_for(".person", user_id=privilege.employee_id) + "#privileges")
    return render_template("credentials/privilege_archive.html", privilege=privilege, form=form)


@bp.get("/recredentialing")
@role_required(Role.HR, Role.ADMIN)
def recredentialing():
    """Who is due for re-credentialing in the next 90 days and who is overdue, soonest first, by site."""
    today = date.today()
    sites = list(db.session.scalars(db.select(Site).where(Site.archived_at.is_(None)).order_by(Site.name)))
    site_id = request.args.get("site", type=int)
    if site_id is not None and site_id not in {site.id for site in sites}:
        site_id = None
    page = db.paginate(
        queue_query(today, site_id=site_id), per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False
    )
    return render_template(
        "credentials/recredentialing.html",
        page=page,
        rows=queue_rows(page.items),
        sites=sites,
        site_id=site_id,
        today=today,
        within=DUE_WITHIN_DAYS,
    )


@bp.get("/people/<int:user_id>/file")
@role_required(Role.HR, Role.ADMIN)
def credentialing_file(user_id: int):
    """A clinician's credentialing file to print: every credential with its verification, and the privileges."""
    employee = db.get_or_404(User, user_id)
    today = date.today()
    return render_template(
        "credentials/file.html",
        employee=employee,
        rows=with_status(credentials_of(employee), today),
        standing=standing_of(employee),
        privileges=privileges_of(employee),
        history=history_of(employee),
        today=today,
    )
