"""HR's postings: the list, creating one from a role template, editing, the interview kit, open/close/archive."""

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
from app.forms import MAX_ID
from app.hiring import bp
from app.hiring import posting_services as services
from app.hiring.pipeline_services import STAGE_LABELS
from app.hiring.posting_forms import AddQuestionForm, MoveKitItemForm, OpenPostingForm, PostingForm
from app.hiring.posting_services import CoverageGap, PostingError
from app.models import (
    Application,
    Criterion,
    KitItem,
    Posting,
    PostingStatus,
    Question,
    QuestionKind,
    Role,
    RoleFamily,
    Rubric,
    Site,
    Stage,
)

log = logging.getLogger(__name__)
HIRING = (Role.HR, Role.ADMIN)
FILTERS = ("draft", "open", "closed", "archived")
ACTIVE_STAGES = (Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER)
LABELS = {"stages": STAGE_LABELS, "status_label": services.status_label}


def _posting(posting_id: int) -> Posting:
    """A posting with its rubric, criteria, values and kit loaded in a fixed number of queries."""
    posting = db.session.scalar(select(Posting).where(Posting.id == posting_id).options(
        selectinload(Posting.site),
        selectinload(Posting.rubric).selectinload(Rubric.criteria).selectinload(Criterion.value),
        selectinload(Posting.kit).selectinload(KitItem.question).selectinload(Question.value),
    ))
    if posting is None:
        abort(404)
    return posting


def _back(posting_id: int, anchor: str = "kit", opened: int | None = None):
    """Back to the kit on the posting page, keeping the bank's kind filter (and one value's list open)."""
    kind = request.args.get("kind")
    return redirect(url_for(".posting", posting_id=posting_id, kind=kind or None, open=opened, _anchor=anchor))


