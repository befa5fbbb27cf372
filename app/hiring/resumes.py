"""Résumé downloads: stored outside the web root, served only to HR and admins."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app
from sqlalchemy import select

from app import uploads
from app.access import role_required
from app.extensions import db
from app.hiring import bp
from app.models import Application, ApplicationResubmission, Role


def stored_file(name: str | None) -> Path | None:
    """The stored résumé with this name, or None when there is none or the name would leave RESUME_DIR."""
    return uploads.stored_file(current_app.config["RESUME_DIR"], name)


def stored_resume(application: Application) -> Path | None:
    """The application's résumé file on disk, or None."""
    return stored_file(application.resume_path)


def _send(path: Path | None, download_name: str):
    return uploads.send_attachment(path, uploads.PDF.mimetype, download_name)


@bp.get("/applications/<int:application_id>/resume")
@role_required(Role.HR, Role.ADMIN)
def resume(application_id: int):
    """Download an applicant's résumé as a PDF attachment."""
    application = db.get_or_404(Application, application_id)
    return _send(stored_resume(application), f"resume-{application.id}.pdf")


@bp.get("/applications/<int:application_id>/resubmissions/<int:resubmission_id>/resume")
@role_required(Role.HR, Role.ADMIN)
def resubmission_resume(application_id: int, resubmission_id: int):
    """Download the résumé sent with a later, unverified submission from the application's e-mail."""
    resubmission = db.session.scalar(select(ApplicationResubmission).where(
        ApplicationResubmission.id == resubmission_id, ApplicationResubmission.application_id == application_id))
    if resubmission is None:
        abort(404)
    return _send(stored_file(resubmission.resume_path),
                 f"resume-{application_id}-later-{resubmission.id}-unverified.pdf")
