"""HR's pages for one employee's credentials: the list with statuses, adding, verifying and archiving."""

from __future__ import annotations

from datetime import date

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from app.access import role_required
from app.actions import carry_out
from app.credentials import bp
from app.credentials.forms import AddCredentialForm, ArchiveCredentialForm, VerifyCredentialForm
from app.credentials.services import (
    CredentialError,
    active_types,
    add_credential,
    archive_credential,
    credentials_of,
    verify_credential,
    with_status,
)
from app.extensions import db
from app.models import CredentialType, EmployeeCredential, Role, User, VerificationMethod


def _employee(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _credential(credential_id: int) -> EmployeeCredential:
    credential = db.session.get(EmployeeCredential, credential_id)
    if credential is None or credential.archived_at is not None:
        abort(404)
    return credential


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def person(user_id: int):
    """An employee's credentials with their status, and the form to add one."""
    employee = _employee(user_id)
    form = AddCredentialForm()
    form.credential_type_id.choices = [(kind.id, kind.name) for kind in active_types()]
    if form.validate_on_submit():
        kind = db.session.get(CredentialType, form.credential_type_id.data)
        if carry_out(
            lambda: add_credential(
                employee,
                kind,
                number=form.number.data,
                issuer=form.issuer.data,
                issued_on=form.issued_on.data,
                expires_on=form.expires_on.data,
                actor=current_user,
            ),
            CredentialError,
            f"{kind.name} added for {employee.name}; it shows as unverified until verified.",
        ):
            return redirect(url_for(".person", user_id=employee.id))
    rows = with_status(credentials_of(employee), date.today())
    return render_template("credentials/person.html", employee=employee, rows=rows, form=form)


@bp.route("/<int:credential_id>/verify", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def verify(credential_id: int):
    """Record how a credential was verified: with the primary source, or a copy seen."""
    credential = _credential(credential_id)
    form = VerifyCredentialForm()
    if form.validate_on_submit():
        if carry_out(
            lambda: verify_credential(
                credential, method=VerificationMethod(form.method.data), source=form.source.data, actor=current_user
            ),
            CredentialError,
            f"{credential.credential_type.name} verified.",
        ):
            return redirect(url_for(".person", user_id=credential.employee_id))
    return render_template("credentials/verify.html", credential=credential, form=form)


@bp.route("/<int:credential_id>/archive", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def archive(credential_id: int):
    """Ask before archiving a credential; archiving keeps the record and its verification for history."""
    credential = _credential(credential_id)
    form = ArchiveCredentialForm()
    if form.validate_on_submit():
        carry_out(
            lambda: archive_credential(credential, actor=current_user),
            CredentialError,
            f"{credential.credential_type.name} archived; its record is kept.",
        )
        return redirect(url_for(".person", user_id=credential.employee_id))
    return render_template("credentials/archive.html", credential=credential, form=form)
