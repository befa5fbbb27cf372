"""Query strings and URL ids: filters that cannot be used are ignored with a message, never a 500."""

from __future__ import annotations

import pytest

from app.models import AuditEvent, Question, QuestionKind, Role
from tests.bad_input.world import changed_tables, snapshot
from tests.helpers import text

FILTER_PAGES = ["/team", "/reports", "/reports/evidence", "/reports/training.csv", "/reports/validity",
                "/reports/validity.csv", "/reports/compliance", "/reports/compliance.csv", "/admin/users", "/admin/audit", "/hiring/questions", "/hiring/postings",
                "/hiring/rubrics", "/onboarding/tracks"]


@pytest.mark.parametrize("url", FILTER_PAGES)
@pytest.mark.parametrize("query", ["q=a%00b", "site=1%00", "from=2026-01-01%00", "action=%1B[31m", "x=%E2%80%AE"])
def test_a_control_character_in_the_query_string_gets_a_400_that_says_why(client, login_as, url, query):
    login_as(Role.ADMIN)
    before = snapshot()
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert "The address contains" in text(response) and "Remove it from the address" in text(response)
    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize("url", ["/admin/users", "/hiring/postings", "/team", "/admin/audit"])
def test_an_impossible_page_number_is_refused(client, login_as, url):
    login_as(Role.ADMIN)
    response = client.get(f"{url}?page=99999999999999999999")
    assert response.status_code == 400 and "no such page number" in text(response)


@pytest.mark.parametrize("url", ["/hiring/postings/99999999999999999999", "/admin/users/99999999999999999999",
                                 "/onboarding/modules/99999999999999999999"])
def test_an_id_beyond_the_integer_range_is_not_found(client, login_as, url):
    login_as(Role.ADMIN)
    response = client.get(url)
    assert response.status_code == 404 and "does not exist" in text(response)


@pytest.mark.parametrize(("query", "message"), [
    ("site=%C2%B2", "Choose a site from the list."),  # a superscript two counts as a digit to str.isdigit
    ("site=99999999999999999999", "Choose a site from the list."),
    ("from=0001-01-01", "From must be between 1900 and 2100; 0001-01-01 was ignored."),
    ("to=9999-12-31", "To must be between 1900 and 2100; 9999-12-31 was ignored."),
    ("from=2026-02-30", "is not a date for From"),
    ("from=2026-05-01&to=2026-01-01", "The From date was after the To date, so the two were swapped."),
])
@pytest.mark.parametrize("url", ["/reports", "/reports/evidence"])
def test_report_filters_that_cannot_be_used_are_ignored_with_a_message(client, login_as, url, query, message):
    login_as(Role.HR)
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    assert message in text(response)


def test_the_training_export_ignores_dates_outside_the_plausible_years(client, login_as):
    login_as(Role.HR)
    response = client.get("/reports/training.csv?from=0001-01-01&to=9999-12-31")
    assert response.status_code == 200 and response.mimetype == "text/csv"


@pytest.mark.parametrize(("query", "message"), [
    ("until=9999-12-31", "Dates must be between 1900 and 2100; '9999-12-31' was ignored."),
    ("since=0001-01-01", "Dates must be between 1900 and 2100; '0001-01-01' was ignored."),
    ("since=2026-02-30", "Dates are written YYYY-MM-DD; '2026-02-30' was ignored."),
    ("since=2026-05-01&until=2026-01-01", "The From date is after the To date"),
])
def test_audit_log_date_filters_that_cannot_be_used_are_ignored_with_a_message(client, login_as, query, message):
    login_as(Role.ADMIN)
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200 and message in text(response)


def test_postings_list_ignores_a_site_id_no_site_can_have(client, login_as, world):
    login_as(Role.HR)
    response = client.get("/hiring/postings?site=99999999999999999999")
    assert response.status_code == 200 and world.open_posting.title in text(response)


# Searching for metacharacters finds them literally ---------------------------------------------------
def test_user_search_treats_percent_and_underscore_as_typed(client, login_as, make_user):
    login_as(Role.ADMIN)
    make_user(Role.STAFF, name="Pat 100% Sure", email="pat_sure@example.org")
    make_user(Role.STAFF, name="Pat Unsure", email="patxsure@example.org")
    percent = text(client.get("/admin/users?q=100%25"))
    assert "Pat 100% Sure" in percent and "Pat Unsure" not in percent
    underscore = text(client.get("/admin/users?q=pat_sure"))
    assert "pat_sure@example.org" in underscore and "patxsure@example.org" not in underscore
    assert "Pat" not in text(client.get("/admin/users?q=%25%25"))
    assert "Pat Unsure" in text(client.get("/admin/users?q=unsure"))


def test_audit_log_action_and_person_filters_treat_wildcards_as_typed(client, login_as, db):
    admin = login_as(Role.ADMIN)
    db.session.add_all([AuditEvent(action="site.created", entity_type="site", actor_id=admin.id),
                        AuditEvent(action="siteXcreated", entity_type="site", actor_id=admin.id)])
    db.session.flush()
    page = text(client.get("/admin/audit?action=site.c"))
    assert "site.created" in page and "siteXcreated" not in page
    assert "siteXcreated" not in text(client.get("/admin/audit?action=%25"))
    assert "site.created" in text(client.get(f"/admin/audit?actor={admin.email[:5]}"))
    assert "site.created" not in text(client.get("/admin/audit?actor=_"))


def test_question_search_finds_quotes_percent_and_backslashes_literally(client, login_as, db, world):
    login_as(Role.HR)
    odd = Question(value_id=world.value.id, kind=QuestionKind.BEHAVIORAL, text="What does \"100% done\" mean to O'Brien \\ the_team?",
                   probes=["Why?"], strong_answer="Clear", weak_answer="Vague")
    db.session.add(odd)
    db.session.flush()
    for needle in ["100%", "O'Brien", "\\ the_", "\"100"]:
        page = text(client.get("/hiring/questions", query_string={"q": needle}))
        assert odd.text in page, needle
        assert world.question.text not in page, needle
    assert world.question.text in text(client.get("/hiring/questions", query_string={"q": "Tell me"}))


def test_team_search_treats_wildcards_as_typed(client, auth, world, make_user):
    make_user(Role.STAFF, name="Al_Underscore", manager=world.manager)
    make_user(Role.STAFF, name="AlxUnder", manager=world.manager)
    auth.login(world.manager)
    page = text(client.get("/team?q=al_"))
    assert "Al_Underscore" in page and "AlxUnder" not in page
    assert "AlxUnder" not in text(client.get("/team?q=%25"))


def test_an_over_long_team_search_is_ignored_with_a_message(client, auth, world):
    auth.login(world.manager)
    page = text(client.get("/team", query_string={"q": "x" * 101}))
    assert "That filter was ignored." in page and "Nia Hire" in page
