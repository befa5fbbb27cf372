"""One small organization for the access tests, with a signed-in browser for each kind of user.

The seven kinds of user the access matrix speaks of:
- anonymous: nobody signed in;
- staff: Sam, a staff member on Mona's team with an onboarding plan;
- interviewer: Ivy, staff with the interviewer permission whom HR put on Rosa's panel;
- manager: Mona, who manages Sam and Tess;
- other_manager: Olga, who manages Xena on another team;
- hr and admin.
Sam and Tess each have an open day-14 check-in and a day-7 one with a side in (Sam's own, Mona's for
Tess), on the posting's rubric; a development track builds its value, so next steps can assign modules.

Requests run in a fresh application context each, as they do in a real server, so nothing one
browser loads (such as the signed-in user) carries over to the next. `isolated()` wraps a step in a
savepoint so every cell of the matrix starts from the same data, and `fingerprint()` reads every
table to prove a refused request changed nothing.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from datetime import date, timedelta
from types import SimpleNamespace

from flask import Flask
from sqlalchemy import select

from app.api.tokens import issue_token
from app.auth.services import RESET, invite_token, link_token
from app.careers import links as candidate_links
from app.extensions import db as _db
from app.models import (
    Application,
    ApplicationResubmission,
    Assignment,
    CheckIn,
    CheckInRating,
    Criterion,
    Interview,
    InterviewAssignment,
    InterviewPanelist,
    KitItem,
    Method,
    Module,
    Posting,
    PostingStatus,
    Progress,
    Question,
    QuestionKind,
    QuizItem,
    Rater,
    Rating,
    Responsible,
    Role,
    RoleFamily,
    Rubric,
    Scorecard,
    Track,
    TrackKind,
    Value,
    utcnow,
)
from tests.conftest import PASSWORD
from tests.factories import SiteFactory

ANON, STAFF, INTERVIEWER, MANAGER, OTHER_MANAGER, HR, ADMIN = (
    "anonymous", "staff", "interviewer", "manager", "other_manager", "hr", "admin")
ACTORS = (ANON, STAFF, INTERVIEWER, MANAGER, OTHER_MANAGER, HR, ADMIN)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # a credential scan's first bytes are all that is checked
DRAFT_NOTE = "Ian's private draft note: asked twice about hand-offs."
CSRF_REFUSAL = "The form expired or was not sent from this site."
TODAY = date.today()


def make_world(app, db, make_user, tmp_path, monkeypatch) -> SimpleNamespace:
    """The organization, with résumés and credential scans in folders of the test's own."""
    resume_dir = tmp_path / "resumes"
    monkeypatch.setitem(app.config, "RESUME_DIR", str(resume_dir))
    monkeypatch.setitem(app.config, "CREDENTIAL_SCAN_DIR", str(tmp_path / "credential-scans"))
    return build(db, make_user, resume_dir)


def build(db, make_user, resume_dir) -> SimpleNamespace:
    """Create the organization; return the ids, e-mails and tokens URL templates and forms use."""
    site = SiteFactory(name="Riverside Family Health")
    person = {}
    for key, role, name, extra in [
        ("mona", Role.MANAGER, "Mona Manager", {}),
        ("olga", Role.MANAGER, "Olga Othermanager", {}),
        ("hr", Role.HR, "Hana Human-Resources", {}),
        ("admin", Role.ADMIN, "Ada Administrator", {}),
        ("ivy", Role.STAFF, "Ivy Interviewer", {"is_interviewer": True}),
        ("ian", Role.STAFF, "Ian Panelist", {"is_interviewer": True}),
        ("paz", Role.STAFF, "Paz Spare-Interviewer", {"is_interviewer": True}),
    ]:
        person[key] = make_user(role, name=name, email=f"{key}@example.org", site=site, **extra)
    for key, name, manager in [("sam", "Sam Staff", "mona"), ("tess", "Tess Teammate", "mona"),
                               ("xena", "Xena Elsewhere", "olga")]:
        person[key] = make_user(Role.STAFF, name=name, email=f"{key}@example.org", site=site,
                                manager=person[manager], start_date=TODAY - timedelta(days=10),
                                role_family=RoleFamily.MEDICAL_ASSISTANT)
    person["nina"] = make_user(Role.STAFF, name="Nina Newhire", email="nina@example.org")
    person["nina"].password_hash = None  # invited, has not set a password yet

    value = Value(key="care-coordination", name="Care Coordination", summary="Closing the loop.")
    db.session.add(value)
    db.session.flush()

    onboarding = _onboarding(db, person)
    hiring = _hiring(db, person, site, value, resume_dir)
    check_ins = _check_ins(db, person, value, hiring["rubric_id"])
    credentials = _credentials(db, person)
    api_token, _ = issue_token(actor=person["admin"], name="Payroll (ADP)", scopes=["read:employees"],
                               expires_on=TODAY + timedelta(days=90))
    webhooks = _webhooks(db, person)
    offers = _offers(db, person, hiring)
    db.session.flush()
    ids = {f"{key}_id": user.id for key, user in person.items()}
    return SimpleNamespace(
        **ids, **onboarding, **hiring, **check_ins, **credentials, **webhooks, **offers, site_id=site.id,
        value_id=value.id, value_key=value.key, api_token_id=api_token.id,
        other_id=person["tess"].id, emails={key: user.email for key, user in person.items()},
        invite_token=invite_token(person["nina"]), calendar_token=person["sam"].calendar_token,
        reset_token=link_token(person["tess"], RESET),
        names={key: user.name for key, user in person.items()},
    )


