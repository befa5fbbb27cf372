"""API tokens: issued by admins only, stored as a hash, shown once, revoked but kept, every step audited."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.api.tokens import TokenError, find_token, issue_token, revoke_token
from app.audit import acting_as
from app.models import ApiCall, ApiToken, AuditEvent, Role
from tests.api.conftest import TODAY, Api
from tests.helpers import count, text


def test_the_secret_is_stored_only_as_its_sha256(db, org, issue):
    token, secret = issue("read:employees")
    stored = db.session.get(ApiToken, token.id)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(db.session.execute(select(ApiToken.__table__)).all())
    assert stored.prefix == secret[:12] and len(secret) > 40
    assert find_token(secret).id == token.id
    assert find_token(secret + "x") is None and find_token("mhk_" + "A" * 43) is None


@pytest.mark.parametrize("role", [Role.HR, Role.MANAGER, Role.STAFF])
def test_nobody_but_an_admin_can_issue_a_token(db, org, make_user, role):
    person = make_user(role)
    with pytest.raises(TokenError, match="Only an administrator"):
        issue_token(actor=person, name="My own token", scopes=["read:employees"], expires_on=TODAY + timedelta(days=5))
    assert count(db, ApiToken) == 0


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": "  "}, "Name the integration"),
    ({"scopes": []}, "Tick at least one scope"),
    ({"scopes": ["write:everything"]}, "Unknown scope: write:everything"),
    ({"expires_on": TODAY}, "after today"),
    ({"expires_on": TODAY + timedelta(days=400)}, "at most a year"),
])
def test_a_token_that_cannot_be_issued_is_refused_with_a_reason(db, org, fields, message):
    data = {"name": "LMS", "scopes": ["read:training"], "expires_on": TODAY + timedelta(days=30)} | fields
    with pytest.raises(TokenError, match=message):
        issue_token(actor=org.admin, **data)
    assert count(db, ApiToken) == 0


def test_issuing_and_revoking_are_audited_and_the_revoked_token_is_kept(db, org, issue):
    token, secret = issue("read:employees")
    with acting_as(db.session, org.admin.id):
        revoke_token(token, actor=org.admin)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "api_token")).all()
    assert {"api_token.created", "api_token.issued", "api_token.updated"} <= set(actions)
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    assert created.after["token_hash"] == "[changed]" and created.actor_id == org.admin.id
    assert db.session.get(ApiToken, token.id).revoked_by_id == org.admin.id
    with pytest.raises(TokenError, match="already revoked"):
        revoke_token(token, actor=org.admin)


def test_a_token_is_never_deleted(db, org, issue):
    token, _ = issue("read:employees")
    db.session.delete(token)
    with pytest.raises(RuntimeError, match="never deleted"):
        db.session.flush()


def test_a_call_updates_last_use_and_the_call_log_without_an_audit_entry(db, org, client, issue):
    token, secret = issue("read:employees")
    audits = count(db, AuditEvent)
    response = Api(client, secret).get("/employees?limit=5")
    assert response.status_code == 200
    stored = db.session.get(ApiToken, token.id)
    db.session.refresh(stored)
    assert stored.last_used_at is not None
    call = db.session.scalar(select(ApiCall).where(ApiCall.token_id == token.id))
    assert (call.method, call.path, call.status) == ("GET", "/api/v1/employees?limit=5", 200)
    assert count(db, AuditEvent) == audits


def test_refused_calls_are_logged_against_their_token_too(db, org, client, issue):
    token, secret = issue("read:training")
    assert Api(client, secret).get("/employees").status_code == 403
    assert db.session.scalars(select(ApiCall.status).where(ApiCall.token_id == token.id)).all() == [403]


# The admin pages ------------------------------------------------------------------------------------
def test_an_admin_issues_a_token_and_sees_the_secret_once(db, org, client, auth):
    auth.login(org.admin)
    expiry = (TODAY + timedelta(days=60)).isoformat()
    response = client.post("/admin/api-tokens/new", data={"name": "Payroll <b>ADP</b>", "scopes": ["read:employees",
                                                                                              "read:training"],
                                                          "expires_on": expiry})
    page = text(response)
    token = db.session.scalar(select(ApiToken))
    secret = re.search(r"mhk_[A-Za-z0-9_-]{40,}", page).group(0)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.scopes == ["read:employees", "read:training"] and token.created_by_id == org.admin.id
    assert response.headers["Cache-Control"] == "no-store"
    listing = client.get("/admin/api-tokens").get_data(as_text=True)
    detail = client.get(f"/admin/api-tokens/{token.id}").get_data(as_text=True)
    assert secret not in listing and secret not in detail  # shown once, never again
    assert token.prefix in listing and "Payroll &lt;b&gt;ADP&lt;/b&gt;" in listing and "<b>ADP</b>" not in listing


def test_the_list_has_an_empty_state(db, org, client, auth):
    auth.login(org.admin)
    assert "No API tokens yet" in text(client.get("/admin/api-tokens"))


@pytest.mark.parametrize("role", [Role.HR, Role.MANAGER, Role.STAFF])
def test_a_non_admin_can_neither_see_nor_issue_tokens(db, org, client, auth, issue, role, make_user):
    token, secret = issue("read:employees")
    auth.login(make_user(role))
    assert client.get("/admin/api-tokens").status_code == 403
    assert client.get(f"/admin/api-tokens/{token.id}").status_code == 403
    response = client.post("/admin/api-tokens/new", data={"name": "Mine", "scopes": ["read:employees"],
                                                          "expires_on": (TODAY + timedelta(days=9)).isoformat()})
    assert response.status_code == 403 and count(db, ApiToken) == 1
    assert client.post(f"/admin/api-tokens/{token.id}/revoke").status_code == 403
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_revoking_asks_first_then_stops_the_token_and_keeps_its_log(db, org, client, auth, issue):
    token, secret = issue("read:employees")
    assert Api(client, secret).get("/sites").status_code == 200
    auth.login(org.admin)
    confirm = text(client.get(f"/admin/api-tokens/{token.id}/revoke"))
    assert "Revoke the token for HRIS sync?" in confirm and db.session.get(ApiToken, token.id).revoked_at is None
    response = client.post(f"/admin/api-tokens/{token.id}/revoke", follow_redirects=True)
    assert "is revoked" in text(response) and "Revoked" in text(response)
    assert "/api/v1/sites" in text(response)  # the call log stays
    answer = Api(client, secret).get("/sites")
    assert answer.status_code == 401 and "revoked" in answer.get_json()["detail"]


@pytest.mark.parametrize("change", ["demoted to manager", "deactivated"])
def test_a_token_stops_when_its_issuer_is_no_longer_an_active_admin(db, org, client, issue, make_user, auth, change):
    other_admin = make_user(Role.ADMIN, email="second.admin@example.org")
    token, secret = issue("read:employees")
    assert Api(client, secret).get("/sites").status_code == 200
    if change == "deactivated":
        org.admin.active = False
    else:
        org.admin.role = Role.MANAGER
    db.session.commit()
    answer = Api(client, secret).get("/sites")
    assert answer.status_code == 401 and "no longer an active administrator" in answer.get_json()["detail"]
    auth.login(other_admin)
    assert "no longer an active administrator" in text(client.get(f"/admin/api-tokens/{token.id}"))
    assert "Suspended" in text(client.get("/admin/api-tokens"))
