"""My onboarding, module pages, transcript, calendar feed, sign-off queue and open tasks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import role_required
from app.actions import carry_out
from app.auth.forms import EmptyForm
from app.credentials.warnings import own_credentials
from app.extensions import db, limiter
from app.models import Completion, Module, Progress, Rater, Role, User
from app.models.people import new_token
from app.onboarding import bp, check_in_pages, services
from app.onboarding.forms import AttestForm, SendBackForm


def _my_progress(module_id: int) -> Progress:
    """The signed-in user's progress on a module; 404 when it is not on their plan."""
    progress = db.session.scalar(
        select(Progress).where(Progress.employee_id == current_user.id, Progress.module_id == module_id)
    )
    if progress is None or progress.module.archived:
        abort(404)
    return progress


@bp.get("")
@login_required
def my_onboarding():
    """The signed-in employee's tracks, progress bars, next module and due badges."""
    plan, today = services.my_plan(current_user), date.today()
    return render_template("onboarding/my_onboarding.html", plan=plan, today=today, classify=services.classify,
                           check_ins=check_in_pages.lines_for(current_user, Rater.SELF, today),
                           own_credentials=own_credentials(current_user, today))


@bp.get("/modules/<int:module_id>")
@login_required
def module(module_id: int):
    """A module: its lesson, the values it builds, and the action its method asks for."""
    progress = _my_progress(module_id)
    return render_template("onboarding/module.html", progress=progress, module=progress.module,
                           attest_form=AttestForm(), action_form=EmptyForm(), result=None,
                           status=services.classify(progress.status, progress.due_date, date.today()))


def _act(module_id: int, action) -> Response:
    progress = _my_progress(module_id)
    carry_out(lambda: action(progress), services.OnboardingError, lambda message: message)
    return redirect(url_for(".module", module_id=module_id))


@bp.post("/modules/<int:module_id>/attest")
@login_required
def attest(module_id: int):
    """Complete a read-and-confirm module with an explicit confirmation."""
    form = AttestForm()
    if not form.validate_on_submit():
        abort(400)
    return _act(module_id, lambda p: services.attest(p, actor=current_user, confirmed=form.confirm.data)
                and f"{p.module.title} is complete." or f"{p.module.title} was already complete.")


@bp.post("/modules/<int:module_id>/quiz")
@login_required
def quiz(module_id: int):
    """Score a quiz attempt and show the result for each question."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    progress = _my_progress(module_id)
    try:
        # "items" lists the questions the page showed; the service refuses a stale set.
        answers = {int(item_id): [int(choice) for choice in request.form.getlist(f"item-{item_id}")]
                   for item_id in request.form.getlist("items")}
    except ValueError:
        abort(400)
    try:
        result = services.submit_quiz(progress, answers, actor=current_user)
    except services.OnboardingError as problem:
        db.session.rollback()
        flash(str(problem), "danger")
        return redirect(url_for(".module", module_id=module_id))
    db.session.commit()
    return render_template("onboarding/module.html", progress=progress, module=progress.module,
                           attest_form=AttestForm(), action_form=EmptyForm(), result=result,
                           status=services.classify(progress.status, progress.due_date, date.today()))


@bp.post("/modules/<int:module_id>/sign-off")
@login_required
def request_sign_off(module_id: int):
    """Ask the manager to observe this skill."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(module_id, lambda p: services.request_sign_off(p, actor=current_user)
                or "Your manager has been asked to sign this off.")


@bp.post("/progress/<int:progress_id>/task")
@login_required
def complete_task(progress_id: int):
    """Tick off a task the signed-in user is responsible for."""
    progress = db.get_or_404(Progress, progress_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not services.may_complete_task(current_user, progress):
        abort(403)
    carry_out(lambda: services.complete_task(progress, actor=current_user), services.OnboardingError,
              f"{progress.module.title} done for {progress.employee.name}.")
    return redirect(request.form.get("next") if request.form.get("next", "").startswith("/onboarding")
                    else url_for(".tasks"))


@bp.get("/tasks")
@login_required
def tasks():
    """Open onboarding tasks the signed-in user is responsible for."""
    return render_template("onboarding/tasks.html", items=services.open_tasks_for(current_user),
                           action_form=EmptyForm(), today=date.today())


@bp.get("/transcript")
@login_required
def transcript():
    """Every completion with its date and module version (printable)."""
    completions = db.session.scalars(
        select(Completion).options(selectinload(Completion.module).selectinload(Module.track))
        .where(Completion.employee_id == current_user.id).order_by(Completion.completed_at.desc())
    ).all()
    signers = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({c.signed_off_by_id for c in completions if c.signed_off_by_id}))
    )}
    return render_template("onboarding/transcript.html", completions=completions, signers=signers,
                           printed=datetime.now())


