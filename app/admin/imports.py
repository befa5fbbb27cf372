"""Bulk import of current staff from CSV (HR and admins): upload, preview every row, confirm.

The confirmation carries the checked file back in a hidden field, signed with itsdangerous and
bound to the uploader and a one-hour limit, rather than parking it in the instance folder: app
servers stay stateless (any worker or host can take the confirmation), no staff data is left on
disk to clean up, and a changed or stale payload is refused. Files are at most 2 MB, so the
compressed token always fits in a request; confirmation re-checks everything against the
database before anything is written.
"""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import RequestEntityTooLarge

from app.access import role_required
from app.admin import bp
from app.admin import import_services as services
from app.admin.import_forms import ConfirmImportForm, StaffImportForm
from app.errors import render_error
from app.extensions import db
from app.models import Role

PREVIEW_MAX_AGE = 60 * 60
IMPORT_ENDPOINTS = {"admin.import_staff", "admin.confirm_import"}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff-import")


def _sign(text: str) -> str:
    return _serializer().dumps({"uid": current_user.id, "csv": text})


def _unsign(token: str) -> str | None:
    """The checked CSV text, or None when the token is stale, altered or someone else's."""
    try:
        data = _serializer().loads(token, max_age=PREVIEW_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("uid") != current_user.id or not isinstance(data.get("csv"), str):
        return None
    return data["csv"]


def _upload_page(form: StaffImportForm, status: int = 200):
    return render_template("admin/import.html", form=form, example=services.example_csv(),
                           columns=services.COLUMNS, max_rows=services.MAX_ROWS), status


def _preview(plan: services.ImportPlan):
    confirm_form = ConfirmImportForm(payload=_sign(plan.text)) if plan.ok else None
    return render_template("admin/import_preview.html", plan=plan, confirm_form=confirm_form)


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def import_staff():
    """Upload a staff CSV and see every row with its problems; nothing is written yet."""
    form = StaffImportForm()
    if form.validate_on_submit():
        data = form.file.data.read(services.MAX_BYTES + 1)
        return _preview(services.plan_from_bytes(data))
    return _upload_page(form)


@bp.post("/import/confirm")
@role_required(Role.HR, Role.ADMIN)
def confirm_import():
    """Check the previewed file again and import everyone in it, or no one."""
    form = ConfirmImportForm()
    text = _unsign(form.payload.data or "") if form.validate_on_submit() else None
    if text is None:
        flash("This preview has expired or was changed. Upload the file again; nothing was imported.", "warning")
        return redirect(url_for(".import_staff"))
    plan = services.parse_staff_csv(text)
    if not plan.ok:
        flash("Something changed since the preview (for example an account was created); nothing was imported. "
              "Fix the problems below and upload the file again.", "danger")
        return _preview(plan)
    try:
        users = services.apply_plan(plan, actor=current_user, today=date.today())
    except services.StaffImportError as problem:
        db.session.rollback()
        flash(str(problem), "danger")
        return redirect(url_for(".import_staff"))
    db.session.commit()
    flash(f"Imported {len(users)} people; invitations sent.", "success")
    return redirect(url_for(".import_staff"))


@bp.get("/import/example.csv")
@role_required(Role.HR, Role.ADMIN)
def import_example():
    """The import format as a CSV to fill in."""
    return Response(services.example_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=staff-import-example.csv"})


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A request over MAX_CONTENT_LENGTH never reaches the form: say so on the import page."""
    allowed = current_user.is_authenticated and current_user.role in (Role.HR, Role.ADMIN)
    if request.endpoint not in IMPORT_ENDPOINTS or not allowed:
        return render_error(413)
    form = StaffImportForm(formdata=None)
    form.file.errors = [f"The file must be at most {services.size_label()}; split it into smaller files. "
                        "Nothing was imported."]
    return _upload_page(form, 413)
