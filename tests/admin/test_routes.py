"""Admin pages over HTTP: invite, edit, deactivate with confirmation, sites, audit filters."""

from sqlalchemy import func, select

from app.models import AuditEvent, Role, Site, User
from tests.factories import SiteFactory


def test_users_list_searches_and_paginates(client, login_as, make_user, app):
    admin = login_as(Role.ADMIN, name="Ada Admin")
    for i in range(30):
        make_user(name=f"Zed Worker {i:02d}")
    page1 = client.get("/admin/users?q=zed").get_data(as_text=True)
    assert "Zed Worker 00" in page1 and f'href="/admin/users/{admin.id}"' not in page1
    assert "Page 1 of 2" in page1
    page2 = client.get("/admin/users?q=zed&page=2").get_data(as_text=True)
    assert "Zed Worker 29" in page2


def test_users_list_empty_state(client, login_as):
    login_as(Role.ADMIN)
    html = client.get("/admin/users?q=nobody-matches-this").get_data(as_text=True)
    assert "No users match these filters." in html


def test_invite_refuses_an_existing_email_and_changes_nothing(client, login_as, make_user, db):
    login_as(Role.ADMIN)
    existing = make_user(email="taken@example.org")
    before = db.session.scalar(select(func.count(User.id)))
    response = client.post("/admin/users/new", data={"email": existing.email, "name": "Someone", "role": "staff"})
    assert "taken@example.org already has an account." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id))) == before


def test_invite_requires_name_and_valid_email(client, login_as, db):
    login_as(Role.ADMIN)
    before = db.session.scalar(select(func.count(User.id)))
    html = client.post("/admin/users/new", data={"email": "not-an-email", "name": "", "role": "staff"}).get_data(as_text=True)
    assert "Invalid email address." in html and "This field is required." in html
    assert db.session.scalar(select(func.count(User.id))) == before


def test_admin_sets_role_and_manager(client, login_as, make_user):
    login_as(Role.ADMIN)
    manager = make_user(Role.MANAGER, name="Mona Manager")
    person = make_user(Role.STAFF)
    response = client.post(f"/admin/users/{person.id}", data={
        "name": "Renamed Person", "role": "staff", "is_interviewer": "y", "site_id": "",
        "department": "Adult medicine", "role_family": "medical-assistant", "manager_id": str(manager.id),
        "start_date": "2026-11-02",
    })
    assert response.status_code == 302
    assert person.name == "Renamed Person" and person.manager_id == manager.id and person.is_interviewer
    assert person.role_family.value == "medical-assistant" and str(person.start_date) == "2026-11-02"


def test_deactivation_asks_for_confirmation_first(client, login_as, make_user):
    login_as(Role.ADMIN)
    person = make_user(name="Pat Person")
    page = client.get(f"/admin/users/{person.id}/deactivate").get_data(as_text=True)
    assert "Deactivate Pat Person?" in page and person.active
    response = client.post(f"/admin/users/{person.id}/deactivate", follow_redirects=True)
    assert "Pat Person is deactivated" in response.get_data(as_text=True)
    assert not person.active


def test_site_names_are_unique(client, login_as, db):
    login_as(Role.ADMIN)
    SiteFactory(name="Riverside")
    html = client.post("/admin/sites/new", data={"name": "riverside"}).get_data(as_text=True)
    assert "A site named riverside already exists." in html
    assert db.session.scalar(select(func.count(Site.id))) == 1


def test_site_archive_keeps_the_row(client, login_as, db):
    login_as(Role.ADMIN)
    site = SiteFactory(name="Old Clinic")
    client.post(f"/admin/sites/{site.id}/archive")
    assert site.archived and db.session.get(Site, site.id) is not None
    assert "Archived" in client.get("/admin/sites").get_data(as_text=True)


def test_audit_log_filters_by_action_and_shows_changes(client, login_as, make_user, db):
    admin = login_as(Role.ADMIN)
    person = make_user(name="Audited Person")
    client.post(f"/admin/users/{person.id}", data={"name": "Audited Renamed", "role": "staff"})
    html = client.get("/admin/audit?action=user.updated").get_data(as_text=True)
    assert "Audited Renamed" in html and admin.email in html
    assert "user.signed_in" not in html
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "user.updated")) >= 1


def test_audit_log_explains_a_bad_date(client, login_as):
    login_as(Role.ADMIN)
    html = client.get("/admin/audit?since=31-12-2026").get_data(as_text=True)
    assert "Dates are written YYYY-MM-DD" in html


def test_admin_post_without_csrf_token_is_refused_and_changes_nothing(client, login_as, make_user, csrf_on):
    from tests.conftest import csrf_token

    admin = make_user(Role.ADMIN)
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"email": admin.email, "password": "correct horse battery staple", "csrf_token": token})
    person = make_user(name="Kept Active")
    response = client.post(f"/admin/users/{person.id}/deactivate")
    assert response.status_code == 400 and "form expired" in response.get_data(as_text=True)
    assert person.active