@bp.get("/calendar/<token>.ics")
@limiter.limit("60 per minute")
def calendar_feed(token: str):
    """Due dates and open check-ins (one's own and one's reports') as an iCalendar feed, reached by the user's
    unguessable token."""
    user = db.session.scalar(select(User).where(User.calendar_token == token, User.active))
    if user is None:
        abort(404)
    feed = Calendar()
    feed.add("prodid", "-//Medical Home Hiring & Onboarding//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "My onboarding due dates")
    for track in services.my_plan(user):
        for item in track.items:
            if item.status in services.DONE or item.due_date is None:
                continue
            event = Event()
            event.add("uid", f"progress-{item.id}@medical-home-onboarding")
            event.add("summary", f"Due: {item.module.title}")
            event.add("description", f"{track.assignment.track.name} · about {item.module.minutes} minutes")
            event.add("dtstart", item.due_date)
            event.add("dtend", item.due_date + timedelta(days=1))
            event.add("dtstamp", datetime.now())
            feed.add_component(event)
    from app.onboarding.check_ins import calendar_check_ins

    for check_in, employee in calendar_check_ins(user):
        event = Event()
        event.add("uid", f"check-in-{check_in.id}@medical-home-onboarding")
        if employee.id == user.id:
            event.add("summary", f"Day-{check_in.day} check-in")
            event.add("description", "Rate yourself on the values you were hired on, then meet with your manager.")
        else:
            event.add("summary", f"Check-in with {employee.name}")
            event.add("description", f"{employee.name}'s day-{check_in.day} check-in: give your ratings, then meet.")
        event.add("dtstart", check_in.due_date)
        event.add("dtend", check_in.due_date + timedelta(days=1))
        event.add("dtstamp", datetime.now())
        feed.add_component(event)
    from app.hiring.invitations import feed_events

    for event in feed_events(user):
        feed.add_component(event)
    return Response(feed.to_ical(), mimetype="text/calendar",
                    headers={"Content-Disposition": "attachment; filename=onboarding.ics"})


@bp.post("/calendar/reset")
@login_required
def reset_calendar():
    """Give the signed-in user a new calendar link; the old one stops working."""
    if EmptyForm().validate_on_submit():
        current_user.calendar_token = new_token()
        db.session.commit()
        flash("Your calendar link was reset. Subscribe again with the new link.", "success")
    return redirect(url_for(".my_onboarding"))


@bp.get("/sign-offs")
@role_required(Role.MANAGER, Role.HR, Role.ADMIN)
def sign_offs():
    """Sign-off requests from the signed-in manager's reports."""
    return render_template("onboarding/sign_offs.html", items=services.sign_off_queue(current_user),
                           action_form=EmptyForm(), send_back_form=SendBackForm(), today=date.today())


def _back_to_queue():
    """Return to the page the decision was made on (/team or the queue), never elsewhere."""
    target = request.form.get("next", "")
    if target.startswith(("/team", "/onboarding/sign-offs")) and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for(".sign_offs"))


def _sign_off_item(progress_id: int) -> Progress:
    progress = db.get_or_404(Progress, progress_id)
    if not services.may_sign_off(current_user, progress.employee):
        abort(403)
    return progress


@bp.post("/sign-offs/<int:progress_id>/approve")
@role_required(Role.MANAGER, Role.HR, Role.ADMIN)
def approve_sign_off(progress_id: int):
    """Approve: the skill was observed."""
    progress = _sign_off_item(progress_id)
    if EmptyForm().validate_on_submit():
        carry_out(lambda: services.approve_sign_off(progress, manager=current_user), services.OnboardingError,
                  f"Signed off {progress.module.title} for {progress.employee.name}.")
    return _back_to_queue()


@bp.post("/sign-offs/<int:progress_id>/send-back")
@role_required(Role.MANAGER, Role.HR, Role.ADMIN)
def send_back(progress_id: int):
    """Send back with a comment on what to work on."""
    progress = _sign_off_item(progress_id)
    form = SendBackForm()
    if not form.validate_on_submit():
        written = (form.comment.data or "").strip() and form.comment.errors
        flash(f"Comment: {' '.join(written)}" if written else
              "Write a comment saying what to work on before sending it back.", "danger")
        return _back_to_queue()
    carry_out(lambda: services.send_back(progress, manager=current_user, comment=form.comment.data),
              services.OnboardingError, f"Sent back to {progress.employee.name} with your comment.", category="info")
    return _back_to_queue()

