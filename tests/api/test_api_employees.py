"""Employees and sites through the API: filters, cursor pagination, writes through the admin services
(same rules as the pages), audit entries, problem details, and a constant number of statements."""

from __future__ import annotations

from sqlalchemy import select

from app.models import AuditEvent, OutboxMessage, Role, RoleFamily, User
from tests.access_world import fingerprint
from tests.api.conftest import Api
from tests.helpers import count


def test_employees_are_listed_with_filters(db, org, api):
    everyone = api.get("/employees").get_json()
    assert [e["email"] for e in everyone["items"]] == [u.email for u in (org.admin, org.hr, org.manager, org.sam,
                                                                          org.tess)]
    assert everyone["next_cursor"] is None
    at_site = api.get(f"/employees?site_id={org.site.id}").get_json()["items"]
    assert {e["email"] for e in at_site} == {org.manager.email, org.sam.email}
    desk = api.get("/employees?role_family=front-desk").get_json()["items"]
    assert [e["id"] for e in desk] == [org.tess.id]
    assert desk[0] | {"deactivated_at": None} == {
        "id": org.tess.id, "email": "tess@example.org", "name": "Tess Teammate", "role": "staff",
        "site_id": org.other_site.id, "department": org.tess.department, "role_family": "front-desk",
        "manager_id": org.manager.id, "start_date": org.tess.start_date.isoformat(), "active": True,
        "deactivated_at": None}
    org.tess.active = False
    db.session.flush()
    assert [e["id"] for e in api.get("/employees?active=false").get_json()["items"]] == [org.tess.id]
    assert org.tess.id not in [e["id"] for e in api.get("/employees?active=true").get_json()["items"]]


def test_the_cursor_walks_every_employee_once(db, org, api, make_user):
    for number in range(7):
        make_user(Role.STAFF, email=f"extra{number}@example.org")
    seen, cursor, pages = [], None, 0
    while True:
        page = api.get(f"/employees?limit=5{f'&cursor={cursor}' if cursor else ''}").get_json()
        seen += [e["id"] for e in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    everyone = db.session.scalars(select(User.id).order_by(User.id)).all()
    assert seen == everyone and pages == 3


def test_a_bad_filter_or_cursor_is_a_422_with_field_errors(db, org, api):
    for query, field in (("limit=500", "limit"), ("cursor=bm9wZQ", "cursor"), ("role_family=wizard", "role_family"),
                         ("active=perhaps", "active"), ("site_id=abc", "site_id"), ("colour=red", "colour")):
        response = api.get(f"/employees?{query}")
        problem = response.get_json()
        assert response.status_code == 422 and response.mimetype == "application/problem+json", query
        assert problem["type"] == "about:blank" and problem["title"] == "Unprocessable Entity" and problem["status"] == 422
        assert field in problem["errors"], (query, problem)


def test_creating_an_employee_invites_them_and_is_audited(db, org, api, smtp_server, smtp_config):
    inbox, controller = smtp_server()
    smtp_config(controller.port)
    response = api.post("/employees", json={"email": "Nia.Hire@Example.org", "name": "Nia Hire",
                                            "site_id": org.site.id, "role_family": "medical-assistant",
                                            "manager_id": org.manager.id, "start_date": "2027-01-04"})
    assert response.status_code == 201, response.get_json()
    created = db.session.scalar(select(User).where(User.email == "nia.hire@example.org"))
    assert response.get_json()["id"] == created.id and created.role is Role.STAFF and created.password_hash is None
    assert created.manager_id == org.manager.id and created.role_family is RoleFamily.MEDICAL_ASSISTANT
    noted = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api.employee_created"))
    assert noted.entity_id == created.id and "HRIS sync" in noted.note and noted.actor_id == org.admin.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created",
                                                      AuditEvent.entity_id == created.id)).actor_id == org.admin.id
    assert count(db, OutboxMessage, OutboxMessage.recipient == "nia.hire@example.org") == 1
    assert [rcpt for rcpt, _ in inbox.messages] == [["nia.hire@example.org"]]
    assert "http://localhost/invite/" in inbox.messages[0][1].get_body(("plain",)).get_content()


