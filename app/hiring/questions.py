"""The interview question bank: filter and search it, write and edit questions, archive and restore them."""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import contains_eager

from app.access import role_required
from app.auth.forms import EmptyForm
from app.extensions import db
from app.forms import ignored_filters
from app.hiring import bank_services as services
from app.hiring import bp
from app.hiring.bank_forms import KIND_LABELS, QuestionFilterForm, QuestionForm
from app.models import KitItem, Posting, Question, Role, RoleFamily, Value

log = logging.getLogger(__name__)
AUTHORS = (Role.HR, Role.ADMIN)


def _suits(family: RoleFamily):
    """Questions for every role (an empty list) or naming the family; role_families is a JSON list."""
    families = cast(Question.role_families, String)
    return or_(families == "[]", families.like(f'%"{family.value}"%'))


def _question_query(filters: dict):
    query = (select(Question).join(Value, Value.id == Question.value_id).options(contains_eager(Question.value))
             .order_by(Value.position, Value.name, Question.kind, Question.id))
    if filters["status"] == "active":
        query = query.where(Question.archived_at.is_(None))
    elif filters["status"] == "archived":
        query = query.where(Question.archived_at.is_not(None))
    if filters["value_id"]:
        query = query.where(Question.value_id == filters["value_id"])
    if filters["kind"]:
        query = query.where(Question.kind == filters["kind"])
    if filters["role_family"]:
        query = query.where(_suits(filters["role_family"]))
    if filters["q"]:
        query = query.where(func.lower(Question.text).contains(filters["q"].lower(), autoescape=True))
    return query


@bp.get("/questions")
@role_required(*AUTHORS)
def questions():
    """The question bank, filtered by value, role family, kind and text; archived questions on request."""
    filter_form = QuestionFilterForm(request.args)
    filters = filter_form.filters()
    for problem in ignored_filters(filter_form):
        flash(problem, "warning")
    page = db.paginate(_question_query(filters), per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    filtered = any(filters[name] for name in ("q", "value_id", "role_family", "kind")) or filters["status"] != "active"
    return render_template("hiring/questions/index.html", page=page, filter_form=filter_form, filtered=filtered,
                           kinds=KIND_LABELS, action_form=EmptyForm())


@bp.route("/questions/new", methods=["GET", "POST"])
@role_required(*AUTHORS)
def new_question():
    """Write a question for the bank."""
    form = QuestionForm(question=None)
    if form.validate_on_submit():
        try:
            question = services.save_question(None, actor=current_user, **form.question_fields())
        except services.QuestionError as problem:
            form.text.errors.extend(problem.problems)
        else:
            db.session.commit()
            log.info("question %s created by user %s", question.id, current_user.id)
            flash("Question added to the bank.", "success")
            return redirect(url_for(".question", question_id=question.id))
    return render_template("hiring/questions/form.html", form=form, question=None, kinds=KIND_LABELS)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(*AUTHORS)
def question(question_id: int):
    """Edit a question; an archived one is shown read-only with a Restore button."""
    subject = db.get_or_404(Question, question_id)
    form = QuestionForm(question=subject, data=None if request.method == "POST" else QuestionForm.data_for(subject))
    if form.is_submitted() and subject.archived:
        flash("This question is archived; restore it before changing it.", "warning")
        return redirect(url_for(".question", question_id=subject.id))
    if form.validate_on_submit():
        try:
            services.save_question(subject, actor=current_user, **form.question_fields())
        except services.QuestionError as problem:
            form.text.errors.extend(problem.problems)
        else:
            db.session.commit()
            flash("Question saved.", "success")
            return redirect(url_for(".question", question_id=subject.id))
    kits = db.session.scalar(select(func.count()).select_from(KitItem).where(KitItem.question_id == subject.id))
    return render_template("hiring/questions/form.html", form=form, question=subject, kits=kits, kinds=KIND_LABELS,
                           action_form=EmptyForm())


@bp.route("/questions/<int:question_id>/archive", methods=["GET", "POST"])
@role_required(*AUTHORS)
def archive_question(question_id: int):
    """Confirm, then archive a question; interview kits that use it keep it."""
    subject = db.get_or_404(Question, question_id)
    if subject.archived:
        flash("That question is already archived.", "info")
        return redirect(url_for(".question", question_id=subject.id))
    form = EmptyForm()
    if form.validate_on_submit():
        services.archive_question(subject, actor=current_user)
        db.session.commit()
        flash("Question archived. It no longer appears in the bank; kits that use it keep it.", "success")
        return redirect(url_for(".questions"))
    kits = db.session.scalar(select(func.count(func.distinct(KitItem.posting_id))).join(Posting)
                             .where(KitItem.question_id == subject.id))
    used = (f" It is in the interview kit of {kits} posting{'s' if kits != 1 else ''}, which keep it."
            if kits else "")
    return render_template("admin/confirm.html", form=form, title="Archive this question?",
                           message=f"“{subject.text}” leaves the question bank, so it is no longer offered for new "
                                   f"interview kits.{used} You can restore it later.",
                           confirm_label="Archive question", cancel_url=url_for(".question", question_id=subject.id))


@bp.post("/questions/<int:question_id>/restore")
@role_required(*AUTHORS)
def restore_question(question_id: int):
    """Put an archived question back in the bank."""
    subject = db.get_or_404(Question, question_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        flash("That did not work; reload the page and try again.", "danger")
    elif not subject.archived:
        flash("That question is already in the bank.", "info")
    else:
        services.restore_question(subject, actor=current_user)
        db.session.commit()
        flash("Question restored to the bank.", "success")
    return redirect(url_for(".question", question_id=subject.id))
