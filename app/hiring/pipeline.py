"""The applicant pipeline: a posting's applications by stage, one candidate's page, and moving them."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app import mail
from app.access import role_required
from app.actions import carry_out
from app.extensions import db
from app.hiring import bp, one_off_messages, scheduling
from app.hiring import pipeline_services as services
from app.hiring.message_forms import CandidateMessageForm
from app.hiring.offers import offer_summary
from app.hiring.pipeline_services import REASON_REQUIRED, STAGE_LABELS, StageError
from app.hiring.posting_forms import MoveForm
from app.hiring.posting_services import status_label
from app.models import Application, ApplicationResubmission, Posting, Role, Stage

log = logging.getLogger(__name__)
HIRING = (Role.HR, Role.ADMIN)
LABELS = {"stages": STAGE_LABELS, "status_label": status_label, "reason_required": REASON_REQUIRED}


@bp.get("/postings/<int:posting_id>/pipeline")
@role_required(*HIRING)
def pipeline(posting_id: int):
    """Every application to a posting, grouped by stage with a count per stage."""
    posting = db.get_or_404(Posting, posting_id)
    applications = db.session.scalars(
        select(Application).where(Application.posting_id == posting.id, Application.archived_at.is_(None))
        .order_by(Application.updated_at.desc(), Application.id.desc())
    ).all()
    return render_template("hiring/pipeline/pipeline.html", posting=posting, groups=services.by_stage(applications),
                           total=len(applications), **LABELS)


@bp.get("/applications/<int:application_id>")
@role_required(*HIRING)
def candidate(application_id: int):
    """One application: the candidate's answers, résumé, later unverified submissions, the
    timeline of stage changes and e-mails to the candidate, and the form that moves them."""
    application = db.get_or_404(Application, application_id)
    return _candidate_page(application, MoveForm())


def _candidate_page(application: Application, form: MoveForm):
    resubmissions = db.session.scalars(
        select(ApplicationResubmission).where(ApplicationResubmission.application_id == application.id)
        .order_by(ApplicationResubmission.id)
    ).all()
    form.to_stage.choices = [choice for choice in form.to_stage.choices
                             if choice[0] not in (application.stage.value, Stage.HIRED.value)]
    return render_template(
        "hiring/pipeline/candidate.html", application=application, posting=application.posting,
        resubmissions=resubmissions, form=form, timeline=one_off_messages.timeline(application),
        message_form=CandidateMessageForm(formdata=None), offers=offer_summary(application),
        schedule=scheduling.interviews_of(application), hire_path=services.hire_path(application),
        can_move=application.stage is not Stage.HIRED and not application.archived and not application.posting.archived,
        **LABELS,
    )


@bp.post("/applications/<int:application_id>/move")
@role_required(*HIRING)
def move_application(application_id: int):
    """Move an application to another stage with a reason (required for rejected and withdrawn)."""
    application = db.get_or_404(Application, application_id)
    form = MoveForm()
    back = redirect(url_for(".candidate", application_id=application.id))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return back
    carry_out(lambda: services.move_stage(application, form.stage(), actor=current_user, reason=form.reason.data or ""),
              StageError, lambda _: f"{application.name} moved to {STAGE_LABELS[application.stage]}.")
    mail.deliver_committed()
    return back