def _onboarding(db, person) -> dict:
    track = Track(name="Medical home foundations", kind=TrackKind.ALL_STAFF)
    db.session.add(track)
    db.session.flush()
    modules = {
        "attest": Module(track_id=track.id, position=0, title="Huddle basics", method=Method.ATTEST),
        "quiz": Module(track_id=track.id, position=1, title="Empanelment quiz", method=Method.QUIZ, pass_mark=100),
        "sign_off": Module(track_id=track.id, position=2, title="Leads the huddle", method=Method.SIGN_OFF,
                           observation="Runs the morning huddle."),
        "task": Module(track_id=track.id, position=3, title="Shadow a care manager", method=Method.TASK,
                       responsible=Responsible.MANAGER),
    }
    db.session.add_all(modules.values())
    db.session.flush()
    item = QuizItem(module_id=modules["quiz"].id, prompt="Who owns the panel?", choices=["The team", "Nobody"],
                    answers=[0])
    db.session.add(item)
    out = {"track_id": track.id}
    for who in ("sam", "tess"):
        assignment = Assignment(employee_id=person[who].id, track_id=track.id)
        db.session.add(assignment)
        db.session.flush()
        out[f"{who}_assignment_id"] = assignment.id
        for offset, (kind, module) in enumerate(modules.items()):
            progress = Progress(employee_id=person[who].id, module_id=module.id, assignment_id=assignment.id,
                                due_date=TODAY + timedelta(days=7 + offset))
            if kind == "sign_off":
                progress.sign_off_requested_at = utcnow()
            db.session.add(progress)
            db.session.flush()
            out[f"{who}_{kind}_progress_id"] = progress.id
    out.update({f"{kind}_module_id": module.id for kind, module in modules.items()}, quiz_item_id=item.id,
               module_id=modules["attest"].id, assignment_id=out["sam_assignment_id"],
               task_progress_id=out["tess_task_progress_id"], sign_off_progress_id=out["tess_sign_off_progress_id"])
    return out


def _hiring(db, person, site, value, resume_dir) -> dict:
    rubric = Rubric(name="Medical assistant", role_family=RoleFamily.MEDICAL_ASSISTANT)
    db.session.add(rubric)
    db.session.flush()
    criterion = Criterion(rubric_id=rubric.id, value_id=value.id, position=0, title="Closes loops", weight=100,
                          anchor_1="Never", anchor_3="Sometimes", anchor_5="Always")
    questions = [Question(value_id=value.id, kind=QuestionKind.BEHAVIORAL, text=text)
                 for text in ("Tell me about a hand-off.", "Tell me about a referral you chased.")]
    posting = Posting(title="Medical assistant", site_id=site.id, role_family=RoleFamily.MEDICAL_ASSISTANT,
                      rubric_id=rubric.id, status=PostingStatus.OPEN, opened_at=utcnow(),
                      closing_date=TODAY + timedelta(days=365))
    db.session.add_all([criterion, *questions, posting])
    db.session.flush()
    kit_item = KitItem(posting_id=posting.id, question_id=questions[0].id, position=0)
    resume_dir.mkdir(parents=True, exist_ok=True)
    applications = {}
    for key, name in (("rosa", "Rosa Diaz"), ("bo", "Bo Bradley")):
        (resume_dir / f"{key}.pdf").write_bytes(PDF + key.encode())
        applications[key] = Application(posting_id=posting.id, name=name, email=f"{key}@applicant.example",
                                        resume_path=f"{key}.pdf")
    db.session.add_all([kit_item, *applications.values()])
    db.session.flush()
    (resume_dir / "rosa-later.pdf").write_bytes(PDF + b"rosa-later")
    later = ApplicationResubmission(application_id=applications["rosa"].id, name="Rosa D.",
                                    why_medical_home="Sent again with Rosa's address.", resume_path="rosa-later.pdf")
    db.session.add(later)
    panel = {key: InterviewAssignment(application_id=applications["rosa"].id, interviewer_id=person[key].id)
             for key in ("ivy", "ian")}
    db.session.add_all(panel.values())
    db.session.flush()
    draft = Scorecard(application_id=applications["rosa"].id, interviewer_id=person["ian"].id, rubric_id=rubric.id,
                      ratings=[Rating(criterion_id=criterion.id, score=2, evidence=DRAFT_NOTE)])
    db.session.add(draft)
    db.session.flush()
    scheduled = _scheduled_interview(db, applications["rosa"], person)
    return {**scheduled, "rubric_id": rubric.id, "criterion_id": criterion.id, "question_id": questions[0].id,
            "spare_question_id": questions[1].id, "posting_id": posting.id, "kit_item_id": kit_item.id,
            "application_id": applications["rosa"].id, "resubmission_id": later.id, "other_application_id": applications["bo"].id,
            "interview_id": panel["ivy"].id, "ian_interview_id": panel["ian"].id, "interviewer_id": person["ivy"].id,
            "draft_scorecard_id": draft.id, "withdraw_token": candidate_links.link_token(applications["bo"]),
            "data_token": candidate_links.link_token(applications["bo"], candidate_links.DATA)}


