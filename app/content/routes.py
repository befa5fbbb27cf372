"""The content browser: how each medical-home value flows from hiring into training."""

from __future__ import annotations

from collections import defaultdict

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.access import role_required
from app.content import bp
from app.content.forms import ValueForm
from app.content.services import update_value
from app.extensions import db
from app.models import Criterion, Module, Question, Reference, Role, Rubric, Track, Value, module_value


def _active_values() -> list[Value]:
    return db.session.scalars(select(Value).where(Value.archived_at.is_(None)).order_by(Value.position)).all()


def _count_by_value(query) -> dict[int, int]:
    return dict(db.session.execute(query).all())


@bp.get("/")
@login_required
def index():
    """Every value with how many questions, rubric criteria and modules carry it."""
    values = _active_values()
    questions = _count_by_value(
        select(Question.value_id, func.count()).where(Question.archived_at.is_(None)).group_by(Question.value_id)
    )
    criteria = _count_by_value(
        select(Criterion.value_id, func.count()).join(Rubric, Criterion.rubric_id == Rubric.id)
        .where(Rubric.is_template, Rubric.archived_at.is_(None), Criterion.archived_at.is_(None))
        .group_by(Criterion.value_id)
    )
    modules = _count_by_value(
        select(module_value.c.value_id, func.count()).join(Module, Module.id == module_value.c.module_id)
        .where(Module.archived_at.is_(None)).group_by(module_value.c.value_id)
    )
    return render_template("content/index.html", values=values, questions=questions, criteria=criteria,
                           modules=modules)


@bp.get("/values/<key>")
@login_required
def value(key: str):
    """One value: its behaviors, the questions that assess it, rubric criteria and modules."""
    subject = db.first_or_404(select(Value).where(Value.key == key, Value.archived_at.is_(None)))
    questions = db.session.scalars(
        select(Question).where(Question.value_id == subject.id, Question.archived_at.is_(None)).order_by(Question.kind, Question.id)
    ).all()
    criteria = db.session.scalars(
        select(Criterion).options(selectinload(Criterion.rubric))
        .join(Rubric, Criterion.rubric_id == Rubric.id)
        .where(Criterion.value_id == subject.id, Criterion.archived_at.is_(None), Rubric.is_template,
               Rubric.archived_at.is_(None))
        .order_by(Rubric.name)
    ).all()
    modules = db.session.scalars(
        select(Module).options(selectinload(Module.track))
        .join(module_value, module_value.c.module_id == Module.id)
        .where(module_value.c.value_id == subject.id, Module.archived_at.is_(None))
        .order_by(Module.track_id, Module.position)
    ).all()
    modules_by_track: dict[Track, list[Module]] = defaultdict(list)
    for module in modules:
        modules_by_track[module.track].append(module)
    references = {
        ref.key: ref for ref in db.session.scalars(select(Reference).where(Reference.key.in_(subject.sources)))
    }
    return render_template("content/value.html", value=subject, questions=questions, criteria=criteria,
                           modules_by_track=modules_by_track, references=references,
                           can_edit=current_user.role in (Role.HR, Role.ADMIN))


@bp.route("/values/<key>/edit", methods=["GET", "POST"])
@role_required(Role.HR, Role.ADMIN)
def edit_value(key: str):
    """Edit a value's wording (HR and admins)."""
    subject = db.first_or_404(select(Value).where(Value.key == key, Value.archived_at.is_(None)))
    form = ValueForm(obj=subject)
    if not form.is_submitted():
        form.behaviors.data = "\n".join(subject.behaviors)
    if form.validate_on_submit():
        update_value(subject, name=form.name.data, summary=form.summary.data,
                     description=form.description.data, behaviors=form.behaviors.data.split("\n"))
        db.session.commit()
        flash(f"{subject.name} saved. Note: running flask seed again restores the shipped wording.", "success")
        return redirect(url_for(".value", key=subject.key))
    return render_template("content/value_form.html", form=form, value=subject)
