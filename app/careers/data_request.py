"""What the app holds about one application, as the candidate sees it through their data link."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.hiring import candidate_messages
from app.hiring.pipeline_services import STAGE_LABELS
from app.models import Application, ApplicationResubmission


def candidate_data(application: Application) -> dict[str, Any]:
    """The candidate's own application: what they sent, its stages and the e-mails we wrote to them."""
    resubmissions = db.session.scalars(
        select(ApplicationResubmission).where(ApplicationResubmission.application_id == application.id)
        .order_by(ApplicationResubmission.id))
    return {
        "organization": current_app.config["ORGANIZATION_NAME"],
        "posting": {"title": application.posting.title, "site": application.posting.site.name},
        "application": {
            "received_at": application.created_at.isoformat(timespec="seconds"),
            "name": application.name,
            "email": application.email,
            "phone": application.phone,
            "why_medical_home": application.why_medical_home,
            "resume_uploaded": application.resume_path is not None,
            "stage": STAGE_LABELS[application.stage],
        },
        "later_submissions": [
            {"received_at": later.received_at.isoformat(timespec="seconds"), "name": later.name,
             "phone": later.phone, "why_medical_home": later.why_medical_home,
             "resume_uploaded": later.resume_path is not None}
            for later in resubmissions
        ],
        "stages": [
            {"at": change.at.isoformat(timespec="seconds"), "stage": STAGE_LABELS[change.to_stage]}
            for change in application.stage_changes
        ],
        "emails": [
            {"written_at": message.created_at.isoformat(timespec="seconds"), "subject": message.subject,
             "delivery": message.status.value}
            for message in candidate_messages.sent_for(application)
        ],
        "retention": (f"If you are not hired, your personal details are removed "
                      f"{current_app.config['CANDIDATE_RETENTION_DAYS']} days after the last change to this "
                      "application; the stages and interview scores stay, without your name."),
    }
