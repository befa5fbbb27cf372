"""One small organization with a row behind every form, and a fingerprint of the whole database."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from app import mail
from app.auth.services import invite_token
from app.extensions import db as _db
from app.hiring import scoring
from app.models import (
    CheckIn,
    Method,
    Module,
    PostingStatus,
    Progress,
    Role,
    RoleFamily,
    Rubric,
    Stage,
    Track,
    TrackKind,
    Value,
    utcnow,
)
from app.onboarding import check_ins
from app.onboarding import services as onboarding
from tests.factories import SiteFactory, UserFactory
from tests.hiring.test_scoring import assign, criteria_of, make_application, make_posting, score


def build_world(db, make_user) -> SimpleNamespace:
    """Every role, a posting with applications and scorecards, a track with a sign-off waiting, an open
    check-in and a done one, and a development module for next steps to assign."""
    site = SiteFactory(name="Harbor Clinic")
    w = SimpleNamespace(site=site)
    w.admin = make_user(Role.ADMIN, name="Ada Admin")
    w.hr = make_user(Role.HR, name="Harper Reyes", is_interviewer=True)
    w.manager = make_user(Role.MANAGER, name="Mona Manager", site=site)
    w.employee = make_user(Role.STAFF, name="Nia Hire", manager=w.manager, site=site,
                           role_family=RoleFamily.MEDICAL_ASSISTANT, start_date=date.today() - timedelta(days=3))
    w.interviewer = make_user(Role.STAFF, name="Ivan Interviewer", is_interviewer=True)
    w.panelist = make_user(Role.STAFF, name="Pat Panelist", is_interviewer=True)
    w.invited = UserFactory(name="Ines Invited", role=Role.STAFF)
    db.session.flush()
    w.invite_token = invite_token(w.invited)

    w.posting = make_posting(db, site=site)  # a draft with its own rubric and a two-question kit
    w.value = db.session.scalar(select(Value).where(Value.key == "care-coordination"))
    w.rubric = db.session.get(Rubric, w.posting.rubric_id)
    w.kit_item = w.posting.kit[0]
    w.question = w.kit_item.question
    w.open_posting = make_posting(db, site=site)
    w.open_posting.status, w.open_posting.opened_at = PostingStatus.OPEN, utcnow()
    w.application = make_application(db, w.open_posting, name="Cara Candidate")
    w.assignment = assign(db, w.application, w.interviewer)
    w.submitted = assign(db, w.application, w.hr)
    score(w.submitted, [4] * len(criteria_of(w.open_posting)))
    w.scored_application = w.application
    w.offer = make_application(db, w.open_posting, name="Olu Offer", stage=Stage.OFFER)
    w.sent_offer = _sent_offer(db, w.offer, w.hr)

    w.track = Track(name="Medical assistant onboarding", kind=TrackKind.ROLE, role_families=["medical-assistant"])
    db.session.add(w.track)
    db.session.flush()
    w.attest_module = Module(track_id=w.track.id, position=0, title="Welcome", content="Hello.", minutes=10,
                             due_offset_days=7, method=Method.ATTEST, values=[w.value])
    w.sign_off_module = Module(track_id=w.track.id, position=1, title="Leads a huddle", content="Lesson",
                               minutes=30, due_offset_days=30, method=Method.SIGN_OFF,
                               observation="Runs the morning huddle.", values=[w.value])
    db.session.add_all([w.attest_module, w.sign_off_module])
    db.session.flush()
    onboarding.assign_track(w.employee, w.track, actor=None, today=date.today())
    w.sign_off = db.session.scalar(select(Progress).where(Progress.employee_id == w.employee.id,
                                                          Progress.module_id == w.sign_off_module.id))
    onboarding.request_sign_off(w.sign_off, actor=w.employee)
    db.session.flush()

    development = Track(name="Grow in care coordination", kind=TrackKind.DEVELOPMENT)
    db.session.add(development)
    db.session.flush()
    db.session.add(Module(track_id=development.id, position=0, title="Closing the referral loop", content="Read.",
                          minutes=15, due_offset_days=14, method=Method.ATTEST, values=[w.value]))
    start = w.employee.start_date
    w.check_in = CheckIn(employee_id=w.employee.id, day=14, due_date=start + timedelta(days=14), rubric_id=w.rubric.id)
    w.rated_check_in = CheckIn(employee_id=w.employee.id, day=7, due_date=start + timedelta(days=7),
                               rubric_id=w.rubric.id)
    db.session.add_all([w.check_in, w.rated_check_in])
    db.session.flush()
    for rater, rating in ((w.employee, 4), (w.manager, 2)):
        check_ins.submit(w.rated_check_in, actor=rater, today=date.today(), next_steps="Shadow the care manager.",
                         ratings={v.id: (rating, "Closed the loop on a referral.")
                                  for v in check_ins.values_for(w.rated_check_in)})
    db.session.flush()
    w.credential_type, w.credential = _credential(db, w.employee, w.hr)
    w.webhook = _webhook(db, w.admin)
    w.privilege = _privilege(w.employee, w.hr)
    assert scoring.has_submitted(w.application.id, w.hr.id)
    db.session.info.pop(mail.QUEUE_KEY, None)  # the setup's e-mail belongs to earlier requests, not the next one
    return w


def _webhook(db, admin):
    """A webhook the admin registered and turned off (nothing is sent from these tests)."""
    from app.models import WebhookEndpoint

    endpoint = WebhookEndpoint(url="https://hris.example.org/hooks", description="HRIS", events=["employee.hired"],
                               signing_secret="whsec_bad-input-world", enabled=False, created_by_id=admin.id)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def _privilege(employee, hr):
    """A privilege on the employee's credentialing file."""
    from app.credentials.credentialing import grant_privilege

    return grant_privilege(employee, text="Performs spirometry", granted_on=date.today(), granted_by="Medical director",
                           actor=hr, today=date.today())


def _sent_offer(db, application, hr):
    """Version 1 of an offer to the application, sent, so its answer link works."""
    from app.models import EmploymentType, Offer, OfferStatus, PayPeriod

    offer = Offer(application_id=application.id, version=1, title="Medical assistant", pay_cents=2450,
                  start_date=date.today() + timedelta(days=30), expires_on=date.today() + timedelta(days=7),
                  pay_period=PayPeriod.HOUR, employment_type=EmploymentType.FULL_TIME, status=OfferStatus.SENT,
                  created_by_id=hr.id, sent_at=utcnow(), letter_subject="Your offer",
                  letter_text="Dear Olu Offer,\n\nWe offer you the job.")
    db.session.add(offer)
    db.session.flush()
    return offer


def _credential(db, employee, hr):
    """A credential type that needs the primary source, and the employee's unverified credential of it."""
    from app.credentials.services import add_credential
    from app.models import CredentialType

    kind = CredentialType(name="Bad-input test licence", role_families=["medical-assistant"],
                          primary_source_required=True, renewal_months=24)
    db.session.add(kind)
    db.session.flush()
    credential = add_credential(employee, kind, number="T-1", issuer="Test board", issued_on=None,
                                expires_on=date.today() + timedelta(days=400), actor=hr)
    return kind, credential


def snapshot(db=_db) -> dict[str, tuple[int, str]]:
    """Each table's row count and a checksum of all its rows, read fresh from the database."""
    db.session.expire_all()
    fingerprint = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        fingerprint[table.name] = (len(rows), hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest())
    return fingerprint


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


def stored_strings(db=_db) -> set[str]:
    """Every string held anywhere in the database, JSON lists and objects included."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            walk(tuple(row))
    return found
