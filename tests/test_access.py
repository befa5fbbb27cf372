"""Who may open each page: one table row per endpoint in the URL map, checked for every role.

A new route without a row here fails `test_every_endpoint_has_an_access_rule`.
"""

from __future__ import annotations

import pytest

from app.models import Role

ANON, STAFF, MANAGER, HR, ADMIN = "anonymous", "staff", "manager", "hr", "admin"
EVERYONE_SIGNED_IN = {STAFF, MANAGER, HR, ADMIN}

# endpoint -> (method, url template, who may use it). Anonymous users who may not are sent to sign in;
# signed-in users who may not get 403.
RULES: dict[str, tuple[str, str, set[str]]] = {
    "static": ("GET", "/static/app.css", {ANON} | EVERYONE_SIGNED_IN),
    "bootstrap.static": ("GET", "/bootstrap/static/css/bootstrap.min.css", {ANON} | EVERYONE_SIGNED_IN),
    "healthz": ("GET", "/healthz", {ANON} | EVERYONE_SIGNED_IN),
    "main.index": ("GET", "/", {ANON} | EVERYONE_SIGNED_IN),
    "main.home": ("GET", "/home", EVERYONE_SIGNED_IN),
    "auth.login": ("GET", "/login", {ANON} | EVERYONE_SIGNED_IN),
    "auth.logout": ("POST", "/logout", EVERYONE_SIGNED_IN),
    "auth.accept_invite": ("GET", "/invite/{invite_token}", {ANON} | EVERYONE_SIGNED_IN),
    "content.index": ("GET", "/content/", EVERYONE_SIGNED_IN),
    "content.value": ("GET", "/content/values/{value_key}", EVERYONE_SIGNED_IN),
    "content.edit_value": ("GET", "/content/values/{value_key}/edit", {HR, ADMIN}),
    "admin.users": ("GET", "/admin/users", {ADMIN}),
    "admin.invite": ("GET", "/admin/users/new", {ADMIN}),
    "admin.user": ("GET", "/admin/users/{other_id}", {ADMIN}),
    "admin.deactivate": ("GET", "/admin/users/{other_id}/deactivate", {ADMIN}),
    "admin.reactivate": ("POST", "/admin/users/{other_id}/reactivate", {ADMIN}),
    "admin.resend_invite": ("POST", "/admin/users/{other_id}/invite", {ADMIN}),
    "admin.sites": ("GET", "/admin/sites", {ADMIN}),
    "admin.site": ("GET", "/admin/sites/{site_id}", {ADMIN}),
    "admin.archive_site": ("GET", "/admin/sites/{site_id}/archive", {ADMIN}),
    "admin.audit": ("GET", "/admin/audit", {ADMIN}),
}


def test_every_endpoint_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(RULES))
    assert not missing, f"add these endpoints to RULES in tests/test_access.py: {missing}"
    stale = sorted(set(RULES) - endpoints)
    assert not stale, f"these RULES rows name endpoints that no longer exist: {stale}"


@pytest.fixture
def objects(db, make_user):
    from app.auth.services import invite_token
    from app.models import Value
    from tests.factories import SiteFactory

    other = make_user(Role.STAFF, name="Other Person")
    db.session.add(Value(key="care-coordination", name="Care Coordination"))
    site = SiteFactory()
    db.session.flush()
    return {"other_id": other.id, "site_id": site.id, "value_key": "care-coordination",
            "invite_token": invite_token(other)}


@pytest.mark.parametrize("who", [ANON, STAFF, MANAGER, HR, ADMIN])
@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_access_rule_holds(client, login_as, objects, endpoint, who):
    method, template, allowed = RULES[endpoint]
    if who != ANON:
        login_as(Role(who))
    url = template.format(**objects)
    with client.open(url, method=method) as response:
        check(response, endpoint, url, who, allowed)


def check(response, endpoint, url, who, allowed):
    if who in allowed:
        assert response.status_code in (200, 302), f"{who} should reach {url}, got {response.status_code}"
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"] or endpoint in {"main.index", "auth.logout"}
    elif who == ANON:
        assert response.status_code == 302 and "/login" in response.headers["Location"], response.status_code
    else:
        assert response.status_code == 403, f"{who} must not reach {url}, got {response.status_code}"
