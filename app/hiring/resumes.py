"""Résumé downloads: stored outside the web root, served only to HR and admins."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, send_file

from app.access import role_required
from app.extensions import db
from app.hiring import bp
from app.models import Application, Role


def stored_resume(application: Application) -> Path | None:
    """The résumé file on disk, or None when there is none or its name would leave RESUME_DIR."""
    if not application.resume_path:
        return None
    directory = Path(current_app.config["RESUME_DIR"]).resolve()
    path = (directory / application.resume_path).resolve()
    if not path.is_relative_to(directory) or path == directory or not path.is_file():
        return None
    return path


@bp.get("/applications/<int:application_id>/resume")
@role_required(Role.HR, Role.ADMIN)
def resume(application_id: int):
    """Download an applicant's résumé as a PDF attachment."""
    application = db.get_or_404(Application, application_id)
    path = stored_resume(application)
    if path is None:
        abort(404)
    response = send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=f"resume-{application.id}.pdf", max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
