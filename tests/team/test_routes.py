"""The team page, the drill-down and the CSV over HTTP: who may see what, filters, query counts."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest

from app.models import CheckIn, Progress, Role, RoleFamily, Rubric, TrainingSummary, utcnow
from tests.conftest import PASSWORD
from tests.team.conftest import DONE, OPEN, days

URLS = ["/team", "/team/people/{id}", "/team.csv"]


def url(template, team):
    return template.format(id=team["ben"].id)


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("template", URLS)
def test_anonymous_people_are_sent_to_sign_in(client, team, template):
    response = client.get(url(template, team))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_manager_sees_their_reports_with_progress_and_status(client, team):
    login(client, team["mona"])
    page = client.get("/team").get_data(as_text=True)
    for name in ["Ann Alvarez", "Ben Brooks", "Cal Chen", "Dee Diaz", "Sam Sub"]:
        assert name in page
    assert "Xena Xu" not in page and "Eve Evans" not in page and "Ina Inactive" not in page
    assert 'aria-label="Training progress of Ben Brooks"' in page and "25% (1 of 4)" in page
    assert "Overdue" in page and "Due soon" in page and "No training assigned" in page


def test_indirect_toggle_adds_the_reports_of_reports(client, team):
    login(client, team["mona"])
    page = client.get("/team?indirect=1").get_data(as_text=True)
    assert "Eve Evans" in page and "direct and indirect reports" in page
    assert "Eve Evans" not in client.get("/team?indirect=0").get_data(as_text=True)


def test_filters_and_search_change_who_is_shown(client, team):
    login(client, team["mona"])
    overdue = client.get("/team?show=overdue").get_data(as_text=True)
    assert "Ben Brooks" in overdue and "Ann Alvarez" not in overdue
    new = client.get("/team?first_days=1").get_data(as_text=True)
    assert "Dee Diaz" in new and "Cal Chen" not in new
    found = client.get("/team?q=cal%40example").get_data(as_text=True)
    assert "Cal Chen" in found and "Dee Diaz" not in found and "1 of 5 people matches these filters." in found
    nobody = client.get("/team?q=zzz").get_data(as_text=True)
    assert "Nobody on your team matches these filters." in nobody


def test_sort_order_follows_the_choice(client, team):
    login(client, team["mona"])
    page = client.get("/team?sort=percent").get_data(as_text=True)
    assert page.index("Dee Diaz") < page.index("Ben Brooks") < page.index("Ann Alvarez")


def test_a_manager_without_reports_sees_an_empty_state(client, login_as, team):
    login_as(Role.MANAGER)
    page = client.get("/team").get_data(as_text=True)
    assert "Nobody reports to you yet." in page


def test_hr_sees_their_own_reports_like_a_manager(client, make_user, team):
    hr = make_user(Role.HR, name="Hana HR")
    make_user(Role.STAFF, name="Rita Report", manager=hr)
    login(client, hr)
    page = client.get("/team").get_data(as_text=True)
    assert "Rita Report" in page and "Ben Brooks" not in page


def test_pending_sign_offs_show_with_forms_for_the_onboarding_endpoints(client, team, track, db):
    request = db.session.scalar(db.select(Progress).where(Progress.employee_id == team["dee"].id,
                                                          Progress.module_id == track.test_modules[3].id))
    request.sign_off_requested_at = utcnow()
    db.session.flush()
    login(client, team["mona"])
    page = client.get("/team").get_data(as_text=True)
    assert "Waiting for your sign-off" in page
    assert f'action="/onboarding/sign-offs/{request.id}/approve"' in page
    assert f'action="/onboarding/sign-offs/{request.id}/send-back"' in page
    assert "Leads the morning huddle." in page


def test_drill_down_lists_every_module_of_someone_in_the_line(client, team, db):
    login(client, team["mona"])
    page = client.get(f"/team/people/{team['ben'].id}").get_data(as_text=True)
    assert "Ben Brooks" in page and "Module 4" in page and "Old module" not in page
    assert client.get(f"/team/people/{team['eve'].id}").status_code == 200  # indirect


@pytest.mark.parametrize("who", ["xena", "olga", "mona"])
def test_drill_down_outside_the_reporting_line_is_not_found(client, team, who):
    login(client, team["mona"] if who != "mona" else team["olga"])
    target = team[who] if who != "mona" else team["ben"]
    assert client.get(f"/team/people/{target.id}").status_code == 404


def test_drill_down_of_a_missing_person_is_not_found(client, team):
    login(client, team["mona"])
    assert client.get("/team/people/999999").status_code == 404


def test_hr_may_open_anyone(client, login_as, team):
    login_as(Role.HR)
    response = client.get(f"/team/people/{team['xena'].id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Xena Xu" in page and "Module 1" in page


def test_another_manager_sees_nobody_of_this_team_anywhere(client, team):
    login(client, team["olga"])
    page = client.get("/team?indirect=1").get_data(as_text=True)
    exported = client.get("/team.csv?indirect=1").get_data(as_text=True)
    for name in ["Ann Alvarez", "Ben Brooks", "Cal Chen", "Dee Diaz", "Sam Sub", "Eve Evans"]:
        assert name not in page and name not in exported
    assert "Xena Xu" in page and "Xena Xu" in exported
    assert client.get(f"/team/people/{team['eve'].id}").status_code == 404


def test_csv_export_follows_the_filters(client, team):
    login(client, team["mona"])
    response = client.get("/team.csv?show=overdue&indirect=1")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [row[0] for row in rows[1:]] == ["Ben Brooks", "Eve Evans"]
    assert rows[0][-1] == "Status" and rows[1][-1] == "Overdue"


def test_csv_escapes_formula_cells(client, make_user):
    manager = make_user(Role.MANAGER)
    make_user(Role.STAFF, name="=cmd|' /C calc'!A0", manager=manager, email="formula@example.org")
    login(client, manager)
    rows = list(csv.reader(io.StringIO(client.get("/team.csv").get_data(as_text=True))))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"


def _team_of(db, make_user, give, size: int):
    """A manager with `size` reports, each with training and check-ins: one done, one open (overdue for
    every third person, due for the others) and one upcoming."""
    manager = make_user(Role.MANAGER)
    rubric = Rubric(name="Medical assistant", role_family=RoleFamily.MEDICAL_ASSISTANT)
    db.session.add(rubric)
    db.session.flush()
    for i in range(size):
        person = make_user(Role.STAFF, manager=manager, start_date=days(-i * 7))
        give(person, [(DONE, days(-40)), (OPEN, days(i - 20)), (OPEN, days(i)), (OPEN, days(30))])
        db.session.add_all([
            CheckIn(employee_id=person.id, day=30, due_date=days(-30), rubric_id=rubric.id, completed_at=utcnow()),
            CheckIn(employee_id=person.id, day=60, due_date=days(-2 if i % 3 == 0 else 3), rubric_id=rubric.id),
            CheckIn(employee_id=person.id, day=90, due_date=days(40), rubric_id=rubric.id),
        ])
    first = db.session.scalar(db.select(Progress).join(Progress.employee).where(
        Progress.status == OPEN, Progress.employee.has(manager_id=manager.id)).limit(1))
    first.sign_off_requested_at = datetime(2026, 1, 1)
    db.session.flush()
    return manager


def test_team_page_runs_the_same_number_of_queries_for_3_or_40_reports_with_their_check_ins(client, db, make_user, give, count_queries):
    counts = {}
    for size in (3, 40):
        manager = _team_of(db, make_user, give, size)
        login(client, manager)
        for query in ("", "?indirect=1&show=overdue&sort=next-due&first_days=1&q=person"):
            client.get("/team" + query)  # warm up
            with count_queries() as statements:
                response = client.get("/team" + query)
            assert response.status_code == 200
            counts[size, query] = len(statements)
            if not query:  # every row carries its next open check-in's status
                page = response.get_data(as_text=True)
                assert page.count(">Check-in overdue<") == -(-size // 3)
                assert page.count(">Check-in due<") == size - -(-size // 3)
        client.post("/logout")
    assert counts[3, ""] == counts[40, ""]
    assert counts[3, "?indirect=1&show=overdue&sort=next-due&first_days=1&q=person"] == \
        counts[40, "?indirect=1&show=overdue&sort=next-due&first_days=1&q=person"]
    assert counts[40, ""] <= 8, counts


def ben_progress(response) -> str:
    """The progress text of Ben Brooks's row ("25% (1 of 4)")."""
    found = re.search(r'aria-label="Training progress of Ben Brooks">\d+%</progress>\s*<span class="small">([^<]+)</span>',
                      response.get_data(as_text=True))
    assert found, "Ben Brooks's row has no progress bar"
    return found.group(1)


