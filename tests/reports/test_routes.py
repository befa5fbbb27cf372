"""Who may see the reports, what the pages show, the streamed CSV, and a fixed query count."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import cache
from app.models import Assignment, Progress, Role
from app.onboarding.services import complete
from tests.reports.conftest import OPEN, days

PAGES = ["/reports", "/reports/training.csv", "/reports/evidence"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_hr_and_admins_see_the_report_with_charts_and_tables(org, login_as, client, role):
    login_as(role)
    response = client.get("/reports")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Completion by site" in html and "North Clinic" in html and "67%" in html
    assert html.count('role="img"') == 6  # site, department, role family, value, stages, scores
    assert '<title id="site-chart-title">Completion by site</title>' in html
    assert 'aria-labelledby="site-chart-title site-chart-desc"' in html
    assert "style=" not in html and "<script" not in html
    assert "Dee Diaz" in html and "Medical assistant, North" in html


def test_report_filters_show_the_site_and_explain_bad_dates(org, login_as, client):
    login_as(Role.HR)
    html = client.get(f"/reports?site={org.sites['south'].id}&from=not-a-date").get_data(as_text=True)
    assert "across South Clinic" in html
    assert "is not a date for From" in html
    assert "Ben Brooks" not in html and "Dee Diaz" in html


def test_csv_is_streamed_with_the_filters(org, login_as, client):
    login_as(Role.HR)
    response = client.get(f"/reports/training.csv?site={org.sites['north'].id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert "attachment; filename=training-" in response.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert lines[0][:3] == ["Employee", "E-mail", "Site"]
    assert {line[0] for line in lines[1:]} == {"Ann Alvarez", "Ben Brooks"}


def test_evidence_page_lists_each_value_with_its_share_and_sources(org, login_as, client):
    login_as(Role.ADMIN)
    response = client.get(f"/reports/evidence?site={org.sites['north'].id}&from={days(-364)}&to={days(0)}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    names = [html.index(name) for name in ("1. Care Coordination", "2. Engaged Leadership", "3. Empanelment")]
    assert names == sorted(names)
    assert "100% of staff completed its training" in html and "(2 of 2)" in html
    assert "NCQA TC 02" in html and "MA template" in html and "Tell us about a referral you tracked." in html
    assert f"Training completed {days(-364)} to {days(0)}" in html
    assert 'role="img"' in html and "<title" in html


def test_evidence_defaults_to_the_last_twelve_months(org, login_as, client):
    login_as(Role.HR)
    today = date.today()  # the page's own day, not the day the suite started (a run may pass midnight)
    html = client.get("/reports/evidence").get_data(as_text=True)
    assert f"Training completed {today - timedelta(days=364)} to {today}" in html


def _more_people(org, make_user, db, count: int) -> None:
    """Add count employees, each with the track, one overdue module and a recent start date."""
    for i in range(count):
        person = make_user(Role.STAFF, name=f"Extra {i}", email=f"extra{i}@example.org", site=org.sites["north"],
                           manager=org.people["mona"], start_date=days(-5 - i))
        assignment = Assignment(employee_id=person.id, track_id=org.track.id)
        db.session.add(assignment)
        db.session.flush()
        for n, module in enumerate(org.modules):
            db.session.add(Progress(employee_id=person.id, module_id=module.id, assignment_id=assignment.id,
                                    status=OPEN, due_date=days(n - 1)))
    db.session.commit()  # as a real change would be: committing keeps the training summaries current


@pytest.mark.parametrize("url", ["/reports", "/reports/evidence", "/reports/training.csv"])
def test_query_count_does_not_grow_with_the_number_of_employees(org, login_as, client, make_user, db,
                                                                count_queries, url):
    login_as(Role.HR)
    client.get(url)  # warm up
    db.session.commit()  # each measured request starts after a commit, as every request does in production
    cache.clear()  # count the statements that build the page, not those of serving a cached copy
    with count_queries() as small:
        body = client.get(url).get_data(as_text=True)
    assert "Ann Alvarez" in body or "Care Coordination" in body
    _more_people(org, make_user, db, 36)  # 4 -> 40 employees; the commit makes cached report parts stale
    with count_queries() as large:
        body = client.get(url).get_data(as_text=True)
    assert "Extra 35" in body or url.endswith("evidence")
    assert len(large) == len(small), "\n".join(large)
    # /reports: 16 for the report itself, one more for the credential gaps of the people it selects.
    assert len(small) <= {"/reports": 17, "/reports/evidence": 12, "/reports/training.csv": 3}[url], "\n".join(small)


def test_svg_chart_is_labelled_and_escapes_its_text():
    from app.reports.charts import Bar, bar_chart

    svg = str(bar_chart([Bar("<b>Site & co</b>", 50, "50%"), Bar("Empty", None, "—")], chart_id="c1", title="T"))
    assert svg.startswith("<svg") and 'role="img"' in svg and '<title id="c1-title">T</title>' in svg
    assert "&lt;b&gt;Site &amp; co&lt;/b&gt;" in svg and "<b>" not in svg
    assert "Site &amp; co&lt;/b&gt;: 50%" in re.sub(r"\s+", " ", svg)  # the desc lists every bar
    assert 'width="170.0"' in svg  # half of the 340-unit bar area


def test_the_report_shows_a_completion_at_once_and_serves_repeats_from_the_cache(org, login_as, client, db,
                                                                                  count_queries):
    login_as(Role.HR)
    db.session.commit()
    total = re.compile(r'fw-semibold">(\d+%)</span>\s*<span class="small">of 12 assigned modules done')
    assert total.search(client.get("/reports").get_data(as_text=True)).group(1) == "50%"
    with count_queries() as repeat:
        assert total.search(client.get("/reports").get_data(as_text=True)).group(1) == "50%"
    # The data token and the per-request checks (stale summaries, the viewer's pending interviews): no figures.
    assert not [s for s in repeat if not s.startswith(("SELECT data_version.id, data_version.token", "SELECT user.",
                                                       "SELECT training_summary.employee_id",
                                                       "SELECT interview_assignment.application_id"))], repeat

    cal_open = db.session.scalar(select(Progress).where(Progress.employee_id == org.people["cal"].id,
                                                        Progress.status == OPEN))
    complete(cal_open, actor=org.people["cal"])
    db.session.commit()
    assert total.search(client.get("/reports").get_data(as_text=True)).group(1) == "58%"
