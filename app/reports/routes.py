"""HR's organization-wide reports: the completion and hiring page, the training CSV, PCMH evidence."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request, stream_with_context
from flask_login import current_user
from markupsafe import Markup

from app import page_cache
from app.access import role_required
from app.credentials.gaps import read_gaps
from app.extensions import db
from app.forms import ignored_filters
from app.hiring import scoring
from app.models import Role
from app.onboarding import summaries
from app.onboarding.early_warnings import early_warnings
from app.reports import bp, services, tables
from app.reports.charts import Bar, bar_chart, share_chart
from app.reports.evidence import PERIOD_DAYS
from app.reports.evidence import evidence as build_evidence
from app.reports.exports import module_values
from app.reports.exports import training_csv as csv_lines
from app.reports.forms import ValidityFilterForm, ValidityFilters
from app.reports.scatter import scatter_plot
from app.reports.validity import validity as build_validity
from app.reports.validity_csv import validity_csv as validity_lines
from app.reports.validity_stats import MINIMUM_N, format_r

HR_OFFICE = (Role.HR, Role.ADMIN)
# What the cached parts read (app.page_cache): the report everything but credentials; the validity
# report interview scores and check-in ratings, never training progress.
REPORT_AREAS = (page_cache.PEOPLE, page_cache.TRAINING, page_cache.HIRING, page_cache.CHECK_INS, page_cache.CREDENTIALS,
                page_cache.CONTENT)
VALIDITY_AREAS = (page_cache.PEOPLE, page_cache.HIRING, page_cache.CHECK_INS, page_cache.CONTENT)


@bp.context_processor
def _chart_helpers() -> dict:
    return {"bar_chart": bar_chart, "Bar": Bar, "share_chart": share_chart}


@bp.get("")
@role_required(*HR_OFFICE)
def index():
    """Completion by site, department, role family and value; overdue people; new hires; hiring."""
    today = date.today()
    filters = services.parse_filters(request.args)
    summaries.catch_up(db.session, today)
    # An HR user on an interview panel sees no one's ratings of that candidate until they submit their own.
    hide = sorted(scoring.pending_interviews(current_user))

    def report_part() -> Markup:
        report = services.build_report(filters, today=today, hide=hide)
        staff_ids, params = services.staff_ids_built_once(filters)
        warnings = early_warnings(staff_ids, today, params)
        gaps = read_gaps(services.staff_credential_gaps(filters), today, params)
        return Markup(render_template("reports/_report.html", report=report, filters=filters, warnings=warnings,
                                      credential_gaps=gaps, today=today, stages=services.PIPELINE, scores=services.SCORES, tables=tables))

    report = page_cache.cached("report", (today, hide, page_cache.query_string()), report_part, areas=REPORT_AREAS)
    return render_template("reports/index.html", report=report)


@bp.get("/training.csv")
@role_required(*HR_OFFICE)
def training_csv():
    """Every employee's every module as CSV, with the report's filters, streamed."""
    today = date.today()
    filters = services.parse_filters(request.args)
    # One query here, inside the view, so an unreachable database is a clean 503 rather than a 200
    # whose file stops short. The rows are read while streaming: the view's session (and a cursor
    # opened in it) ends when the view returns, before the first byte is sent.
    values = module_values()
    return Response(stream_with_context(csv_lines(filters, today=today, values=values)), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=training-{today.isoformat()}.csv",
                             "Cache-Control": "no-store"})


@bp.get("/evidence")
@role_required(*HR_OFFICE)
def evidence():
    """A printable page of PCMH evidence per value for a period and a site."""
    today = date.today()
    filters = services.parse_filters(request.args, default_days=PERIOD_DAYS, today=today)
    return render_template("reports/evidence.html", evidence=build_evidence(filters), filters=filters,
                           sites=services.sites(), today=today)


def _validity_filters(today: date) -> tuple[ValidityFilterForm, ValidityFilters]:
    form = ValidityFilterForm(request.args, sites=services.sites())
    filters = form.filters(today)
    return form, filters


@bp.get("/validity")
@role_required(*HR_OFFICE)
def validity():
    """Do interview scores predict 90-day ratings? Per value, rubric, interviewer and question."""
    today = date.today()
    hide = sorted(scoring.pending_interviews(current_user))  # the blind rule, as on the report

    def validity_part() -> Markup:
        form, filters = _validity_filters(today)
        return Markup(render_template(
            "reports/_validity.html", form=form, filters=filters, result=build_validity(filters, hide=hide),
            today=today, ignored=ignored_filters(form), scatter_plot=scatter_plot, format_r=format_r,
            minimum_n=MINIMUM_N))

    part = page_cache.cached("validity", (today, hide, page_cache.query_string()), validity_part,
                             areas=VALIDITY_AREAS)
    return render_template("reports/validity.html", part=part)


@bp.get("/validity.csv")
@role_required(*HR_OFFICE)
def validity_csv():
    """The validity report's pairs, with its filters; names for HR, ids only for admins."""
    today = date.today()
    _, filters = _validity_filters(today)
    result = build_validity(filters, hide=scoring.pending_interviews(current_user))
    return Response(validity_lines(result, names=current_user.role is Role.HR), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=validity-{today.isoformat()}.csv",
                             "Cache-Control": "no-store"})