def _scheduled_interview(db, application, person) -> dict:
    """Rosa's interview on Jan 6, 2031, 9:00 at the site (New York), with Ivy on its panel."""
    from datetime import datetime

    interview = Interview(application_id=application.id, starts_at=datetime(2031, 1, 6, 14, 0),
                          ends_at=datetime(2031, 1, 6, 15, 0), minutes=60, time_zone="America/New_York",
                          location="Room 2", organizer_id=person["hr"].id)
    db.session.add(interview)
    db.session.flush()
    db.session.add(InterviewPanelist(interview_id=interview.id, interviewer_id=person["ivy"].id))
    db.session.flush()
    return {"scheduled_interview_id": interview.id}


def _credentials(db, person) -> dict:
    """Tess's BLS card, recorded by HR and not yet verified; Sam's, with a scanned copy only HR, admins and Sam
    may download."""
    from app import uploads
    from app.credentials.scans import CheckedScan, attach_scan
    from app.credentials.services import add_credential
    from app.models import CredentialType

    kind = CredentialType(name="Access test BLS", role_families=["medical-assistant"], renewal_months=24)
    db.session.add(kind)
    db.session.flush()
    credential = add_credential(person["tess"], kind, number="BLS-1", issuer="American Heart Association",
                                issued_on=None, expires_on=TODAY + timedelta(days=400), actor=person["hr"])
    sams = add_credential(person["sam"], kind, number="BLS-2", issuer="American Heart Association",
                          issued_on=None, expires_on=TODAY + timedelta(days=400), actor=person["hr"])
    attach_scan(sams, CheckedScan(PNG, uploads.PNG), actor=person["hr"])
    from app.credentials.credentialing import grant_privilege

    privilege = grant_privilege(person["tess"], text="Performs point-of-care testing", granted_on=TODAY,
                                granted_by="Medical director", actor=person["hr"], today=TODAY)
    return {"credential_id": credential.id, "credential_type_id": kind.id, "sam_credential_id": sams.id,
            "privilege_id": privilege.id}


def _webhooks(db, person) -> dict:
    """A webhook an admin registered and turned off (so the matrix's requests send nothing anywhere)."""
    from app.models import WebhookEndpoint

    endpoint = WebhookEndpoint(url="https://hris.example.org/hooks", description="HRIS", events=["employee.hired"],
                               signing_secret="whsec_access-world", enabled=False, created_by_id=person["admin"].id)
    db.session.add(endpoint)
    db.session.flush()
    return {"webhook_id": endpoint.id}


def _offers(db, person, hiring) -> dict:
    """Rosa's offer, written by Hana (HR) and not yet approved, and Bo's, sent with its answer link."""
    from app.models import EmploymentType, Offer, OfferStatus, PayPeriod

    start, expires = TODAY + timedelta(days=30), TODAY + timedelta(days=7)
    terms = {"title": "Medical assistant", "start_date": start, "pay_cents": 2450, "pay_period": PayPeriod.HOUR,
             "employment_type": EmploymentType.FULL_TIME, "expires_on": expires, "created_by_id": person["hr"].id}
    draft = Offer(application_id=hiring["application_id"], version=1, **terms)
    sent = Offer(application_id=hiring["other_application_id"], version=1, status=OfferStatus.SENT, sent_at=utcnow(),
                 letter_subject="Your offer", letter_text="Dear Bo Bradley,\n\nWe offer you the job.", **terms)
    db.session.add_all([draft, sent])
    db.session.flush()
    return {"offer_id": draft.id, "offer_token": candidate_links.offer_token(sent),
            "offer_dates": (start.isoformat(), expires.isoformat())}


