"""HR's compliance view: staff current on required credentials and renewing training, and its CSV."""

from __future__ import annotations

from datetime import date

from flask import Response, render_template, request, stream_with_context
from markupsafe import Markup

from app import page_cache
from app.access import role_required
from app.forms import ignored_filters
from app.models import Role
from app.reports import bp, services
from app.reports.charts import Bar, bar_chart
from app.reports.compliance import NAMES_SHOWN, compliance, compliance_csv
from app.reports.compliance_forms import ComplianceFilterForm

HR_OFFICE = (Role.HR, Role.ADMIN)


def _filters() -> tuple[ComplianceFilterForm, object]:
    form = ComplianceFilterForm(request.args, sites=services.sites())
    return form, form.filters()


COMPLIANCE_AREAS = (page_cache.PEOPLE, page_cache.TRAINING, page_cache.CREDENTIALS)


@bp.get("/compliance")
@role_required(*HR_OFFICE)
def compliance_view():
    """Per site and role family: the share of staff current on each required credential and module."""
    today = date.today()

    def part() -> Markup:
        form, filters = _filters()
        result = compliance(filters, today)
        charts = [bar_chart([Bar(line.requirement.name, line.percent, f"{line.percent}%") for line in group.lines],
                            chart_id=f"compliance-{index}", title=f"Staff current, {group.label}")
                  for index, group in enumerate(result.groups)]
        return Markup(render_template("reports/_compliance.html", form=form, filters=filters, result=result,
                                      charts=charts, ignored=ignored_filters(form), names_shown=NAMES_SHOWN,
                                      today=today))

    return render_template("reports/compliance.html",
                           part=page_cache.cached("compliance", (today, page_cache.query_string()), part,
                                                  areas=COMPLIANCE_AREAS))


@bp.get("/compliance.csv")
@role_required(*HR_OFFICE)
def compliance_export():
    """Every person against every requirement of their role, with the view's filters."""
    today = date.today()
    _, filters = _filters()
    result = compliance(filters, today)
    return Response(stream_with_context(compliance_csv(result)), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=compliance-{today.isoformat()}.csv",
                             "Cache-Control": "no-store"})
