"""HR's check-in schedule page: every role family with its days, one changed at a time with a clear message,
an audit entry, and a link under Training for HR and admins only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, CheckInSchedule, Role, RoleFamily
from app.onboarding import check_ins
from app.onboarding.check_in_schedule import parse_days
from tests.helpers import text

URL = "/onboarding/check-in-schedule"


def row_text(page: str, label: str) -> str:
    """The table row of one schedule, as text."""
    start = page.index(f">{label}")
    return page[start:page.index("</tr>", start)]


def test_the_page_lists_the_default_and_every_role_family_with_its_days(db, client, login_as):
    check_ins.set_offsets(None, [30, 60, 90], actor=None)
    check_ins.set_offsets(RoleFamily.PRIMARY_CARE_PROVIDER, [30, 90, 180], actor=None)
    login_as(Role.HR)
    page = text(client.get(URL))
    assert "30, 60, 90" in row_text(page, "Default")
    assert "30, 90, 180" in row_text(page, "Primary care provider") and "own schedule" in row_text(
        page, "Primary care provider")
    for family in RoleFamily:
        if family is not RoleFamily.PRIMARY_CARE_PROVIDER:
            assert "30, 60, 90" in row_text(page, family.label) and "the default" in row_text(page, family.label)
    assert 'name="days" type="text" value="30, 60, 90"' in page  # the form starts on the default


def test_a_change_link_opens_the_form_on_that_schedule(db, client, login_as):
    check_ins.set_offsets(RoleFamily.PRIMARY_CARE_PROVIDER, [30, 90, 180], actor=None)
    login_as(Role.HR)
    page = text(client.get(URL, query_string={"schedule": "primary-care-provider"}))
    assert '<option selected value="primary-care-provider">' in page
    assert 'value="30, 90, 180"' in page


def test_hr_sets_a_role_familys_days_and_the_change_is_audited(db, client, login_as):
    hr = login_as(Role.HR)
    response = client.post(URL, data={"schedule": "community-health-worker", "days": "14 , 45,90"},
                           follow_redirects=True)
    page = text(response)
    assert response.request.path == URL
    assert ("New hires in Community health worker / care coordinator now have check-ins on days 14, 45 and 90 "
            "after the start date.") in page
    assert "check-ins already scheduled keep their dates" in page
    assert "14, 45, 90" in row_text(page, "Community health worker / care coordinator")
    assert check_ins.offsets_for(RoleFamily.COMMUNITY_HEALTH_WORKER) == [14, 45, 90]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "check_in.schedule_set"))
    assert event.actor_id == hr.id and event.after["offsets"] == [14, 45, 90]
    assert event.after["role_family"] == "community-health-worker"


def test_the_default_row_is_changed_in_place(db, client, login_as):
    check_ins.set_offsets(None, [30, 60, 90], actor=None)
    login_as(Role.ADMIN)
    page = text(client.post(URL, data={"schedule": "default", "days": "45, 90"}, follow_redirects=True))
    assert "New hires without a schedule of their own now have check-ins on days 45 and 90" in page
    rows = db.session.scalars(select(CheckInSchedule)).all()
    assert [(row.role_family, row.offsets) for row in rows] == [(None, [45, 90])]


def test_saving_the_same_days_changes_nothing(db, client, login_as):
    check_ins.set_offsets(RoleFamily.FRONT_DESK, [30, 60], actor=None)
    login_as(Role.HR)
    events = db.session.query(AuditEvent).count()
    page = text(client.post(URL, data={"schedule": "front-desk", "days": "60, 30"}, follow_redirects=True))
    assert "The Front desk / patient services schedule already has days 30 and 60; nothing changed." in page
    assert db.session.query(AuditEvent).count() == events


def test_bad_days_are_shown_beside_the_field_and_nothing_is_saved(db, client, login_as):
    login_as(Role.HR)
    response = client.post(URL, data={"schedule": "front-desk", "days": "30, 2 months"})
    page = text(response)
    assert response.status_code == 200
    assert "“months” is not a whole number of days" in page and 'class="invalid-feedback' in page
    assert db.session.scalars(select(CheckInSchedule)).all() == []


@pytest.mark.parametrize("typed, days", [("30,60,90", [30, 60, 90]), ("90 30", [30, 90]), ("7;14", [7, 14]),
                                         ("  180 ", [180])])
def test_days_may_be_separated_by_commas_spaces_or_semicolons(typed, days):
    assert parse_days(typed) == days


@pytest.mark.parametrize("role, shown", [(Role.HR, True), (Role.ADMIN, True), (Role.MANAGER, False),
                                         (Role.STAFF, False)])
def test_the_page_is_in_the_training_menu_for_hr_and_admins(db, client, login_as, role, shown):
    login_as(role)
    page = client.get("/home").get_data(as_text=True)
    assert (f'href="{URL}"' in page) is shown