def _check_ins(db, person, value, rubric_id) -> dict:
    development = Track(name="Grow in care coordination", kind=TrackKind.DEVELOPMENT)
    db.session.add(development)
    db.session.flush()
    db.session.add(Module(track_id=development.id, position=0, title="Closing the referral loop",
                          method=Method.ATTEST, values=[value]))
    made = {}
    for who in ("sam", "tess"):
        start = person[who].start_date
        made[who] = CheckIn(employee_id=person[who].id, day=14, due_date=start + timedelta(days=14), rubric_id=rubric_id)
        made[f"{who}_rated"] = CheckIn(employee_id=person[who].id, day=7, due_date=start + timedelta(days=7),
                                       rubric_id=rubric_id)
    db.session.add_all(made.values())
    db.session.flush()
    now = utcnow()
    made["sam_rated"].self_submitted_at = now
    made["tess_rated"].manager_submitted_at, made["tess_rated"].manager_id = now, person["mona"].id
    db.session.add_all([
        CheckInRating(check_in_id=made["sam_rated"].id, rater=Rater.SELF, rater_id=person["sam"].id,
                      value_id=value.id, score=3, evidence="Chased two referrals to the end."),
        CheckInRating(check_in_id=made["tess_rated"].id, rater=Rater.MANAGER, rater_id=person["mona"].id,
                      value_id=value.id, score=2, evidence="Left a referral open over the weekend."),
    ])
    db.session.flush()
    return {"check_in_id": made["sam"].id, "rated_check_in_id": made["sam_rated"].id,
            "other_check_in_id": made["tess"].id, "other_rated_check_in_id": made["tess_rated"].id}


class Browsers:
    """A test client per kind of user, each from its own address, signed in through /login."""

    ACCOUNTS = {STAFF: "sam", INTERVIEWER: "ivy", MANAGER: "mona", OTHER_MANAGER: "olga", HR: "hr", ADMIN: "admin"}

    def __init__(self, app: Flask, world: SimpleNamespace):
        self.app, self.world = app, world
        self.clients = {}
        for actor in ACTORS:
            self.restart(actor)

    def restart(self, actor: str, account: str | None = None) -> None:
        """A new browser for the actor, signed in again (as another account of that kind, if given)."""
        self.clients[actor] = self.app.test_client()
        self.clients[actor].environ_base["REMOTE_ADDR"] = f"192.0.2.{10 + ACTORS.index(actor)}"
        if actor in self.ACCOUNTS:
            self.sign_in(actor, self.world.emails[account or self.ACCOUNTS[actor]])

    def sign_in(self, actor: str, email: str) -> None:
        data = {"email": email, "password": PASSWORD}
        if self.app.config["WTF_CSRF_ENABLED"]:
            data["csrf_token"] = self.token(actor, "/login")
        response = self.call(actor, "POST", "/login", data=data)
        assert response.status_code == 302 and "/login" not in response.location, f"{actor} could not sign in"

    def own_token(self, actor: str) -> str:
        """A valid CSRF token of the actor's browser, from a form every such user may open."""
        return self.token(actor, "/login" if actor == ANON else "/onboarding/preferences")

    def token(self, actor: str, page: str) -> str:
        """A CSRF token from a page the actor opens (it belongs to that browser's session)."""
        return token_in(self.call(actor, "GET", page).text)

    def call(self, actor: str, method: str, url: str, data: dict | None = None):
        """One request from the actor's browser, in its own application context; the body is read inside it."""
        with self.app.app_context():
            response = self.clients[actor].open(url, method=method, data=data)
            response.get_data()  # buffered now, so a streamed body is produced inside the context
            response.close()
        return response


def token_in(body: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body)
    assert match, "no CSRF token on the page"
    return match.group(1)


def foreign_token(app: Flask) -> str:
    """A valid CSRF token, but of some other visitor's browser: what a forged form would carry."""
    with app.app_context():
        return token_in(app.test_client().get("/login").get_data(as_text=True))


def connection():
    """The test's connection (the session is bound to it), for savepoints and raw reads."""
    return _db.session.get_bind()


@contextmanager
def isolated():
    """Run a step inside a savepoint and roll it back, so the next step sees the same data."""
    _db.session.commit()
    _db.session.close()
    savepoint = connection().begin_nested()
    try:
        yield
    finally:
        _db.session.close()
        savepoint.rollback()


def fingerprint() -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of all its rows, read straight from the connection."""
    conn = connection()
    prints = {}
    for table in _db.metadata.sorted_tables:
        rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
        prints[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return prints


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]
