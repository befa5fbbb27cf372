"""Team status: the manager's reports and their training, one person's modules, and a CSV export."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, render_template, request
from flask_login import current_user
from markupsafe import Markup

from app import page_cache
from app.access import STAFF_MANAGERS, role_required
from app.credentials.gaps import credential_gaps
from app.extensions import db
from app.forms import ignored_filters
from app.models import Rater, Role, User
from app.onboarding import check_in_pages
from app.onboarding.early_warnings import early_warnings
from app.onboarding.services import DONE, classify, sign_off_queue
from app.team import bp, services
from app.team.forms import TeamFilterForm
from app.team.people_table import people_rows

LEADERS = (Role.MANAGER, Role.HR, Role.ADMIN)
# What the cached parts read (app.page_cache): people and sites, training progress, check-ins; the
# early warnings also value names and the development modules that build them.
TEAM_AREAS = (page_cache.PEOPLE, page_cache.TRAINING, page_cache.CHECK_INS, page_cache.CREDENTIALS)
WARNING_AREAS = (page_cache.PEOPLE, page_cache.TRAINING, page_cache.CHECK_INS, page_cache.CONTENT)


def _filters() -> tuple[TeamFilterForm, services.TeamFilters]:
    form = TeamFilterForm(formdata=request.args)
    form.validate()
    return form, form.filters()


@bp.get("")
@role_required(*LEADERS)
def index():
    """The signed-in leader's reports: summary counts, filters, a progress row each, sign-offs."""
    today = date.today()
    form, filters = _filters()
    for problem in ignored_filters(form):
        flash(problem, "warning")
    team_ids, params = services.team_ids_built_once(current_user, indirect=filters.indirect)

    def team_parts() -> tuple[Markup, Markup, list]:
        page, summary = services.team_page(current_user, filters, today=today,
                                           page=request.args.get("page", 1, type=int))
        gaps = credential_gaps(team_ids, today, params)
        shown = {"form": form, "filters": filters, "page": page, "summary": summary, "today": today,
                 "people_rows": people_rows, "credential_gaps": gaps}
        return (Markup(render_template("team/_counts.html", **shown)),
                Markup(render_template("team/_people.html", **shown)),
                sign_off_queue(current_user))

    counts, people, sign_offs = page_cache.cached(
        "team", (current_user.id, today, page_cache.query_string()), team_parts, areas=TEAM_AREAS)
    if services.summaries_caught_up():
        db.session.commit()
    export_args = {key: value for key, value in request.args.items() if key != "page"}
    warnings = page_cache.cached("team-warnings", (current_user.id, today, filters.indirect),
                                 lambda: early_warnings(team_ids, today, params), areas=WARNING_AREAS)
    return render_template("team/index.html", filters=filters, counts=counts, people=people, sign_offs=sign_offs,
                           export_args=export_args, today=today, early_warnings=warnings)


@bp.get("/people/<int:user_id>")
@role_required(*LEADERS)
def person(user_id: int):
    """One person's every module; a manager sees only their reporting line (others are 404)."""
    employee = db.session.get(User, user_id)
    if employee is None or (current_user.role not in STAFF_MANAGERS and not services.in_line(current_user, user_id)):
        abort(404)
    today = date.today()
    return render_template("team/person.html", employee=employee, row=services.person_row(employee, today=today),
                           tracks=services.by_track(services.person_modules(employee)), today=today,
                           classify=classify, done_states=DONE,
                           check_ins=check_in_pages.lines_for(employee, Rater.MANAGER, today))


@role_required(*LEADERS)
def export():
    """The team's status as CSV, with the page's filters; only people in the reporting line."""
    _, filters = _filters()
    rows = services.team_rows(current_user, filters, today=date.today())
    return Response(services.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=team-{date.today().isoformat()}.csv",
                             "Cache-Control": "no-store"})


@bp.record_once
def _register_export(state) -> None:
    """/team.csv sits beside /team rather than under it, so it is added to the app directly."""
    state.app.add_url_rule("/team.csv", endpoint="team.export", view_func=export, methods=["GET"])
