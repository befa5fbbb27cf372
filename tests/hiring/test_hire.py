"""Hire: the employee and their invitation, the hired stage, and onboarding shaped by the interviews' low values."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.content.library import read_library
from app.content.services import apply_library
from app.hiring.hire import HireError, hire_applicant, summary
from app.models import (
    AuditEvent,
    OutboxMessage,
    Progress,
    Role,
    RoleFamily,
    Stage,
    StageChange,
    Track,
    User,
)
from tests.factories import SiteFactory
from tests.hiring.test_scoring import assign, make_application, make_posting, score

TODAY = date(2026, 3, 2)
START = date(2026, 3, 16)
CRITERIA = (("care-coordination", 50), ("qi-strategy", 30), ("team-based-relationships", 20))


@pytest.fixture(scope="module")
def shipped(app):
    return read_library(app.config["SEEDS_DIR"])


@pytest.fixture
def library(db, shipped):
    apply_library(shipped)
    db.session.flush()
    return shipped


@pytest.fixture
def people(make_user):
    site = SiteFactory()
    return {"hr": make_user(Role.HR), "manager": make_user(Role.MANAGER, name="Mia Manager", site=site),
            "site": site, "panel": [make_user(Role.STAFF, is_interviewer=True) for _ in range(2)]}


@pytest.fixture
def interviewed(db, library, people):
    """An application at offer whose interviews rated care coordination 2.5 (low) and the rest higher."""
    posting = make_posting(db, CRITERIA, site=people["site"])
    application = make_application(db, posting, stage=Stage.OFFER, name="Jordan Lee", email="Jordan.Lee@Example.org")
    for interviewer, scores in zip(people["panel"], ([2, 4, 3], [3, 4, 4]), strict=True):
        score(assign(db, application, interviewer), scores)
    return application


def hire(application, people, **overrides):
    fields = {"actor": people["hr"], "start_date": START, "site": people["site"],
              "role_family": RoleFamily.MEDICAL_ASSISTANT, "manager": people["manager"], "today": TODAY}
    return hire_applicant(application, **{**fields, **overrides})


def development_modules(db, value_key: str) -> set[int]:
    track = db.session.scalar(select(Track).where(Track.key == "value-development"))
    return {m.id for m in track.modules if value_key in [v.key for v in m.values]}


def test_hiring_creates_the_employee_with_an_invitation_and_onboarding_for_the_low_values(db, interviewed, people):
    result = hire(interviewed, people)

    employee = db.session.scalar(select(User).where(User.email == "jordan.lee@example.org"))
    assert result.employee is employee and result.invited and result.low_values == ["care-coordination"]
    assert (employee.name, employee.site_id, employee.role_family, employee.manager_id, employee.start_date) == (
        "Jordan Lee", people["site"].id, RoleFamily.MEDICAL_ASSISTANT, people["manager"].id, START)
    assert employee.password_hash is None and employee.invited_at is not None and employee.role is Role.STAFF
    [invitation] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == employee.email)).all()
    assert invitation.kind == "invitation" and "/invite/" in invitation.body

    assert interviewed.stage is Stage.HIRED and interviewed.hired_user_id == employee.id
    change = db.session.scalar(select(StageChange).where(StageChange.application_id == interviewed.id))
    assert (change.from_stage, change.to_stage, change.actor_id) == (Stage.OFFER, Stage.HIRED, people["hr"].id)

    on_plan = set(db.session.scalars(select(Progress.module_id).where(Progress.employee_id == employee.id)))
    care = development_modules(db, "care-coordination")
    assert care and care <= on_plan
    assert not development_modules(db, "qi-strategy") & on_plan
    assert not development_modules(db, "team-based-relationships") & on_plan
    ma_track = db.session.scalar(select(Track).where(Track.key == "ma-onboarding"))
    assert {m.id for m in ma_track.modules} <= on_plan
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.hired")).all()
    assert event.entity_id == interviewed.id and event.after["low_values"] == ["care-coordination"]
    assert event.actor_id == people["hr"].id


def test_hire_hands_assign_on_hire_exactly_the_values_rated_2_5_or_lower(db, library, people, monkeypatch):
    calls = []
    monkeypatch.setattr("app.onboarding.services.assign_on_hire",
                        lambda employee, **kwargs: calls.append((employee, kwargs)) or [])
    posting = make_posting(db, CRITERIA, site=people["site"])
    application = make_application(db, posting)
    for interviewer, scores in zip(people["panel"], ([2, 2, 3], [3, 3, 2]), strict=True):  # 2.5, 2.5, 2.5
        score(assign(db, application, interviewer), scores)
    extra = assign(db, application, people["hr"])
    score(extra, [1, 1, 1], submit=False)  # a draft would pull every value down if it counted

    result = hire(application, people)

    [(employee, kwargs)] = calls
    assert employee is result.employee
    assert kwargs == {"actor": people["hr"], "today": TODAY,
                      "low_values": ["care-coordination", "qi-strategy", "team-based-relationships"]}


def test_hire_with_no_submitted_scorecard_is_allowed_and_adds_no_development_modules(
        db, library, people, monkeypatch):
    calls = []
    monkeypatch.setattr("app.onboarding.services.assign_on_hire",
                        lambda employee, **kwargs: calls.append(kwargs["low_values"]) or [])
    application = make_application(db, make_posting(db, CRITERIA, site=people["site"]))
    score(assign(db, application, people["panel"][0]), [1, 1, 1], submit=False)

    hire(application, people)

    assert calls == [[]] and application.stage is Stage.HIRED


@pytest.mark.parametrize(("stage", "message"), [
    (Stage.REJECTED, "Casey's application is rejected, so they cannot be hired from it."),
    (Stage.WITHDRAWN, "Casey's application is withdrawn, so they cannot be hired from it."),
    (Stage.HIRED, "Casey is already hired."),
])
def test_hire_refuses_a_closed_application_and_changes_nothing(db, people, stage, message):
    application = make_application(db, make_posting(db, CRITERIA, site=people["site"]), stage=stage, name="Casey")
    users = db.session.scalar(select(func.count()).select_from(User))

    with pytest.raises(HireError, match=re.escape(message)):
        hire(application, people)
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert application.hired_user_id is None
    assert db.session.scalar(select(func.count()).select_from(StageChange)) == 0


def account_state(db, account) -> tuple:
    """What hiring could change on an account, read back from the database."""
    db.session.expire_all()
    row = db.session.get(User, account.id)
    return (row.name, row.role, row.site_id, row.role_family, row.start_date, row.manager_id, row.department)


def nothing_hired(db, application, account) -> None:
    db.session.expire_all()
    assert application.stage is Stage.INTERVIEW and application.hired_user_id is None
    assert db.session.scalar(select(func.count()).select_from(StageChange)) == 0
    assert db.session.scalar(select(func.count()).select_from(Progress).where(Progress.employee_id == account.id)) == 0
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.hired")).all() == []


@pytest.fixture
def per_diem(people, make_user):
    """A staff member with an account of her own: another site and role family, a manager, an old start date."""
    return make_user(Role.STAFF, email="per.diem@example.org", name="Per Diem", role_family=RoleFamily.FRONT_DESK,
                     site=SiteFactory(name="Northside Clinic"), start_date=date(2021, 5, 3),
                     manager=make_user(Role.MANAGER, name="Olive Oldmanager"), department="Front desk")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.HR])
@pytest.mark.parametrize("confirmed", [False, True])
def test_hire_refuses_an_email_of_an_admin_or_hr_account_and_changes_nothing(
        db, library, people, make_user, role, confirmed):
    account = make_user(role, email="boss@example.org", name="Bea Boss", site=SiteFactory(), start_date=date(2020, 1, 6),
                        manager=make_user(Role.MANAGER, name="Top Manager"))
    before = account_state(db, account)
    application = make_application(db, make_posting(db, CRITERIA, site=people["site"]), email=" Boss@Example.org")
    extra = {"same_person": True} if confirmed else {}

    with pytest.raises(HireError, match=f"boss@example.org belongs to Bea Boss's {role.label} account") as refused:
        hire(application, people, **extra)

    assert "never linked to an admin or HR account" in str(refused.value)
    assert "nothing was changed" in str(refused.value)
    assert account_state(db, account) == before
    nothing_hired(db, application, account)


def test_hire_with_an_existing_staff_account_is_refused_until_hr_confirms_it_is_the_same_person(
        db, library, people, per_diem):
    before = account_state(db, per_diem)
    application = make_application(db, make_posting(db, CRITERIA, site=people["site"]), email="Per.Diem@example.org")

    with pytest.raises(HireError, match="per.diem@example.org already belongs to Per Diem's account") as refused:
        hire(application, people)

    assert "Staff at Northside Clinic" in str(refused.value) and "Per Diem is this applicant" in str(refused.value)
    assert account_state(db, per_diem) == before
    nothing_hired(db, application, per_diem)


def test_hire_confirmed_as_an_existing_account_links_it_and_keeps_its_manager(db, library, people, per_diem):
    old_manager = per_diem.manager_id
    application = make_application(db, make_posting(db, CRITERIA, site=people["site"]), email="Per.Diem@example.org")

    result = hire(application, people, same_person=True)

    assert result.employee is per_diem and not result.invited
    assert account_state(db, per_diem) == ("Per Diem", Role.STAFF, people["site"].id, RoleFamily.MEDICAL_ASSISTANT,
                                           START, old_manager, "Front desk")
    assert people["manager"].id != old_manager
    assert application.hired_user_id == per_diem.id and application.stage is Stage.HIRED
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "invitation")) == 0
    assert db.session.scalar(select(func.count()).select_from(Progress).where(Progress.employee_id == per_diem.id))
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.hired")).all()
    assert event.after["employee_id"] == per_diem.id and event.after["invited"] is False
    assert "Olive Oldmanager" in summary(result) and "keeps its manager" in summary(result)


def test_hire_refuses_an_email_that_belongs_to_a_deactivated_account(db, people, make_user):
    make_user(Role.STAFF, email="gone@example.org", active=False)
    application = make_application(db, make_posting(db, CRITERIA, site=people["site"]), email="gone@example.org")
    for confirmed in ({}, {"same_person": True}):
        with pytest.raises(HireError, match="deactivated account"):
            hire(application, people, **confirmed)
    assert application.stage is Stage.INTERVIEW


# Over HTTP -------------------------------------------------------------------------------------
def test_hr_hires_from_a_prefilled_form_and_reads_which_development_values_were_added(
        db, client, auth, interviewed, people, make_user):
    make_user(Role.MANAGER, name="Old Manager", active=False)
    auth.login(people["hr"])
    url = f"/hiring/applications/{interviewed.id}/hire"

    page = html.unescape(client.get(url).get_data(as_text=True))
    assert f'<option selected value="{people["site"].id}">' in page
    assert '<option selected value="medical-assistant">' in page
    assert "Mia Manager" in page and "Old Manager" not in page
    assert "Care Coordination (2.5)" in page

    missing = html.unescape(client.post(url, data={"site_id": people["site"].id}).get_data(as_text=True))
    assert "Enter the start date." in missing and interviewed.stage is Stage.OFFER

    done = client.post(url, data={"start_date": START.isoformat(), "site_id": people["site"].id,
                                  "role_family": "medical-assistant", "manager_id": people["manager"].id},
                       follow_redirects=True)
    message = html.unescape(done.get_data(as_text=True))
    assert "Jordan Lee is hired. An invitation to set a password went to jordan.lee@example.org." in message
    assert "Development modules added for Care Coordination." in message
    db.session.refresh(interviewed)
    assert interviewed.stage is Stage.HIRED
    again = client.get(url, follow_redirects=True)
    assert "Jordan Lee is already hired." in html.unescape(again.get_data(as_text=True))


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_only_hr_and_admins_hire(db, client, login_as, people, role):
    application = make_application(db, make_posting(db, CRITERIA, site=people["site"]))
    login_as(role, is_interviewer=True)
    assert client.get(f"/hiring/applications/{application.id}/hire").status_code == 403
    assert client.post(f"/hiring/applications/{application.id}/hire", data={}).status_code == 403
    db.session.refresh(application)
    assert application.stage is Stage.INTERVIEW and application.hired_user_id is None


def hire_page(client, url) -> str:
    return html.unescape(client.get(url).get_data(as_text=True))


def test_hire_page_shows_the_existing_account_and_links_only_once_hr_confirms(
        db, client, auth, library, people, per_diem):
    application = make_application(db, make_posting(db, CRITERIA, site=people["site"]), stage=Stage.OFFER,
                                   name="Peri Applicant", email="per.diem@example.org")
    old_manager = per_diem.manager_id
    auth.login(people["hr"])
    url = f"/hiring/applications/{application.id}/hire"

    page = hire_page(client, url)
    account = page[page.index("An account already uses per.diem@example.org"):]
    for shown in ("Per Diem", "per.diem@example.org", "Staff", "Northside Clinic", "Olive Oldmanager",
                  "Front desk"):
        assert shown in account, shown
    assert 'name="same_person"' in page and "Per Diem is this applicant" in page
    assert 'name="manager_id"' not in page and "keeps its manager, Olive Oldmanager" in page

    data = {"start_date": START.isoformat(), "site_id": people["site"].id, "role_family": "medical-assistant"}
    refused = html.unescape(client.post(url, data=data, follow_redirects=True).get_data(as_text=True))
    assert "per.diem@example.org already belongs to Per Diem's account" in refused
    db.session.expire_all()
    assert application.stage is Stage.OFFER and per_diem.site_id != people["site"].id

    done = client.post(url, data={**data, "same_person": "y", "manager_id": people["manager"].id},
                       follow_redirects=True)
    message = html.unescape(done.get_data(as_text=True))
    assert "Per Diem is hired; their existing account (per.diem@example.org)" in message
    assert "keeps its manager (Olive Oldmanager)" in message
    db.session.expire_all()
    assert application.stage is Stage.HIRED and application.hired_user_id == per_diem.id
    assert (per_diem.site_id, per_diem.start_date, per_diem.manager_id) == (people["site"].id, START, old_manager)


def test_hire_page_refuses_an_application_with_an_admins_email_and_changes_nothing(
        db, client, auth, library, people, make_user):
    admin = make_user(Role.ADMIN, email="admin@example.org", name="Ada Admin", site=SiteFactory(name="Head Office"))
    before = account_state(db, admin)
    application = make_application(db, make_posting(db, CRITERIA, site=people["site"]), email="ADMIN@example.org")
    auth.login(people["hr"])
    url = f"/hiring/applications/{application.id}/hire"

    page = hire_page(client, url)
    assert "admin@example.org belongs to Ada Admin's Admin account" in page and "Head Office" in page
    assert 'name="same_person"' not in page and "Hire and start onboarding" not in page

    response = client.post(url, data={"start_date": START.isoformat(), "site_id": people["site"].id,
                                      "role_family": "medical-assistant", "manager_id": people["manager"].id,
                                      "same_person": "y"}, follow_redirects=True)
    assert "never linked to an admin or HR account" in html.unescape(response.get_data(as_text=True))
    assert account_state(db, admin) == before
    nothing_hired(db, application, admin)
