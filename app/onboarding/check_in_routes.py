"""The employee's check-ins: rate themself on the values they were hired on, then compare once both sides are in."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import login_required

from app.models import Rater
from app.onboarding import bp
from app.onboarding import check_in_pages as pages

TEMPLATE = "onboarding/check_in.html"


def _mine(check_in_id: int):
    """The employee's own check-in. Their manager line is sent to the team page (and may not post here);
    anyone else gets 404, as for a check-in that does not exist."""
    check_in, side = pages.viewable(check_in_id)
    if side is Rater.MANAGER:
        if request.method != "GET":
            abort(403)
        return check_in, redirect(url_for("team.check_in", check_in_id=check_in.id))
    return check_in, None


@bp.route("/check-ins/<int:check_in_id>", methods=["GET", "POST"])
@login_required
def check_in(check_in_id: int):
    """The self-rating form; once submitted, the employee's own ratings, then both sides side by side."""
    check_in, elsewhere = _mine(check_in_id)
    if elsewhere:
        return elsewhere
    if request.method == "GET":
        return pages.render(check_in, Rater.SELF, TEMPLATE)
    return pages.rate(check_in, Rater.SELF, TEMPLATE, url_for(".check_in", check_in_id=check_in.id))


@bp.post("/check-ins/<int:check_in_id>/amend")
@login_required
def amend_check_in(check_in_id: int):
    """Amend the employee's own submitted ratings, with the reason; the earlier revision is kept."""
    check_in, _ = _mine(check_in_id)  # a manager's post is refused inside
    return pages.amend(check_in, Rater.SELF, TEMPLATE, url_for(".check_in", check_in_id=check_in.id))