def test_the_team_page_shows_a_completion_at_once_and_serves_repeats_from_the_cache(
        client, db, team, track, count_queries):
    db.session.commit()  # a committed team, so the page parts are cached
    mona, ben = team["mona"], team["ben"]
    login(client, mona)
    assert ben_progress(client.get("/team")) == "25% (1 of 4)"
    with count_queries() as repeat:
        assert ben_progress(client.get("/team")) == "25% (1 of 4)"
    # At most the signed-in user and the data token: the rows and the sign-offs come from the cache.
    assert not [s for s in repeat if not s.startswith(("SELECT data_version.id, data_version.token", "SELECT user."))], repeat

    client.post("/logout")
    login(client, ben)
    response = client.post(f"/onboarding/modules/{track.test_modules[1].id}/attest", data={"confirm": "y"})
    assert response.status_code == 302
    client.post("/logout")
    login(client, mona)
    assert ben_progress(client.get("/team")) == "50% (2 of 4)"


def test_each_manager_gets_their_own_team_from_the_cache(app, db, team):
    """Two managers signed in at once (signing in changes no cached data, so the second view could
    be served the first one's copy if the cache key left out the viewer)."""
    db.session.commit()
    mona, olga = app.test_client(), app.test_client()
    login(mona, team["mona"])
    login(olga, team["olga"])
    assert "Ben Brooks" in mona.get("/team").get_data(as_text=True)
    page = olga.get("/team").get_data(as_text=True)
    assert "Xena Xu" in page and "Ben Brooks" not in page


def test_the_first_view_of_a_day_keeps_the_summary_rows_it_brought_up_to_date(client, db, team):
    ben = team["ben"]
    db.session.commit()
    # As if Ben's row had been computed days ago: his next due date already passed.
    db.session.execute(db.update(TrainingSummary).where(TrainingSummary.employee_id == ben.id)
                       .values(next_due=days(-1), overdue=0, oldest_overdue=None, latest_overdue=None))
    db.session.commit()
    login(client, team["mona"])
    assert ben_progress(client.get("/team")) == "25% (1 of 4)"
    db.session.rollback()
    row = db.session.get(TrainingSummary, ben.id)
    db.session.refresh(row)
    assert (row.overdue, row.oldest_overdue, row.next_due) == (1, days(-3), days(3))  # committed by the view
