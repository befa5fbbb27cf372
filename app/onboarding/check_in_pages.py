"""What the employee's and the manager's check-in pages share: who may open one, what each side sees
(the blind rule is the services' visible_ratings), and the rate and amend steps of both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, flash, redirect, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import CheckIn, CheckInRating, Rater, User
from app.onboarding import check_ins as services
from app.onboarding.check_in_forms import AssignModulesForm, rated_values, ratings_form
from app.onboarding.check_ins import CheckInError, RatingProblems
from app.onboarding.early_warnings import APART

STATUS_LABELS = {"done": "Done", "overdue": "Overdue", "due": "Due", "upcoming": "Upcoming"}
STATUS_TONES = {"done": "success", "overdue": "danger", "due": "warning", "upcoming": "secondary"}


@dataclass(frozen=True)
class Line:
    """A check-in in a list: its status, and whether the viewer's side is waiting for them."""

    check_in: CheckIn
    status: str
    to_rate: bool

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def tone(self) -> str:
        return STATUS_TONES[self.status]


def lines_for(employee: User, side: Rater, today: date) -> list[Line]:
    """The employee's current check-ins by date (one query), each marked when `side` may rate it now."""
    found = db.session.scalars(select(CheckIn).where(CheckIn.employee_id == employee.id, CheckIn.archived_at.is_(None))
                               .order_by(CheckIn.due_date, CheckIn.day))
    return [Line(c, services.status(c, today), services.open_to(c, side, today)) for c in found]


def viewable(check_in_id: int) -> tuple[CheckIn, Rater]:
    """The check-in and the viewer's side of it; 404 for anyone who may not see it, as for one that does not exist."""
    check_in = db.session.scalar(select(CheckIn).options(selectinload(CheckIn.employee))
                                 .where(CheckIn.id == check_in_id))
    side = services.rater_for(current_user, check_in) if check_in is not None else None
    if side is None:
        abort(404)
    return check_in, side


def _by_value(ratings: list[CheckInRating]) -> dict[int, CheckInRating]:
    return {rating.value_id: rating for rating in ratings}


def _earlier(check_in: CheckIn, side: Rater) -> list[tuple[int, list[CheckInRating]]]:
    """The side's superseded revisions, newest first (the viewer's own side only)."""
    rows = db.session.scalars(select(CheckInRating).where(
        CheckInRating.check_in_id == check_in.id, CheckInRating.rater == side,
        CheckInRating.superseded_at.is_not(None)).order_by(CheckInRating.revision.desc(), CheckInRating.id))
    revisions: dict[int, list[CheckInRating]] = {}
    for rating in rows:
        revisions.setdefault(rating.revision, []).append(rating)
    return list(revisions.items())


def render(check_in: CheckIn, side: Rater, template: str, *, form=None, amend_form=None, assign_form=None):
    """The check-in page of one side: the form while it is theirs to fill, then what they may see."""
    today = date.today()
    rated = rated_values(check_in)
    shown = services.visible_ratings(check_in, current_user)
    mine = _by_value(shown[side])
    submitted = check_in.submitted_at(side) is not None
    opens = services.opens_on(check_in)
    rateable = bool(rated) and services.open_to(check_in, side, today)
    if form is None and rateable:
        form = ratings_form(rated, side)
    if amend_form is None and submitted and rated and not check_in.archived:
        amend_form = ratings_form(rated, side, amend=True, current=shown[side],
                                  next_steps=check_in.next_steps if side is Rater.MANAGER else None)
    if assign_form is None and side is Rater.MANAGER and check_in.manager_submitted_at and rated:
        assign_form = AssignModulesForm(rated)
    self_by, manager_by = _by_value(shown[Rater.SELF]), _by_value(shown[Rater.MANAGER])
    apart = {item.value.id for item in rated if check_in.done and item.value.id in self_by
             and item.value.id in manager_by
             and abs(self_by[item.value.id].score - manager_by[item.value.id].score) >= APART}
    state = services.status(check_in, today)
    return render_template(
        template, check_in=check_in, employee=check_in.employee, side=side, rated=rated, mine=mine,
        self_by=self_by, manager_by=manager_by, apart=apart, submitted=submitted, opens=opens, today=today,
        status=state, status_label=STATUS_LABELS[state], status_tone=STATUS_TONES[state],
        form=form if rateable else None, amend_form=amend_form, assign_form=assign_form,
        earlier=_earlier(check_in, side) if submitted else [])


def _save(check_in: CheckIn, side: Rater, template: str, back: str, *, amending: bool, action, success):
    """Validate the side's form, run action(form) and commit; field problems go back beside their fields,
    any other refusal is flashed and nothing is saved."""
    form = ratings_form(rated_values(check_in), side, amend=amending)
    shown_as = {"amend_form" if amending else "form": form}
    if not form.validate_on_submit():
        return render(check_in, side, template, **shown_as)
    try:
        action(form)
    except RatingProblems as problems:
        db.session.rollback()
        form.show_problems(problems.problems)
        return render(check_in, side, template, **shown_as)
    except CheckInError as problem:
        db.session.rollback()
        flash(str(problem), "warning")
    else:
        db.session.commit()
        flash(success(), "success")
    return redirect(back)


def rate(check_in: CheckIn, side: Rater, template: str, back: str):
    """Submit the viewer's side: field problems are shown beside their fields, anything else is flashed."""

    def submitted() -> str:
        if check_in.done:
            return "Both sides are in: compare the ratings below."
        waiting = ("Your manager's ratings show here once they have submitted theirs." if side is Rater.SELF
                   else f"{check_in.employee.name}'s self-rating shows here once they have submitted it.")
        return f"Your ratings are in. {waiting}"

    return _save(check_in, side, template, back, amending=False, success=submitted, action=lambda form: services.submit(
        check_in, actor=current_user, ratings=form.ratings(), today=date.today(),
        next_steps=(form.next_steps.data or "") if side is Rater.MANAGER else ""))


def amend(check_in: CheckIn, side: Rater, template: str, back: str):
    """A new revision of the viewer's side, with the reason; the earlier one is kept."""
    return _save(check_in, side, template, back, amending=True,
                 success=lambda: "Your ratings are amended. The earlier ones are kept with your reason.",
                 action=lambda form: services.amend(
                     check_in, actor=current_user, ratings=form.ratings(), reason=form.reason.data,
                     next_steps=form.next_steps.data if side is Rater.MANAGER else None))