def test_bad_input_to_create_changes_nothing(db, org, api):
    db.session.commit()
    cases = [
        ({"name": "No E-mail"}, "email"),
        ({"email": "not-an-email", "name": "X"}, "email"),
        ({"email": "a@example.org", "name": ""}, "name"),
        ({"email": "a@example.org", "name": "A", "role": "admin"}, "role"),  # roles are set in the app only
        ({"email": "a@example.org", "name": "A", "start_date": "9999-12-31"}, "start_date"),
        ({"email": "a@example.org", "name": "A", "site_id": 999999}, "site_id"),
        ({"email": "a@example.org", "name": "A", "manager_id": 999999}, "manager_id"),
        ({"email": "a@example.org", "name": "A", "manager_id": "seven"}, "manager_id"),
    ]
    before = fingerprint()
    for body, field in cases:
        response = api.post("/employees", json=body)
        assert response.status_code == 422 and field in response.get_json()["errors"], (body, response.get_json())
    staff_manager = api.post("/employees", json={"email": "b@example.org", "name": "B", "manager_id": org.sam.id})
    assert "does not hold the manager role" in staff_manager.get_json()["errors"]["manager_id"][0]
    duplicate = api.post("/employees", json={"email": "SAM@example.org", "name": "Sam Again"})
    assert duplicate.status_code == 409 and "already has an account" in duplicate.get_json()["detail"]
    not_json = api.call("POST", "/employees", headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 422
    after = fingerprint()
    assert {t for t in before if before[t] != after[t]} <= {"api_call", "api_token"}


def test_update_changes_only_the_fields_sent_and_obeys_the_admin_rules(db, org, api):
    response = api.patch(f"/employees/{org.sam.id}", json={"department": "Front desk", "site_id": org.other_site.id})
    assert response.status_code == 200
    db.session.refresh(org.sam)
    assert (org.sam.department, org.sam.site_id, org.sam.name, org.sam.manager_id) == (
        "Front desk", org.other_site.id, "Sam Staff", org.manager.id)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api.employee_updated")) is not None
    loop = api.patch(f"/employees/{org.manager.id}", json={"manager_id": org.manager.id})
    assert loop.status_code == 422 and "cannot be their own manager" in loop.get_json()["detail"]
    assert api.patch("/employees/999999", json={"name": "Nobody"}).status_code == 404
    assert api.patch(f"/employees/{org.sam.id}", json={"email": "new@example.org"}).status_code == 422


def test_deactivating_keeps_the_record_and_refuses_twice(db, org, api):
    response = api.post(f"/employees/{org.tess.id}/deactivate")
    assert response.status_code == 200 and response.get_json()["active"] is False
    db.session.refresh(org.tess)
    assert org.tess.active is False and org.tess.deactivated_at is not None
    again = api.post(f"/employees/{org.tess.id}/deactivate")
    assert again.status_code == 409 and "already deactivated" in again.get_json()["detail"]
    own = api.post(f"/employees/{org.admin.id}/deactivate")  # the token acts for the admin who issued it
    assert own.status_code == 409 and "your own account" in own.get_json()["detail"]


def test_sites_are_listed(db, org, api):
    sites = api.get("/sites").get_json()
    assert [s["name"] for s in sites] == ["Harbor Clinic", "Riverside Family Health"]
    assert set(sites[0]) == {"id", "name", "city", "region", "archived"}


def test_unknown_paths_and_methods_answer_with_problem_details(db, org, api):
    missing = api.get("/nothing-here")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json()["status"] == 404 and missing.get_json()["title"] == "Not Found"
    wrong_method = api.call("DELETE", f"/employees/{org.sam.id}")
    assert wrong_method.status_code == 405 and wrong_method.mimetype == "application/problem+json"
    assert api.get("/employees/999999").get_json()["detail"] == "There is no employee with id 999999."


def test_listing_a_page_of_100_employees_takes_the_same_statements_at_two_sizes(db, org, client, issue,
                                                                                make_user, count_queries):
    _, secret = issue("read:employees")
    reader = Api(client, secret)
    for number in range(110):
        make_user(Role.STAFF, email=f"small{number}@example.org", site=org.site, manager=org.manager)
    db.session.commit()
    reader.get("/employees?limit=100")  # warm up
    with count_queries() as small:
        assert len(reader.get("/employees?limit=100").get_json()["items"]) == 100
    for number in range(400):
        make_user(Role.STAFF, email=f"large{number}@example.org", site=org.other_site, manager=org.manager)
    db.session.commit()
    with count_queries() as large:
        assert len(reader.get("/employees?limit=100").get_json()["items"]) == 100
    assert len(small) == len(large) <= 6, large
