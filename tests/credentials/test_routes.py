"""HR's credentials pages: what HR sees and records, with confirmation before archiving; staff and managers are
refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models import EmployeeCredential, Role
from tests.helpers import text


@pytest.fixture
def nurse(make_user):
    return make_user(Role.STAFF, name="Nora Nurse")


def test_hr_sees_each_credential_with_its_status(client, db, login_as, kinds, nurse, hold):
    hr = login_as(Role.HR)
    hold(nurse, kinds["rn"], days=400, verified=True, actor=hr)
    hold(nurse, kinds["bls"], days=20, verified=True, actor=hr)
    db.session.commit()
    page = text(client.get(f"/credentials/people/{nurse.id}"))
    assert "Credentials: Nora Nurse" in page
    assert "RN licence" in page and "active" in page
    assert "expiring within 30 days" in page
    assert f"Primary source (Board lookup), by {hr.name}" in page


def test_an_employee_without_credentials_gets_an_empty_state(client, login_as, kinds, nurse):
    login_as(Role.HR)
    assert "has no credentials on record yet" in text(client.get(f"/credentials/people/{nurse.id}"))


def test_hr_adds_a_credential_that_shows_unverified(client, db, login_as, kinds, nurse):
    login_as(Role.HR)
    response = client.post(
        f"/credentials/people/{nurse.id}",
        data={
            "credential_type_id": str(kinds["bls"].id),
            "number": "BLS-77",
            "issuer": "American Heart Association",
            "issued_on": "2026-01-10",
            "expires_on": "2028-01-31",
        },
        follow_redirects=True,
    )
    page = text(response)
    assert "BLS added for Nora Nurse" in page
    assert "BLS-77" in page and "unverified" in page
    stored = db.session.scalar(select(EmployeeCredential).where(EmployeeCredential.employee_id == nurse.id))
    assert (stored.number, stored.expires_on) == ("BLS-77", dt.date(2028, 1, 31))


def test_a_refused_add_says_why_and_stores_nothing(client, db, login_as, kinds, nurse):
    login_as(Role.HR)
    page = text(
        client.post(
            f"/credentials/people/{nurse.id}",
            data={
                "credential_type_id": str(kinds["rn"].id),
                "number": "RN-1",
                "issuer": "Oregon board",
                "issued_on": "2026-05-01",
                "expires_on": "2026-04-01",
            },
            follow_redirects=True,
        )
    )
    assert "before the issue date" in page
    assert db.session.scalar(select(EmployeeCredential)) is None


def test_hr_verifies_with_the_primary_source(client, db, login_as, kinds, nurse, hold):
    hr = login_as(Role.HR)
    credential = hold(nurse, kinds["rn"], days=400, actor=hr)
    db.session.commit()
    form = text(client.get(f"/credentials/{credential.id}/verify"))
    assert "must be verified with the primary source" in form
    page = text(
        client.post(
            f"/credentials/{credential.id}/verify",
            data={"method": "primary-source", "source": "Oregon board licence lookup"},
            follow_redirects=True,
        )
    )
    assert "RN licence verified" in page
    db.session.expire_all()
    stored = db.session.get(EmployeeCredential, credential.id)
    assert stored.verified_by_id == hr.id and stored.verification_source == "Oregon board licence lookup"


def test_a_copy_seen_is_refused_for_a_primary_source_type(client, db, login_as, kinds, nurse, hold):
    hr = login_as(Role.HR)
    credential = hold(nurse, kinds["rn"], days=400, actor=hr)
    db.session.commit()
    page = text(
        client.post(
            f"/credentials/{credential.id}/verify", data={"method": "copy-seen", "source": ""}, follow_redirects=True
        )
    )
    assert "must be verified with the primary source" in page
    db.session.expire_all()
    assert db.session.get(EmployeeCredential, credential.id).verified_at is None


def test_archiving_asks_first_then_keeps_the_record(client, db, login_as, kinds, nurse, hold):
    hr = login_as(Role.HR)
    credential = hold(nurse, kinds["bls"], days=400, actor=hr)
    db.session.commit()
    confirm = text(client.get(f"/credentials/{credential.id}/archive"))
    assert "Archive BLS?" in confirm and "nothing is deleted" in confirm
    assert db.session.get(EmployeeCredential, credential.id).archived_at is None
    page = text(client.post(f"/credentials/{credential.id}/archive", follow_redirects=True))
    assert "BLS archived; its record is kept" in page
    assert "has no credentials on record yet" in page
    db.session.expire_all()
    assert db.session.get(EmployeeCredential, credential.id).archived_at is not None
    assert client.get(f"/credentials/{credential.id}/verify").status_code == 404


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_staff_and_managers_are_refused_and_change_nothing(client, db, make_user, login_as, kinds, nurse, hold, role):
    hr = make_user(Role.HR)
    credential = hold(nurse, kinds["bls"], days=400, actor=hr)
    db.session.commit()
    login_as(role)
    assert client.get(f"/credentials/people/{nurse.id}").status_code == 403
    assert client.post(f"/credentials/{credential.id}/verify", data={"method": "copy-seen"}).status_code == 403
    assert client.post(f"/credentials/{credential.id}/archive").status_code == 403
    db.session.expire_all()
    stored = db.session.get(EmployeeCredential, credential.id)
    assert stored.verified_at is None and stored.archived_at is None


def test_an_unknown_employee_is_not_found(client, login_as):
    login_as(Role.HR)
    assert client.get("/credentials/people/999999").status_code == 404


def test_hr_reaches_the_credentials_page_from_the_persons_team_page(client, db, login_as, make_user):
    manager = make_user(Role.MANAGER)
    member = make_user(Role.STAFF, manager=manager, name="Rita Report")
    login_as(Role.HR)
    page = text(client.get(f"/team/people/{member.id}"))
    assert f'href="/credentials/people/{member.id}">Credentials</a>' in page


def test_a_manager_gets_no_credentials_link_on_the_team_page(client, db, make_user, auth):
    manager = make_user(Role.MANAGER)
    member = make_user(Role.STAFF, manager=manager)
    auth.login(manager)
    page = text(client.get(f"/team/people/{member.id}"))
    assert member.name in page and f"/credentials/people/{member.id}" not in page


def test_hr_sees_an_unverified_credential_expiring_soon_with_both_badges(client, db, login_as, kinds, nurse, hold):
    hr = login_as(Role.HR)
    hold(nurse, kinds["bls"], days=12, actor=hr)
    hold(nurse, kinds["rn"], days=400, actor=hr)
    db.session.commit()
    page = text(client.get(f"/credentials/people/{nurse.id}"))
    rows = page.split("<tr>")
    bls = next(row for row in rows if ">BLS<" in row)
    rn = next(row for row in rows if ">RN licence<" in row)
    assert "unverified" in bls and "expires in 12 days" in bls
    assert "unverified" in rn and "expires in" not in rn
