"""The API's access matrix: every operation against a token of each scope, no token, an expired, a
revoked and a wrong token. Only the operation's own scope reaches it; public operations take anyone
but a bad token. A refused call changes nothing (but the call log). A /api/v1 endpoint without a row
here fails test_every_api_endpoint_has_a_row (tests/test_access.py leaves api.* endpoints to this file)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.api.tokens import revoke_token
from app.audit import acting_as
from app.models import Scope, utcnow
from tests.access_world import changed, fingerprint
from tests.api.conftest import TODAY, Api

READ_EMPLOYEES, WRITE_EMPLOYEES, READ_TRAINING, WRITE_COMPLETIONS, READ_HIRING = (s.value for s in Scope)
PUBLIC = "public"

# endpoint: (method, path, who may call it, body)
OPERATIONS = {
    "api.list_employees":      ("GET", "/employees", READ_EMPLOYEES, None),
    "api.get_employee":        ("GET", "/employees/{sam}", READ_EMPLOYEES, None),
    "api.create_employee":     ("POST", "/employees", WRITE_EMPLOYEES, {"email": "new.hire@example.org",
                                                                        "name": "New Hire"}),
    "api.update_employee":     ("PATCH", "/employees/{sam}", WRITE_EMPLOYEES, {"department": "Front desk"}),
    "api.deactivate_employee": ("POST", "/employees/{tess}/deactivate", WRITE_EMPLOYEES, None),
    "api.list_sites":          ("GET", "/sites", READ_EMPLOYEES, None),
    "api.list_tracks":         ("GET", "/tracks", READ_TRAINING, None),
    "api.get_track":           ("GET", "/tracks/{track}", READ_TRAINING, None),
    "api.get_module":          ("GET", "/modules/{attest}", READ_TRAINING, None),
    "api.list_assignments":    ("GET", "/employees/{sam}/assignments", READ_TRAINING, None),
    "api.list_check_ins":      ("GET", "/employees/{sam}/check-ins", READ_TRAINING, None),
    "api.list_completions":    ("GET", "/completions", READ_TRAINING, None),
    "api.record_completion":   ("POST", "/completions", WRITE_COMPLETIONS, "completion"),
    "api.list_postings":       ("GET", "/postings", PUBLIC, None),
    "api.get_posting":         ("GET", "/postings/{open_posting}", PUBLIC, None),
    "api.list_applications":   ("GET", "/applications", READ_HIRING, None),
    "api.get_application":     ("GET", "/applications/{application}", READ_HIRING, None),
}
KINDS = (*(scope.value for scope in Scope), "no token", "expired", "revoked", "wrong token")
LOGS = {"api_call", "api_token", "idempotent_request"}


def test_every_api_endpoint_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert endpoints == set(OPERATIONS), f"missing: {sorted(endpoints - set(OPERATIONS))}, " \
                                         f"stale: {sorted(set(OPERATIONS) - endpoints)}"
    for endpoint, (method, _, who, _) in OPERATIONS.items():
        rule = next(app.url_map.iter_rules(endpoint))
        assert method in rule.methods, endpoint
        declared = getattr(app.view_functions[endpoint], "api_scope", "undeclared")
        assert (declared.value if declared else PUBLIC) == who, f"{endpoint} declares {declared}"


def test_every_api_endpoint_is_under_api_v1(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("api.", "api_docs.")):
            assert rule.rule.startswith("/api/v1/"), rule.rule


def expected(who: str, kind: str) -> int | str:
    if kind in ("expired", "revoked", "wrong token"):
        return 401
    if who == PUBLIC:
        return "ok"
    if kind == "no token":
        return 401
    return "ok" if kind == who else 403


@pytest.fixture
def secrets_by_kind(db, org, issue):
    found = {scope.value: issue(scope.value, name=f"only {scope.value}")[1] for scope in Scope}
    every = [scope.value for scope in Scope]
    expired, found["expired"] = issue(*every, name="expired")
    expired.expires_at = utcnow() - timedelta(minutes=1)
    revoked, found["revoked"] = issue(*every, name="revoked")
    with acting_as(db.session, org.admin.id):
        revoke_token(revoked, actor=org.admin)
    found["wrong token"] = "mhk_" + "x" * 43
    found["no token"] = None
    db.session.commit()  # the summaries of the new organization are made now, not by the first call
    return found


def _without_logs(prints: dict) -> dict:
    return {table: value for table, value in prints.items() if table not in LOGS}


@pytest.mark.parametrize("endpoint", sorted(OPERATIONS))
def test_every_cell_of_the_api_matrix_holds(db, org, client, secrets_by_kind, endpoint):
    method, template, who, body = OPERATIONS[endpoint]
    path = template.format(**{name: getattr(org, name).id for name in vars(org)})
    if body == "completion":
        body = {"employee_id": org.sam.id, "module_id": org.attest.id, "module_version": 2,
                "completed_on": TODAY.isoformat()}
    wrong = []
    for kind in KINDS:
        want = expected(who, kind)
        before = _without_logs(fingerprint())
        response = Api(client).call(method, path, json=body, secret=secrets_by_kind[kind])
        got = "ok" if response.status_code in (200, 201) else response.status_code
        if got != want:
            wrong.append(f"{kind} {method} {path}: expected {want}, got {response.status_code} {response.get_data()[:200]}")
        if got != "ok":
            if response.mimetype != "application/problem+json" or response.get_json()["status"] != got:
                wrong.append(f"{kind} {method} {path}: refusal is not problem+json")
            after = _without_logs(fingerprint())
            if after != before:
                wrong.append(f"{kind} {method} {path}: refused, yet changed {changed(before, after)}")
        if got == 401 and "Bearer" not in response.headers.get("WWW-Authenticate", ""):
            wrong.append(f"{kind} {method} {path}: 401 without a Bearer challenge")
    assert not wrong, "\n".join(wrong)


@pytest.fixture
def csrf_on_after_sign_in(app):
    yield lambda: app.config.update(WTF_CSRF_ENABLED=True)
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_signed_in_browser_without_a_token_is_refused_and_changes_nothing(db, org, client, auth,
                                                                            csrf_on_after_sign_in):
    auth.login(org.admin)  # a session cookie of the most powerful account
    assert client.get("/admin/users").status_code == 200
    csrf_on_after_sign_in()  # as in production: the API is exempt from CSRF, so only the token can let a call in
    db.session.commit()
    before = _without_logs(fingerprint())
    for endpoint, (method, template, who, body) in OPERATIONS.items():
        if who == PUBLIC:
            continue
        path = "/api/v1" + template.format(**{name: getattr(org, name).id for name in vars(org)})
        response = client.open(path, method=method, json=body if isinstance(body, dict) else {})
        assert response.status_code == 401, endpoint
        assert "Signing in to the web app does not authorize API calls" in response.get_json()["detail"]
    assert _without_logs(fingerprint()) == before


def test_a_token_is_refused_in_the_query_string_or_with_another_scheme(db, org, client, issue):
    _, secret = issue(READ_EMPLOYEES)
    assert client.get(f"/api/v1/employees?access_token={secret}").status_code == 401
    assert client.get("/api/v1/employees", headers={"Authorization": f"Token {secret}"}).status_code == 401
    assert client.get("/api/v1/employees", headers={"Authorization": f"bearer {secret}"}).status_code == 200
