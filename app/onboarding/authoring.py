"""HR authoring of onboarding tracks and modules, and assigning tracks to people."""

from __future__ import annotations

import logging
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app.access import role_required
from app.actions import carry_out
from app.auth.forms import EmptyForm
from app.extensions import db
from app.models import Assignment, Module, Progress, Role, Track, User
from app.onboarding import bp, catalog, services
from app.onboarding.authoring_forms import KIND_LABELS, METHOD_LABELS, AssignForm, ModuleForm, MoveForm, TrackForm
from app.onboarding.services import DONE, OnboardingError

log = logging.getLogger(__name__)
AUTHORS = (Role.HR, Role.ADMIN)
LABELS = {"kinds": KIND_LABELS, "methods": METHOD_LABELS}


# Reading --------------------------------------------------------------------------------------
def _active_module(module_id: int) -> Module:
    module = db.get_or_404(Module, module_id)
    if module.archived or module.track.archived:
        abort(404)
    return module


def _people_on(track_ids) -> dict[int, int]:
    """Active people currently assigned, per track."""
    return dict(db.session.execute(
        select(Assignment.track_id, func.count()).join(User, User.id == Assignment.employee_id)
        .where(Assignment.track_id.in_(track_ids), Assignment.unassigned_at.is_(None), User.active)
        .group_by(Assignment.track_id)
    ).all())


def _track_page(track: Track, form: TrackForm | None = None, assign_form: AssignForm | None = None):
    assign_form = assign_form or AssignForm()
    return render_template(
        "onboarding/authoring/track.html", track=track, form=form or TrackForm(data=TrackForm.data_for(track)),
        assign_form=assign_form, modules=track.modules, people=_people_on([track.id]).get(track.id, 0),
        move_form=MoveForm(), **LABELS,
    )


# Tracks ---------------------------------------------------------------------------------------
@bp.get("/tracks")
@role_required(*AUTHORS)
def tracks():
    """Every track with its active modules and the people on it; archived tracks listed apart."""
    rows = db.session.scalars(select(Track).order_by(Track.name)).all()
    modules = dict(db.session.execute(
        select(Module.track_id, func.count()).where(Module.archived_at.is_(None)).group_by(Module.track_id)
    ).all())
    return render_template("onboarding/authoring/tracks.html", active=[t for t in rows if not t.archived],
                           archived=[t for t in rows if t.archived], modules=modules,
                           people=_people_on([t.id for t in rows]), **LABELS)


@bp.route("/tracks/new", methods=["GET", "POST"])
@role_required(*AUTHORS)
def new_track():
    """Create a track; modules are added on its page."""
    form = TrackForm()
    if form.validate_on_submit():
        try:
            track = catalog.save_track(None, actor=current_user, **form.track_fields())
        except OnboardingError as problem:
            form.name.errors.append(str(problem))
        else:
            db.session.commit()
            flash(f"{track.name} created. Add its modules next.", "success")
            return redirect(url_for(".track", track_id=track.id))
    return render_template("onboarding/authoring/track.html", track=None, form=form, **LABELS)


@bp.route("/tracks/<int:track_id>", methods=["GET", "POST"])
@role_required(*AUTHORS)
def track(track_id: int):
    """A track: its details, its modules in order, and the form that assigns it."""
    subject = db.get_or_404(Track, track_id)
    form = TrackForm(data=None if request.method == "POST" else TrackForm.data_for(subject))
    if form.validate_on_submit():
        if subject.archived:
            flash(f"{subject.name} is archived and cannot be changed.", "warning")
            return redirect(url_for(".track", track_id=subject.id))
        try:
            catalog.save_track(subject, actor=current_user, **form.track_fields())
        except OnboardingError as problem:
            form.name.errors.append(str(problem))
        else:
            db.session.commit()
            flash(f"{subject.name} saved.", "success")
            return redirect(url_for(".track", track_id=subject.id))
    return _track_page(subject, form=form)


