"""CSRF on every write route, found from the URL map: without a token, or with another browser's token,
a well-formed request from someone allowed to make it is refused with the app's CSRF page and changes no
table. A new POST route is covered without anyone listing it here; it needs only its row (URL template
and, if its form has fields, FORMS data) in tests/test_access.py.

The REST API's write routes (api.*) are exempt from CSRF because no cookie authenticates them: tests/api
proves that a signed-in browser's session, without a bearer token, is refused and changes nothing.
"""

from __future__ import annotations

import pytest

from tests.access_world import (
    ACTORS,
    ANON,
    CSRF_REFUSAL,
    Browsers,
    changed,
    fingerprint,
    foreign_token,
    isolated,
    make_world,
)
from tests.test_access import OK, RULES, SAMPLE, WRITES, form_for, is_api, rule_for, urls_of

# A real submission of these signs someone in or out, or rotates the session token.
SESSION_CHANGING = {"auth.login", "auth.logout", "auth.accept_invite", "auth.change_password", "auth.reset_password"}


@pytest.fixture
def world(app, db, make_user, tmp_path, monkeypatch):
    return make_world(app, db, make_user, tmp_path, monkeypatch)


@pytest.fixture
def browsers(app, csrf_on, world):
    return Browsers(app, world)


def poster(endpoint: str) -> str | None:
    """The first kind of user allowed to write to the endpoint (anonymous first, for the public forms)."""
    cells = RULES[endpoint][1].split()
    return next((actor for actor, cell in zip(ACTORS, cells, strict=True) if cell == OK), None)


def refused(response) -> bool:
    return response.status_code == 400 and CSRF_REFUSAL in response.get_data(as_text=True)


def test_every_write_route_refuses_a_missing_or_foreign_token_and_changes_nothing(app, world, browsers):
    foreign = foreign_token(app)
    wrong, covered = [], set()
    for rule in app.url_map.iter_rules():
        methods = sorted(rule.methods & WRITES)
        if not methods or is_api(rule.endpoint):
            continue
        templates = [t for t in urls_of(rule.endpoint) if rule_for(app.url_map, t.format_map(SAMPLE)) is rule] \
            if rule.endpoint in RULES else []
        actor = poster(rule.endpoint) if rule.endpoint in RULES else None
        if not templates or actor is None:
            wrong.append(f"{rule.rule}: give {rule.endpoint} a row with a URL and someone allowed to post")
            continue
        url = templates[0].format(**vars(world))
        for method in methods:
            for label, token in (("no token", None), ("another browser's token", foreign)):
                data = {**form_for(rule.endpoint, world), **({"csrf_token": token} if token else {})}
                with isolated():
                    before = fingerprint()
                    response = browsers.call(actor, method, url, data=data)
                    difference = changed(before, fingerprint())
                if not refused(response):
                    wrong.append(f"{actor} {method} {url} with {label}: answered {response.status_code}")
                if difference:
                    wrong.append(f"{actor} {method} {url} with {label}: changed {difference}")
            # The same request with the browser's own token gets past the CSRF check.
            with isolated():
                data = {**form_for(rule.endpoint, world), "csrf_token": browsers.own_token(actor)}
                if refused(browsers.call(actor, method, url, data=data)):
                    wrong.append(f"{actor} {method} {url}: refused even with a valid token")
            if rule.endpoint in SESSION_CHANGING:
                browsers.restart(actor)
            covered.add((rule.endpoint, actor))
    assert not wrong, "\n".join(wrong)
    public_forms = {("auth.login", ANON), ("careers.posting", ANON), ("auth.accept_invite", ANON),
                    ("careers.withdraw", ANON)}
    assert public_forms <= covered
    assert len(covered) == len({r.endpoint for r in app.url_map.iter_rules() if r.methods & WRITES
                                and not is_api(r.endpoint)})
