"""Check-ins from the manager's side: rate the new hire, agree next steps, compare, assign development modules."""

from __future__ import annotations

from datetime import date

from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.access import role_required
from app.actions import carry_out
from app.models import Rater
from app.onboarding import check_in_pages as pages
from app.onboarding import check_ins as services
from app.onboarding.check_in_forms import AssignModulesForm, rated_values
from app.team import bp
from app.team.routes import LEADERS

TEMPLATE = "team/check_in.html"


def _managed(check_in_id: int):
    """A check-in the viewer rates as manager (their reporting line, or anyone for HR and admins); 404 otherwise."""
    check_in, side = pages.viewable(check_in_id)
    if side is not Rater.MANAGER:
        abort(404)
    return check_in


@bp.route("/check-ins/<int:check_in_id>", methods=["GET", "POST"])
@role_required(*LEADERS)
def check_in(check_in_id: int):
    """The manager's rating form with the agreed next steps; both sides side by side once both are in."""
    check_in = _managed(check_in_id)
    if request.method == "GET":
        return pages.render(check_in, Rater.MANAGER, TEMPLATE)
    return pages.rate(check_in, Rater.MANAGER, TEMPLATE, url_for(".check_in", check_in_id=check_in.id))


@bp.post("/check-ins/<int:check_in_id>/amend")
@role_required(*LEADERS)
def amend_check_in(check_in_id: int):
    """Amend the manager's submitted ratings (and next steps), with the reason; the earlier revision is kept."""
    check_in = _managed(check_in_id)
    return pages.amend(check_in, Rater.MANAGER, TEMPLATE, url_for(".check_in", check_in_id=check_in.id))


@bp.post("/check-ins/<int:check_in_id>/assign")
@role_required(*LEADERS)
def assign_check_in_modules(check_in_id: int):
    """Add the development modules of the ticked values to the employee's plan."""
    check_in = _managed(check_in_id)
    form = AssignModulesForm(rated_values(check_in))
    if not form.validate_on_submit():
        return pages.render(check_in, Rater.MANAGER, TEMPLATE, assign_form=form)
    name = check_in.employee.name
    carry_out(lambda: services.assign_next_step_modules(check_in, form.value_ids.data, actor=current_user,
                                                        today=date.today()),
              services.CheckInError,
              lambda added: f"{added} development module{'s' if added != 1 else ''} added to {name}'s plan." if added
              else f"{name} already has every development module for those values.", refused_category="warning")
    return redirect(url_for(".check_in", check_in_id=check_in.id))
