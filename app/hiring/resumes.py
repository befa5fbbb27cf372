"""Résumé downloads: stored outside the web root, served only to HR and admins."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_file
from sqlalchemy import select

from app.access import role_required
from app.extensions import db
from app.hiring import bp
from app.models import Application, ApplicationResubmission, Role


def stored_file(name: str | None) -> Path | None:
    """The stored résumé with this name, or None when there is none or the name would leave RESUME_DIR."""
    if not name:
        return None
    directory = Path(current_app.config["RESUME_DIR"]).resolve()
    path = (directory / name).resolve()
    if not path.is_relative_to(directory) or path == directory or not path.is_file():
        return None
    return path


def stored_resume(application: Application) -> Path | None:
    """The application's résumé file on disk, or None."""
    return stored_file(application.resume_path)


def _send(path: Path | None, download_name: str):
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True, download_name=download_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


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