@bp.route("/tracks/<int:track_id>/archive", methods=["GET", "POST"])
@role_required(*AUTHORS)
def archive_track(track_id: int):
    """Confirm, then archive a track; nothing is deleted."""
    subject = db.get_or_404(Track, track_id)
    if subject.archived:
        flash(f"{subject.name} is already archived.", "info")
        return redirect(url_for(".track", track_id=subject.id))
    form = EmptyForm()
    if form.validate_on_submit():
        catalog.archive(subject, actor=current_user)
        db.session.commit()
        flash(f"{subject.name} is archived.", "success")
        return redirect(url_for(".tracks"))
    return render_template("admin/confirm.html", form=form, title=f"Archive {subject.name}?",
                           message="It will no longer be assigned to new hires or by HR. People already on it "
                                   "keep it, with their progress and completions.",
                           confirm_label="Archive track", cancel_url=url_for(".track", track_id=subject.id))


@bp.post("/tracks/<int:track_id>/assign")
@role_required(*AUTHORS)
def assign_track(track_id: int):
    """Assign the track to everyone in a role family, everyone at a site, or the people listed."""
    subject = db.get_or_404(Track, track_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _track_page(subject, assign_form=form)
    people = form.people
    name = subject.name

    def assigned(count: int) -> str:
        log.info("track %s assigned to %s more people by user %s", track_id, count, current_user.id)
        already = len(people) - count
        return (f"{count} {'person' if count == 1 else 'people'} assigned to {name}."
                + (f" {already} already had it." if already else ""))

    carry_out(lambda: services.bulk_assign(subject, people, actor=current_user, today=date.today()),
              OnboardingError, assigned)
    return redirect(url_for(".track", track_id=subject.id))


# People on a track ----------------------------------------------------------------------------
@bp.get("/tracks/<int:track_id>/people")
@role_required(*AUTHORS)
def track_people(track_id: int):
    """Who is on the track, with their progress on it; people unassigned earlier are listed last."""
    subject = db.get_or_404(Track, track_id)
    query = (select(Assignment).options(selectinload(Assignment.employee).selectinload(User.site))
             .join(User, User.id == Assignment.employee_id).where(Assignment.track_id == subject.id)
             .order_by(Assignment.unassigned_at.is_not(None), User.name, Assignment.id))
    page = db.paginate(query, per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    counts = {employee_id: (done, total) for employee_id, done, total in db.session.execute(
        select(Progress.employee_id, func.sum(case((Progress.status.in_(DONE), 1), else_=0)), func.count())
        .join(Module, Module.id == Progress.module_id)
        .where(Module.track_id == subject.id, Module.archived_at.is_(None),
               Progress.employee_id.in_([a.employee_id for a in page.items]))
        .group_by(Progress.employee_id)
    )}
    return render_template("onboarding/authoring/people.html", track=subject, page=page, counts=counts)


@bp.route("/assignments/<int:assignment_id>/unassign", methods=["GET", "POST"])
@role_required(*AUTHORS)
def unassign(assignment_id: int):
    """Confirm, then take a track off someone's plan; their progress and completions stay."""
    assignment = db.get_or_404(Assignment, assignment_id)
    back = url_for(".track_people", track_id=assignment.track_id)
    name, track_name = assignment.employee.name, assignment.track.name
    form = EmptyForm()
    if form.validate_on_submit():
        carry_out(lambda: services.unassign(assignment, actor=current_user), OnboardingError,
                  f"{track_name} is off {name}'s plan. Their progress is kept.", refused_category="warning")
        return redirect(back)
    if assignment.unassigned_at is not None:
        flash(f"{track_name} is already unassigned from {name}.", "info")
        return redirect(back)
    return render_template("admin/confirm.html", form=form, title=f"Unassign {track_name} from {name}?",
                           message="It leaves their onboarding plan. Their progress and completions stay on "
                                   "record, and assigning the track again brings them back.",
                           confirm_label="Unassign", cancel_url=back)


# Modules --------------------------------------------------------------------------------------
def _module_page(form: ModuleForm, track: Track, module: Module | None):
    return render_template("onboarding/authoring/module_form.html", form=form, track=track, module=module,
                           preview=form.preview.data)


@bp.route("/tracks/<int:track_id>/modules/new", methods=["GET", "POST"])
@role_required(*AUTHORS)
def new_module(track_id: int):
    """Write a module and add it at the end of the track; everyone on the track gets it."""
    subject = db.get_or_404(Track, track_id)
    if subject.archived:
        abort(404)
    form = ModuleForm(module=None)
    if form.is_submitted() and form.preview.data:
        form.validate()  # show problems alongside the preview, save nothing
    elif form.validate_on_submit():
        module = Module()
        catalog.save_module(module, actor=current_user, fields=form.module_fields(), value_ids=form.values.data)
        services.add_module(subject, module, actor=current_user, today=date.today())
        catalog.replace_quiz_items(module, form.quiz_items, actor=current_user)
        reached = db.session.scalar(select(func.count()).where(Progress.module_id == module.id))
        db.session.commit()
        flash(f"{module.title} added to {subject.name}"
              + (f" and to the plans of {reached} people on the track." if reached else "."), "success")
        return redirect(url_for(".track", track_id=subject.id, _anchor=f"module-{module.id}"))
    return _module_page(form, subject, None)


@bp.route("/modules/<int:module_id>/edit", methods=["GET", "POST"])
@role_required(*AUTHORS)
def edit_module(module_id: int):
    """Edit a module; a material change publishes a new version and may reopen earlier completions."""
    module = _active_module(module_id)
    form = ModuleForm(module=module, data=None if request.method == "POST" else ModuleForm.data_for(module))
    if form.is_submitted() and form.preview.data:
        form.validate()
    elif form.validate_on_submit():
        catalog.save_module(module, actor=current_user, fields=form.module_fields(), value_ids=form.values.data)
        catalog.replace_quiz_items(module, form.quiz_items, actor=current_user)
        message = f"{module.title} saved."
        if form.material.data:
            reopened = services.publish_new_version(module, actor=current_user, today=date.today(),
                                                    require_recompletion=form.recomplete.data)
            message = f"{module.title} is now version {module.version}. " + (
                f"{reopened} {'person' if reopened == 1 else 'people'} must complete it again."
                if form.recomplete.data else "Earlier completions still count.")
        db.session.commit()
        flash(message, "success")
        return redirect(url_for(".track", track_id=module.track_id, _anchor=f"module-{module.id}"))
    return _module_page(form, module.track, module)


@bp.post("/modules/<int:module_id>/move")
@role_required(*AUTHORS)
def move_module(module_id: int):
    """Swap a module with the one above or below it."""
    module = _active_module(module_id)
    form = MoveForm()
    if form.validate_on_submit():
        before = module.position
        services.move_module(module, -1 if form.direction.data == "up" else 1, actor=current_user)
        db.session.commit()
        if module.position == before:  # the service does nothing at either end of the list
            flash(f"{module.title} is already {'first' if form.direction.data == 'up' else 'last'}.", "info")
        else:
            flash(f"Moved {module.title} {form.direction.data}.", "success")
    else:
        flash("Choose Move up or Move down.", "danger")
    return redirect(url_for(".track", track_id=module.track_id, _anchor=f"module-{module.id}"))


@bp.route("/modules/<int:module_id>/archive", methods=["GET", "POST"])
@role_required(*AUTHORS)
def archive_module(module_id: int):
    """Confirm, then archive a module; completions stay on transcripts."""
    module = _active_module(module_id)
    back = url_for(".track", track_id=module.track_id)
    form = EmptyForm()
    if form.validate_on_submit():
        catalog.archive(module, actor=current_user)
        db.session.commit()
        flash(f"{module.title} is archived.", "success")
        return redirect(back)
    return render_template("admin/confirm.html", form=form, title=f"Archive {module.title}?",
                           message="It leaves the track and everyone's onboarding plan. Completions already "
                                   "made stay on transcripts.",
                           confirm_label="Archive module", cancel_url=url_for(".edit_module", module_id=module.id))
