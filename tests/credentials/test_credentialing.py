"""Re-credentialing: due two years after the last credentialing (the start date until one is recorded), HR's queue
of who is due within 90 days or overdue, privileges, and the printable credentialing file."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.credentials.credentialing import (
    archive_privilege,
    due_after,
    grant_privilege,
    latest_on_or_before_due,
    queue_query,
    queue_rows,
    record_credentialed,
    standing_of,
)
from app.credentials.services import CredentialError
from app.extensions import db as _db
from app.models import AuditEvent, CredentialingEvent, Privilege, Role, RoleFamily
from tests.factories import SiteFactory
from tests.helpers import text

TODAY = dt.date(2026, 12, 4)
NURSE = RoleFamily.NURSE_CARE_MANAGER


def queue(today=TODAY, **filters) -> list[str]:
    return [row.employee.name for row in queue_rows(list(_db.session.scalars(queue_query(today, **filters))))]


# Due dates -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("last", "due"),
    [
        (dt.date(2024, 12, 4), dt.date(2026, 12, 4)),
        (dt.date(2024, 2, 29), dt.date(2026, 2, 28)),
        (dt.date(2025, 1, 31), dt.date(2027, 1, 31)),
        (None, None),
    ],
)
def test_re_credentialing_is_due_two_years_after_the_last(last, due):
    assert due_after(last) == due


@pytest.mark.parametrize("horizon", [dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2027, 3, 4), TODAY])
def test_the_queue_cut_off_is_the_exact_inverse_of_the_due_date(horizon):
    cutoff = latest_on_or_before_due(horizon)
    assert due_after(cutoff) <= horizon < due_after(cutoff + dt.timedelta(days=1))


def test_the_start_date_counts_until_hr_records_a_credentialing(db, make_user):
    hr = make_user(Role.HR)
    nurse = make_user(Role.STAFF, role_family=NURSE, start_date=dt.date(2025, 3, 1))
    assert (standing_of(nurse).recorded, standing_of(nurse).due_on) == (False, dt.date(2027, 3, 1))
    record_credentialed(nurse, credentialed_on=dt.date(2026, 11, 20), note=" Committee ", actor=hr, today=TODAY)
    standing = standing_of(nurse)
    assert (standing.recorded, standing.last_credentialed_on, standing.due_on) == (
        True, dt.date(2026, 11, 20), dt.date(2028, 11, 20))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "credential.recredentialed"))
    assert event.actor_id == hr.id and event.after["due_on"] == "2028-11-20"


@pytest.mark.parametrize(
    ("credentialed_on", "message"),
    [(TODAY + dt.timedelta(days=1), "in the future"), (dt.date(2026, 1, 1), "already credentialed on Jan 1, 2026")],
)
def test_a_future_or_not_later_date_is_refused(db, make_user, credentialed_on, message):
    hr = make_user(Role.HR)
    nurse = make_user(Role.STAFF, role_family=NURSE)
    record_credentialed(nurse, credentialed_on=dt.date(2026, 1, 1), note="", actor=hr, today=TODAY)
    with pytest.raises(CredentialError, match=message):
        record_credentialed(nurse, credentialed_on=credentialed_on, note="", actor=hr, today=TODAY)
    assert len(list(db.session.scalars(select(CredentialingEvent)))) == 1


# The queue -------------------------------------------------------------------------------------------
def test_the_queue_holds_the_overdue_and_those_due_within_90_days_at_the_boundaries(db, make_user, kinds):
    hr = make_user(Role.HR)
    starts = {
        "Due in 90 days": TODAY + dt.timedelta(days=90),
        "Due in 91 days": TODAY + dt.timedelta(days=91),
        "Due today": TODAY,
        "Due yesterday": TODAY - dt.timedelta(days=1),
    }
    for name, due in starts.items():
        make_user(Role.STAFF, name=name, role_family=NURSE, start_date=dt.date(due.year - 2, due.month, due.day))
    make_user(Role.STAFF, name="Never credentialed", role_family=NURSE, start_date=None)
    make_user(Role.STAFF, name="Front desk", role_family=RoleFamily.FRONT_DESK, start_date=dt.date(2020, 1, 1))
    make_user(Role.STAFF, name="Gone", role_family=NURSE, start_date=dt.date(2020, 1, 1), active=False)
    renewed = make_user(Role.STAFF, name="Renewed", role_family=NURSE, start_date=dt.date(2020, 1, 1))
    record_credentialed(renewed, credentialed_on=dt.date(2026, 6, 1), note="", actor=hr, today=TODAY)
    assert queue() == ["Never credentialed", "Due yesterday", "Due today", "Due in 90 days"]


def test_the_queue_filters_by_site(db, make_user, kinds):
    north, south = SiteFactory(name="North"), SiteFactory(name="South")
    make_user(Role.STAFF, name="North nurse", role_family=NURSE, start_date=dt.date(2024, 1, 1), site=north)
    make_user(Role.STAFF, name="South nurse", role_family=NURSE, start_date=dt.date(2024, 1, 1), site=south)
    assert queue(site_id=north.id) == ["North nurse"]
    assert queue() == ["North nurse", "South nurse"]


def test_the_queue_page_costs_the_same_statements_at_any_size(client, db, make_user, login_as, kinds, count_queries):
    login_as(Role.HR)
    hr = make_user(Role.HR)

    def grow(people: int) -> None:
        site = SiteFactory()
        for number in range(people):
            nurse = make_user(Role.STAFF, role_family=NURSE, start_date=dt.date(2020, 1, 1), site=site)
            if number % 2:
                record_credentialed(nurse, credentialed_on=dt.date(2024, 12, 1), note="", actor=hr,
                                    today=dt.date.today())
        db.session.commit()

    grow(3)
    with count_queries() as small:
        first = client.get("/credentials/recredentialing")
    grow(12)
    with count_queries() as large:
        client.get("/credentials/recredentialing")
    assert "overdue" in text(first)
    assert small and len(large) == len(small)


def test_the_queue_page_lists_names_with_their_due_dates_and_an_empty_state(client, db, make_user, login_as, kinds):
    login_as(Role.HR)
    assert "Nobody is overdue or due for re-credentialing" in text(client.get("/credentials/recredentialing"))
    make_user(Role.STAFF, name="Nell Nurse", role_family=NURSE, start_date=dt.date.today() - dt.timedelta(days=740))
    db.session.commit()
    page = text(client.get("/credentials/recredentialing"))
    assert "Nell Nurse" in page and "10 days overdue" in page


# Privileges and the file -------------------------------------------------------------------------------
def test_privileges_are_granted_and_archived_never_deleted(db, make_user):
    hr = make_user(Role.HR)
    nurse = make_user(Role.STAFF, role_family=NURSE)
    privilege = grant_privilege(nurse, text=" Performs  spirometry ", granted_on=TODAY, granted_by="Medical director",
                                actor=hr, today=TODAY)
    assert privilege.text == "Performs spirometry"
    with pytest.raises(CredentialError, match="Say who granted it"):
        grant_privilege(nurse, text="X", granted_on=TODAY, granted_by=" ", actor=hr, today=TODAY)
    archive_privilege(privilege, actor=hr)
    assert db.session.get(Privilege, privilege.id).archived_at is not None
    db.session.delete(privilege)
    with pytest.raises(RuntimeError, match="never deleted"):
        db.session.flush()


def test_hr_records_re_credentialing_and_a_privilege_on_the_persons_page(client, db, login_as, make_user):
    login_as(Role.HR)
    nurse = make_user(Role.STAFF, name="Nora Nurse", role_family=NURSE, start_date=dt.date(2024, 1, 2))
    db.session.commit()
    today = dt.date.today()
    page = text(client.post(f"/credentials/people/{nurse.id}/recredentialed",
                            data={"credentialed_on": today.isoformat(), "note": "Committee"}, follow_redirects=True))
    assert "Nora Nurse re-credentialed on" in page and "Last credentialed" in page
    assert "(recorded by " in page and ": Committee" in page  # the history of credentialings
    title = page[page.index("<title>"):page.index("</title>")]
    assert "<" not in title[len("<title>"):] and "Credentials: Nora Nurse" in title
    assert f"{due_after(today):%b} {due_after(today).day}, {due_after(today).year}" in page
    page = text(client.post(f"/credentials/people/{nurse.id}/privileges", data={
        "text": "Performs IUD insertion", "granted_on": today.isoformat(), "granted_by": "Board of Directors"},
        follow_redirects=True))
    assert "Privilege added to Nora Nurse" in page and "Performs IUD insertion" in page


def test_a_bad_privilege_shows_the_reason_on_the_page_and_stores_nothing(client, db, login_as, make_user):
    login_as(Role.HR)
    nurse = make_user(Role.STAFF)
    db.session.commit()
    response = client.post(f"/credentials/people/{nurse.id}/privileges", data={"text": "X", "granted_on": "2026-01-01"})
    assert response.status_code == 400 and "Say who granted it." in text(response)
    assert db.session.scalar(select(Privilege)) is None


def test_archiving_a_privilege_asks_first(client, db, login_as, make_user):
    hr = login_as(Role.HR)
    nurse = make_user(Role.STAFF)
    privilege = grant_privilege(nurse, text="Performs spirometry", granted_on=dt.date.today(), granted_by="MD",
                                actor=hr, today=dt.date.today())
    db.session.commit()
    assert "Archive this privilege?" in text(client.get(f"/credentials/privileges/{privilege.id}/archive"))
    page = text(client.post(f"/credentials/privileges/{privilege.id}/archive", follow_redirects=True))
    assert "Privilege archived; its record is kept" in page and "No privileges on" in page


def test_the_file_shows_every_credential_its_verification_and_the_privileges(client, db, login_as, make_user, kinds,
                                                                             hold):
    hr = login_as(Role.HR)
    nurse = make_user(Role.STAFF, name="Nora Nurse", role_family=NURSE, start_date=dt.date(2025, 5, 1))
    hold(nurse, kinds["rn"], verified=True, number="RN-77", actor=hr)
    hold(nurse, kinds["bls"], number="BLS-5", actor=hr)
    grant_privilege(nurse, text="Performs spirometry", granted_on=dt.date.today(), granted_by="Medical director",
                    actor=hr, today=dt.date.today())
    db.session.commit()
    page = text(client.get(f"/credentials/people/{nurse.id}/file"))
    assert "Credentialing file: Nora Nurse" in page
    assert "RN-77" in page and f"Primary source: Board lookup. Verified by {hr.name}" in page
    assert "BLS-5" in page and "Not verified." in page
    assert "Performs spirometry" in page and "Medical director" in page
    assert "Re-credentialing is due" in page and "May 1, 2027" in page


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_staff_and_managers_see_neither_the_queue_nor_a_file(client, db, login_as, make_user, role):
    nurse = make_user(Role.STAFF)
    db.session.commit()
    login_as(role)
    assert client.get("/credentials/recredentialing").status_code == 403
    assert client.get(f"/credentials/people/{nurse.id}/file").status_code == 403
    assert client.post(f"/credentials/people/{nurse.id}/recredentialed",
                       data={"credentialed_on": "2026-01-01"}).status_code == 403
    assert db.session.scalar(select(CredentialingEvent)) is None
