"""Hiring rubrics: the library of templates and rubrics, starting one from another, and the criteria editor."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.access import role_required
from app.extensions import db
from app.hiring import bank_services as services
from app.hiring import bp
from app.hiring.bank_forms import MAX_ROWS, NewRubricForm, RubricForm
from app.models import Posting, PostingStatus, Role, Rubric

log = logging.getLogger(__name__)
AUTHORS = (Role.HR, Role.ADMIN)


def _posting_counts(status: PostingStatus) -> dict[int, int]:
    return dict(db.session.execute(select(Posting.rubric_id, func.count()).where(Posting.status == status)
                                   .group_by(Posting.rubric_id)).all())


def _library() -> list[Rubric]:
    """Every rubric that is not archived, templates first, with criteria loaded in one more query."""
    return list(db.session.scalars(
        select(Rubric).options(selectinload(Rubric.criteria)).where(Rubric.archived_at.is_(None))
        .order_by(Rubric.is_template.desc(), Rubric.name, Rubric.version)))


@bp.get("/rubrics")
@role_required(*AUTHORS)
def rubrics():
    """Role-family templates, then the organization's rubrics with their versions and the postings using them."""
    rows = _library()
    superseded = dict(db.session.execute(select(Rubric.previous_id, func.max(Rubric.version))
                                         .where(Rubric.previous_id.is_not(None)).group_by(Rubric.previous_id)).all())
    return render_template("hiring/rubrics/index.html", templates=[r for r in rows if r.is_template],
                           others=[r for r in rows if not r.is_template], superseded=superseded,
                           open_counts=_posting_counts(PostingStatus.OPEN),
                           draft_counts=_posting_counts(PostingStatus.DRAFT))


@bp.route("/rubrics/new", methods=["GET", "POST"])
@role_required(*AUTHORS)
def new_rubric():
    """Start a rubric from a role-family template, or copy another rubric; its criteria come along."""
    sources = _library()
    by_id = {str(r.id): r for r in sources}
    chosen = request.args.get("from", "")
    if chosen and chosen not in by_id and request.method == "GET":
        flash("That template or rubric is not available to start from; choose another.", "warning")
        chosen = ""
    form = NewRubricForm(sources=sources, data={"source": chosen} if request.method == "GET" else None)
    if form.validate_on_submit():
        source = by_id[form.source.data]
        rubric = services.copy_rubric(source, actor=current_user, name=form.name.data)
        db.session.commit()
        flash(f"{rubric.name} created from {'the ' + source.name + ' template' if source.is_template else source.name}"
              f" with its {len(rubric.criteria)} criteria. Adjust them below.", "success")
        return redirect(url_for(".rubric", rubric_id=rubric.id))
    source = by_id.get(form.source.data or "")
    return render_template("hiring/rubrics/new.html", form=form, source=source)


def _editor(rubric: Rubric, form: RubricForm, problem: services.RubricError | None = None):
    """The editor page; a refused save shows each criterion's problems beside its row."""
    kept = form.kept_indexes()
    row_errors = {kept[index]: found for index, found in problem.rows.items()} if problem else {}
    for index, marked in (problem.fields.items() if problem else ()):
        for name, message in marked.items():
            field = form.criteria[kept[index]].form[name]
            field.errors = [*field.errors, message]
    postings = list(db.session.scalars(select(Posting).where(Posting.rubric_id == rubric.id,
                                                             Posting.status != PostingStatus.CLOSED)
                                       .order_by(Posting.status, Posting.title)))
    return render_template(
        "hiring/rubrics/edit.html", rubric=rubric, form=form, total=form.weight_total(), summary=form.summary_rows(),
        problems=problem.general if problem else [], row_errors=row_errors,
        open_postings=[p for p in postings if p.status is PostingStatus.OPEN],
        draft_postings=[p for p in postings if p.status is PostingStatus.DRAFT],
        locked=services.is_locked(rubric), newer=services.newer_version(rubric),
        previous=db.session.get(Rubric, rubric.previous_id) if rubric.previous_id else None,
        max_rows=MAX_ROWS,
    )


def _versioned_message(old: Rubric, new: Rubric, open_titles: list[str], moved: int) -> str:
    if open_titles:
        names = ", ".join(open_titles)
        plural = len(open_titles) > 1
        message = (f"{old.name} is used by the open posting{'s' if plural else ''} {names}, so your changes were "
                   f"saved as a new version, version {new.version}. {names} keep{'' if plural else 's'} "
                   f"version {old.version}, so interviewers' scorecards do not change under them.")
    else:
        message = (f"Interview scorecards were rated against {old.name}, so your changes were saved as a new "
                   f"version, version {new.version}; those scorecards keep version {old.version}.")
    if moved:
        message += f" {moved} draft posting{'s' if moved != 1 else ''} now use{'s' if moved == 1 else ''} version {new.version}."
    return message


@bp.route("/rubrics/<int:rubric_id>", methods=["GET", "POST"])
@role_required(*AUTHORS)
def rubric(rubric_id: int):
    """Edit a rubric's name, description and weighted criteria; a rubric in use is saved as a new version."""
    subject = db.get_or_404(Rubric, rubric_id)
    form = RubricForm(rubric=subject, data=None if request.method == "POST" else RubricForm.data_for(subject))
    if not form.is_submitted():
        return _editor(subject, form)
    if subject.is_template or subject.archived or services.newer_version(subject):
        flash("This rubric cannot be changed here; see the note at the top of the page.", "warning")
        return redirect(url_for(".rubric", rubric_id=subject.id))
    if form.add_row.data:
        if not form.add_empty_row():  # saves nothing: the page comes back with one more empty row
            flash(f"The page holds at most {MAX_ROWS} criterion rows.", "info")
        return _editor(subject, form)
    if not form.validate_on_submit():
        return _editor(subject, form)
    criteria = form.criteria_dicts()
    if not services.rubric_changed(subject, form.name.data, form.description.data or "", criteria):
        flash("Nothing changed, so nothing was saved.", "info")
        return redirect(url_for(".rubric", rubric_id=subject.id))
    open_titles = [p.title for p in services.open_postings(subject)]
    try:
        saved = services.save_rubric(subject, actor=current_user, name=form.name.data,
                                     description=form.description.data or "", criteria=criteria)
    except services.RubricError as problem:
        return _editor(subject, form, problem)
    moved = db.session.scalar(select(func.count()).select_from(Posting).where(
        Posting.rubric_id == saved.id, Posting.status == PostingStatus.DRAFT)) if saved is not subject else 0
    db.session.commit()
    if saved is subject:
        flash(f"{saved.name} saved.", "success")
    else:
        flash(_versioned_message(subject, saved, open_titles, moved), "success")
    return redirect(url_for(".rubric", rubric_id=saved.id))

