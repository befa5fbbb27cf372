"""HR's pages for an application's interview schedule: schedule one, change its time, place or panel, cancel it."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import mail
from app.access import role_required
from app.extensions import db
from app.forms import AppForm
from app.hiring import bp, scheduling
from app.hiring.invitations import when
from app.hiring.schedule_forms import ScheduleForm
from app.hiring.scheduling import ScheduleError
from app.models import Application, Interview, Role
from app.timezones import local_label, zone

SCHEDULERS = (Role.HR, Role.ADMIN)


@bp.app_template_filter("site_time")
def site_time(instant: datetime, zone_name: str) -> str:
    """A stored UTC time as the site's wall-clock time with the zone's abbreviation."""
    return local_label(instant, zone_name)


def _zone_note(zone_name: str) -> str:
    return f"Times are in the site's time zone, {zone_name} ({datetime.now(zone(zone_name)):%Z} today)."


def _back(application: Application):
    return redirect(url_for(".candidate", application_id=application.id))


def _saved(action, success: str) -> bool:
    """Carry out the scheduling action: commit and send the invitations, or roll back and say why."""
    try:
        action()
    except ScheduleError as problem:
        db.session.rollback()
        flash(str(problem), "danger")
        return False
    db.session.commit()
    flash(success, "success")
    mail.deliver_committed()
    return True


@bp.route("/applications/<int:application_id>/schedule", methods=["GET", "POST"])
@role_required(*SCHEDULERS)
def schedule_interview(application_id: int):
    """Schedule an interview of this application: time at the site, length, place or link, panel."""
    application = db.get_or_404(Application, application_id)
    form = ScheduleForm()
    if form.validate_on_submit():
        name = application.name
        if _saved(lambda: scheduling.schedule_interview(application, form.slot(), actor=current_user),
                  f"Interview with {name} scheduled; the invitations are on their way."):
            return _back(application)
        application = db.get_or_404(Application, application_id)
    return render_template("hiring/schedule/form.html", form=form, application=application, interview=None,
                           zone_note=_zone_note(application.posting.site.time_zone))


@bp.route("/scheduled-interviews/<int:interview_id>", methods=["GET", "POST"])
@role_required(*SCHEDULERS)
def reschedule_interview(interview_id: int):
    """Change a scheduled interview; everyone gets the updated invitation, anyone taken off a cancellation."""
    interview = db.get_or_404(Interview, interview_id)
    if interview.cancelled:
        flash("This interview was cancelled; schedule a new one instead.", "warning")
        return redirect(url_for(".candidate", application_id=interview.application_id))
    form = ScheduleForm() if request.method == "POST" else ScheduleForm(
        data=ScheduleForm.data_for(interview, scheduling.panel_of(interview)))
    form.submit.label.text = "Save changes"
    if form.validate_on_submit():
        application_id = interview.application_id
        if _saved(lambda: scheduling.reschedule_interview(interview, form.slot(), actor=current_user),
                  "Interview changed; everyone has been sent the updated invitation."):
            return redirect(url_for(".candidate", application_id=application_id))
        interview = db.get_or_404(Interview, interview_id)
    return render_template("hiring/schedule/form.html", form=form, application=interview.application,
                           interview=interview, zone_note=_zone_note(interview.application.posting.site.time_zone))


@bp.route("/scheduled-interviews/<int:interview_id>/cancel", methods=["GET", "POST"])
@role_required(*SCHEDULERS)
def cancel_interview(interview_id: int):
    """Confirm, then cancel an interview: the candidate and panel are sent the calendar cancellation."""
    interview = db.get_or_404(Interview, interview_id)
    application = interview.application
    form = AppForm()
    if form.validate_on_submit():
        _saved(lambda: scheduling.cancel_interview(interview, actor=current_user),
               f"Interview with {application.name} cancelled; the candidate and panel have been told.")
        return redirect(url_for(".candidate", application_id=interview.application_id))
    return render_template(
        "hiring/schedule/cancel.html", form=form, title=f"Cancel the interview with {application.name}?",
        message=f"{when(interview)}. {application.name} and the panel will be sent a cancellation for their "
                "calendars. The interview stays on the application's record as cancelled.",
        back_url=url_for(".candidate", application_id=application.id))
