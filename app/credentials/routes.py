"""HR's pages for one employee's credentials: the list with statuses, adding, verifying, scans and archiving."""

from __future__ import annotations

from datetime import date

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from app import uploads
from app.access import role_required
from app.actions import carry_out
from app.credentials import bp
from app.credentials.credentialing import history_of, privileges_of, standing_of
from app.credentials.forms import (
    AddCredentialForm,
    ArchiveCredentialForm,
    PrivilegeForm,
    RecredentialForm,
    ScanForm,
    VerifyCredentialForm,
)
from app.credentials.scans import (
    attach_scan,
    check_scan,
    current_scan,
    download_name,
    may_see_scan,
    scan_file,
    scan_limit_label,
    scans_by_credential,
)
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


def _credential(credential_id: int) -> EmployeeCredential:
    credential = db.session.get(EmployeeCredential, credential_id)
    if credential is None or credential.archived_at is not None:
        abort(404)
    return credential


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def person(user_id: int):
    """An employee's credentials with their status, and the form to add one."""
    employee = db.get_or_404(User, user_id)
    form = AddCredentialForm()
    form.credential_type_id.choices = [(kind.id, kind.name) for kind in active_types()]
    form.scan.description = f"A PDF, PNG or JPEG file of up to {scan_limit_label()}."
    if form.validate_on_submit():
        kind = db.session.get(CredentialType, form.credential_type_id.data)

        def add():
            scan = check_scan(form.scan.data) if form.scan.data else None  # checked before anything is stored
            credential = add_credential(
                employee,
                kind,
                number=form.number.data,
                issuer=form.issuer.data,
                issued_on=form.issued_on.data,
                expires_on=form.expires_on.data,
                actor=current_user,
            )
            if scan is not None:
                attach_scan(credential, scan, actor=current_user)
            return credential

        if carry_out(
            add, CredentialError, f"{kind.name} added for {employee.name}; it shows as unverified until verified."
        ):
            return redirect(url_for(".person", user_id=employee.id))
    return render_person(employee, form=form)


def render_person(employee: User, **forms):
    """The employee's credentials page, with the forms given (bound ones show their errors) and fresh ones else."""
    held, today = credentials_of(employee), date.today()
    forms.setdefault("recredential_form", RecredentialForm(formdata=None))
    forms.setdefault("privilege_form", PrivilegeForm(formdata=None))
    if "form" not in forms:
        forms["form"] = AddCredentialForm(formdata=None)
        forms["form"].credential_type_id.choices = [(kind.id, kind.name) for kind in active_types()]
        forms["form"].scan.description = f"A PDF, PNG or JPEG file of up to {scan_limit_label()}."
    return render_template(
        "credentials/person.html",
        employee=employee,
        rows=with_status(held, today),
        scans=scans_by_credential(held),
        standing=standing_of(employee),
        privileges=privileges_of(employee),
        history=history_of(employee),
        today=today,
        **forms,
    )


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


@bp.route("/<int:credential_id>/scan", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def upload_scan(credential_id: int):
    """Upload the scanned copy of a credential, or replace the one on record (which is archived, not deleted)."""
    credential = _credential(credential_id)
    form = ScanForm()
    form.scan.description = (
        f"A PDF, PNG or JPEG file of up to {scan_limit_label()}. It replaces the scan on record, which is kept."
    )
    if form.validate_on_submit() and carry_out(
        lambda: attach_scan(credential, check_scan(form.scan.data), actor=current_user),
        CredentialError,
        f"Scan of {credential.credential_type.name} saved for {credential.employee.name}.",
    ):
        return redirect(url_for(".person", user_id=credential.employee_id))
    return render_template("credentials/scan.html", credential=credential, form=form, scan=current_scan(credential))


@bp.get("/<int:credential_id>/scan/file")
@login_required
def scan(credential_id: int):
    """The credential's scanned copy, as a download, for HR, admins and the person; 404 for everyone else."""
    credential = db.session.get(EmployeeCredential, credential_id)
    if credential is None or not may_see_scan(current_user, credential):
        abort(404)
    stored = current_scan(credential)
    if stored is None:
        abort(404)
    return uploads.send_attachment(scan_file(stored), stored.mimetype, download_name(credential, stored))


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
