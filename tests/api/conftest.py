"""A small organization for the API tests and a way to call the API with a token of given scopes."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from app.api.tokens import issue_token
from app.audit import acting_as
from app.models import (
    Application,
    Method,
    Module,
    Posting,
    PostingStatus,
    Role,
    RoleFamily,
    Rubric,
    Scope,
    Track,
    TrackKind,
    utcnow,
)
from app.onboarding.services import assign_track
from tests.factories import SiteFactory

ALL_SCOPES = [scope.value for scope in Scope]
TODAY = date.today()


@pytest.fixture
def org(db, make_user):
    """Ada (admin), Mona (manager) with Sam and Tess on a site, a track Sam and Tess are assigned, one
    open and one draft posting with an application."""
    site = SiteFactory(name="Riverside Family Health")
    other_site = SiteFactory(name="Harbor Clinic")
    admin = make_user(Role.ADMIN, name="Ada Administrator", email="ada@example.org")
    hr = make_user(Role.HR, name="Hana HR", email="hana@example.org")
    manager = make_user(Role.MANAGER, name="Mona Manager", email="mona@example.org", site=site)
    sam = make_user(Role.STAFF, name="Sam Staff", email="sam@example.org", site=site, manager=manager,
                    role_family=RoleFamily.MEDICAL_ASSISTANT, start_date=TODAY - timedelta(days=5))
    tess = make_user(Role.STAFF, name="Tess Teammate", email="tess@example.org", site=other_site, manager=manager,
                     role_family=RoleFamily.FRONT_DESK, start_date=TODAY - timedelta(days=5))
    with acting_as(db.session, None):
        track = Track(name="Medical home foundations", kind=TrackKind.ALL_STAFF)
        db.session.add(track)
        db.session.flush()
        attest = Module(track_id=track.id, position=0, title="Huddle basics", method=Method.ATTEST, version=2)
        sign_off = Module(track_id=track.id, position=1, title="Leads the huddle", method=Method.SIGN_OFF,
                          observation="Runs the huddle.")
        unassigned = Module(track_id=track.id, position=2, title="Later module", method=Method.ATTEST)
        db.session.add_all([attest, sign_off, unassigned])
        db.session.flush()
        for person in (sam, tess):
            assign_track(person, track, actor=admin, today=TODAY, modules=[attest, sign_off])
        rubric = Rubric(name="Medical assistant", role_family=RoleFamily.MEDICAL_ASSISTANT)
        db.session.add(rubric)
        db.session.flush()
        open_posting = Posting(title="Medical assistant", site_id=site.id, role_family=RoleFamily.MEDICAL_ASSISTANT,
                               rubric_id=rubric.id, status=PostingStatus.OPEN, opened_at=utcnow())
        draft = Posting(title="Care manager (draft)", site_id=site.id, role_family=RoleFamily.NURSE_CARE_MANAGER,
                        rubric_id=rubric.id)
        db.session.add_all([open_posting, draft])
        db.session.flush()
        application = Application(posting_id=open_posting.id, name="Rosa Diaz", email="rosa@applicant.example")
        db.session.add(application)
        db.session.flush()
    return SimpleNamespace(site=site, other_site=other_site, admin=admin, hr=hr, manager=manager, sam=sam, tess=tess,
                           track=track, attest=attest, sign_off=sign_off, unassigned=unassigned,
                           open_posting=open_posting, draft=draft, application=application)


@pytest.fixture
def issue(db, org):
    """issue(*scopes, days=30) -> (token, secret), issued by Ada."""

    def make(*scopes: str, days: int = 30, name: str = "HRIS sync"):
        with acting_as(db.session, org.admin.id):
            token, secret = issue_token(actor=org.admin, name=name, scopes=list(scopes) or ALL_SCOPES,
                                        expires_on=TODAY + timedelta(days=days))
        db.session.flush()
        return token, secret

    return make


class Api:
    """The test client speaking to /api/v1 with a bearer secret."""

    def __init__(self, client, secret: str | None = None):
        self.client, self.secret = client, secret

    def call(self, method: str, path: str, json=None, headers=None, secret: str | None = None):
        sent = dict(headers or {})
        secret = secret or self.secret
        if secret:
            sent["Authorization"] = f"Bearer {secret}"
        return self.client.open(f"/api/v1{path}", method=method, json=json, headers=sent)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.call("PATCH", path, json=json, **kw)


@pytest.fixture
def api(client, issue):
    """An Api with a token holding every scope."""
    _, secret = issue()
    return Api(client, secret)