# The list and a new posting --------------------------------------------------------------------
@bp.get("/postings")
@role_required(*HIRING)
def postings():
    """Postings by status and site, with how many people applied and how many are still in the pipeline."""
    status, site_id = request.args.get("status", ""), request.args.get("site", type=int)
    if site_id is not None and not 0 < site_id <= MAX_ID:
        site_id = None  # no site has that id: show every site
    query = select(Posting).options(selectinload(Posting.site)).order_by(Posting.created_at.desc(), Posting.id.desc())
    if status == "archived":
        query = query.where(Posting.archived_at.is_not(None))
    else:
        query = query.where(Posting.archived_at.is_(None))
        if status in FILTERS:
            query = query.where(Posting.status == PostingStatus(status))
    if site_id:
        query = query.where(Posting.site_id == site_id)
    page = db.paginate(query, per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    counts = {posting_id: (total, active or 0) for posting_id, total, active in db.session.execute(
        select(Application.posting_id, func.count(),
               func.sum(case((Application.stage.in_(ACTIVE_STAGES), 1), else_=0)))
        .where(Application.posting_id.in_([p.id for p in page.items]), Application.archived_at.is_(None))
        .group_by(Application.posting_id)
    )}
    sites = db.session.scalars(select(Site).order_by(Site.name)).all()
    return render_template("hiring/postings/index.html", page=page, counts=counts, sites=sites, status=status,
                           site_id=site_id, filters=FILTERS, **LABELS)


@bp.route("/postings/new", methods=["GET", "POST"])
@role_required(*HIRING)
def new_posting():
    """Create a draft posting from a role family's template rubric and suggested kit."""
    form = PostingForm()
    templates = db.session.scalars(select(Rubric).options(selectinload(Rubric.criteria).selectinload(Criterion.value))
                                   .where(Rubric.is_template, Rubric.archived_at.is_(None))
                                   .order_by(Rubric.role_family, Rubric.version)).all()
    by_family = {t.role_family: t for t in templates}
    family = request.args.get("role_family")
    if request.method == "GET" and family in {f.value for f in by_family}:
        form.role_family.data, form.title.data = family, by_family[RoleFamily(family)].name
    if form.validate_on_submit():
        try:
            posting = services.create_posting(actor=current_user, role_family=RoleFamily(form.role_family.data),
                                              today=date.today(), **form.fields())
        except PostingError as problem:
            flash(str(problem), "danger")
        else:
            db.session.commit()
            flash(f"{posting.title} created as a draft with {len(posting.kit)} questions from the "
                  f"{posting.role_family.label} template. Check the kit's value coverage, then open it.", "success")
            return redirect(url_for(".posting", posting_id=posting.id))
    return render_template("hiring/postings/new.html", form=form, templates=by_family)


# One posting, its kit and coverage -------------------------------------------------------------
def _posting_page(posting: Posting, form: PostingForm, open_form: OpenPostingForm | None = None):
    kind = request.args.get("kind")
    kind = QuestionKind(kind) if kind in {k.value for k in QuestionKind} else None
    lines = services.coverage(posting)
    numbers = {item.question_id: index for index, item in enumerate(posting.kit, start=1)}
    editable = not posting.archived and posting.status in services.KIT_EDITABLE
    candidates = services.kit_candidates(posting, kind) if editable else []
    values = list(dict.fromkeys(line.criterion.value for line in lines))
    bank = [(value, [q for q in candidates if q.value_id == value.id]) for value in values]
    stage_counts = dict(db.session.execute(
        select(Application.stage, func.count()).where(Application.posting_id == posting.id,
                                                      Application.archived_at.is_(None))
        .group_by(Application.stage)).all())
    return render_template(
        "hiring/postings/posting.html", posting=posting, form=form, open_form=open_form or OpenPostingForm(),
        lines=lines, gaps=[line.criterion for line in lines if not line.assessed], numbers=numbers,
        bank=bank, kind=kind, kinds=list(QuestionKind), stage_counts=stage_counts, kit_editable=editable,
        opened=request.args.get("open", type=int), **LABELS,
    )


@bp.route("/postings/<int:posting_id>", methods=["GET", "POST"])
@role_required(*HIRING)
def posting(posting_id: int):
    """A posting: its details, status and actions, the interview kit and the value coverage panel."""
    subject = _posting(posting_id)
    form = PostingForm(posting=subject, data=None if request.method == "POST" else PostingForm.data_for(subject))
    if form.validate_on_submit():
        carry_out(lambda: services.update_posting(subject, actor=current_user, today=date.today(), **form.fields()),
                  PostingError, lambda _: f"{subject.title} saved.")
        return redirect(url_for(".posting", posting_id=posting_id))
    return _posting_page(subject, form)


@bp.post("/postings/<int:posting_id>/kit")
@role_required(*HIRING)
def add_to_kit(posting_id: int):
    """Add a question from the bank to the end of the kit."""
    subject = db.get_or_404(Posting, posting_id)
    form = AddQuestionForm()
    question = db.session.get(Question, form.question_id.data) if form.validate_on_submit() else None
    if question is None:
        flash("Choose a question from the bank to add.", "danger")
        return _back(posting_id, "add-questions")
    value_name = question.value.name
    carry_out(lambda: services.add_to_kit(subject, question, actor=current_user), PostingError,
              lambda _: f"Added to the kit as question {len(subject.kit)} ({value_name}).")
    return _back(posting_id, f"bank-value-{question.value_id}", opened=question.value_id)


@bp.post("/kit-items/<int:kit_item_id>/remove")
@role_required(*HIRING)
def remove_from_kit(kit_item_id: int):
    """Take a question out of the kit; the rest close up."""
    item = db.get_or_404(KitItem, kit_item_id)
    posting_id, value = item.posting_id, item.question.value.name
    carry_out(lambda: services.remove_from_kit(item, actor=current_user), PostingError,
              f"Removed a question on {value} from the kit.")
    return _back(posting_id)


@bp.post("/kit-items/<int:kit_item_id>/move")
@role_required(*HIRING)
def move_kit_item(kit_item_id: int):
    """Swap a kit question with the one above or below it."""
    item = db.get_or_404(KitItem, kit_item_id)
    posting_id, form = item.posting_id, MoveKitItemForm()
    if not form.validate_on_submit():
        flash("Choose Move up or Move down.", "danger")
        return _back(posting_id)
    try:
        moved = services.move_kit_item(item, -1 if form.direction.data == "up" else 1, actor=current_user)
    except PostingError as problem:
        flash(str(problem), "danger")
    else:
        db.session.commit()
        where = "first" if form.direction.data == "up" else "last"
        flash(f"Moved question {form.direction.data}." if moved else f"That question is already {where}.",
              "success" if moved else "info")
    return _back(posting_id)


# Status ----------------------------------------------------------------------------------------
@bp.post("/postings/<int:posting_id>/open")
@role_required(*HIRING)
def open_posting(posting_id: int):
    """Open a draft or closed posting; values not assessed need a reason."""
    subject = _posting(posting_id)
    form = OpenPostingForm()
    if not form.validate_on_submit():
        return _posting_page(subject, PostingForm(posting=subject, data=PostingForm.data_for(subject)), form)
    try:
        services.open_posting(subject, actor=current_user, override_reason=form.reason.data)
    except CoverageGap as gap:
        flash(str(gap), "warning")
    except PostingError as problem:
        flash(str(problem), "danger")
    else:
        db.session.commit()
        flash(f"{subject.title} is open for applications"
              + (", with values not assessed; your reason is on record." if subject.coverage_override_reason
                 else "."), "success")
    return redirect(url_for(".posting", posting_id=posting_id))


@bp.post("/postings/<int:posting_id>/close")
@role_required(*HIRING)
def close_posting(posting_id: int):
    """Stop taking applications; people already in the pipeline carry on."""
    subject = db.get_or_404(Posting, posting_id)
    carry_out(lambda: services.close_posting(subject, actor=current_user), PostingError,
              f"{subject.title} is closed to new applications. Its pipeline carries on.")
    return redirect(url_for(".posting", posting_id=posting_id))


@bp.route("/postings/<int:posting_id>/archive", methods=["GET", "POST"])
@role_required(*HIRING)
def archive_posting(posting_id: int):
    """Confirm, then archive a draft or closed posting; its applications stay on record."""
    subject = db.get_or_404(Posting, posting_id)
    back = url_for(".posting", posting_id=subject.id)
    form = EmptyForm()
    if form.validate_on_submit():
        archived = carry_out(lambda: services.archive_posting(subject, actor=current_user), PostingError,
                             f"{subject.title} is archived.")
        return redirect(url_for(".postings") if archived else back)
    if subject.archived or subject.status is PostingStatus.OPEN:
        flash(f"{subject.title} is already archived." if subject.archived else
              f"{subject.title} is open; close it before archiving.", "info")
        return redirect(back)
    return render_template("admin/confirm.html", form=form, title=f"Archive {subject.title}?",
                           message="It leaves the postings list and can no longer be opened. Its applications, "
                                   "stage history and scorecards stay on record.",
                           confirm_label="Archive posting", cancel_url=back)
