"""A small known organization: 2 sites, 4 employees, 1 track of 3 modules building 2 values, postings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest

from app.models import (
    Application,
    Assignment,
    Completion,
    Criterion,
    KitItem,
    Module,
    Posting,
    PostingStatus,
    Progress,
    ProgressStatus,
    Question,
    QuestionKind,
    Rating,
    Reference,
    Role,
    RoleFamily,
    Rubric,
    Scorecard,
    ScorecardStatus,
    Stage,
    StageChange,
    Track,
    TrackKind,
    Value,
)
from tests.factories import SiteFactory

TODAY = date.today()
DONE, WAIVED, OPEN = ProgressStatus.COMPLETED, ProgressStatus.WAIVED, ProgressStatus.NOT_STARTED
MA, RN = RoleFamily.MEDICAL_ASSISTANT, RoleFamily.NURSE_CARE_MANAGER


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def at(n: int) -> datetime:
    return datetime.combine(days(n), time(10))


@dataclass
class Org:
    sites: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    modules: list = field(default_factory=list)
    track: Track | None = None
    postings: dict = field(default_factory=dict)


@pytest.fixture
def org(db, make_user):
    """North: Ann (MA, all 3 done) and Ben (MA, new, 1 done, 1 overdue); South: Cal (RN, new, 1 done, on
    track) and Dee (RN, 1 waived, 2 overdue). Mona manages them; Ina is deactivated and overdue.
    Module 1 builds Care Coordination, module 2 Care Coordination and Engaged Leadership, module 3 Engaged
    Leadership; Empanelment has no module. Posting North is open with applications and scorecards."""
    o = Org()
    session = db.session
    o.sites = {"north": SiteFactory(name="North Clinic"), "south": SiteFactory(name="South Clinic")}
    session.add(Reference(key="ncqa-tc-02", label="NCQA TC 02: hiring and training for the medical home"))
    for position, (key, name) in enumerate([("cc", "Care Coordination"), ("el", "Engaged Leadership"),
                                            ("emp", "Empanelment")], start=1):
        o.values[key] = Value(key=f"test-{key}", name=name, position=100 + position, sources=["ncqa-tc-02"])
    session.add_all(o.values.values())
    o.track = Track(name="Foundations", kind=TrackKind.ALL_STAFF)
    session.add(o.track)
    session.flush()
    builds = [["cc"], ["cc", "el"], ["el"]]
    for i, keys in enumerate(builds):
        module = Module(track_id=o.track.id, position=i, title=f"Module {i + 1}",
                        sources=["ncqa-tc-02"] if i == 0 else [])
        module.values = [o.values[key] for key in keys]
        o.modules.append(module)
    session.add_all(o.modules)
    session.flush()

    mona = make_user(Role.MANAGER, name="Mona Manager", email="mona@example.org")
    north, south = o.sites["north"], o.sites["south"]
    specs = {
        "ann": ("Ann Alvarez", north, "Adult medicine", MA, -200,
                [(DONE, -180, -150), (DONE, -170, -150), (DONE, -160, -150)]),
        "ben": ("Ben Brooks", north, "Adult medicine", MA, -30, [(DONE, -10, -20), (OPEN, -3, None), (OPEN, 10, None)]),
        "cal": ("Cal Chen", south, "Care management", RN, -10, [(OPEN, 20, None), (OPEN, 30, None), (DONE, 40, -2)]),
        "dee": ("Dee Diaz", south, "Care management", RN, -400,
                [(OPEN, -100, None), (OPEN, -50, None), (WAIVED, -40, None)]),
        "ina": ("Ina Inactive", north, "Adult medicine", MA, -300, [(OPEN, -5, None), (OPEN, -4, None), (OPEN, -3, None)]),
    }
    o.people["mona"] = mona
    for key, (name, site, department, family, start, states) in specs.items():
        person = make_user(Role.STAFF, name=name, email=f"{key}@example.org", site=site, department=department,
                           role_family=family, manager=mona, start_date=days(start), active=key != "ina")
        o.people[key] = person
        assignment = Assignment(employee_id=person.id, track_id=o.track.id)
        session.add(assignment)
        session.flush()
        for module, (status, due, completed) in zip(o.modules, states, strict=True):
            session.add(Progress(
                employee_id=person.id, module_id=module.id, assignment_id=assignment.id, status=status,
                due_date=days(due), completed_at=at(completed) if completed is not None else None,
                completed_version=1 if completed is not None else None,
                signed_off_by_id=mona.id if key == "ann" and module is o.modules[2] else None,
            ))
            if completed is not None:
                session.add(Completion(employee_id=person.id, module_id=module.id, module_version=1,
                                       completed_at=at(completed)))
    session.flush()
    _hiring(o, session)
    return o


def _hiring(o: Org, session) -> None:
    cc, el = o.values["cc"], o.values["el"]
    template = Rubric(name="MA template", role_family=MA, is_template=True)
    rubric = Rubric(name="MA rubric", role_family=MA)
    session.add_all([template, rubric])
    session.flush()
    session.add(Criterion(rubric_id=template.id, value_id=cc.id, position=0, title="Coordinates care", weight=100,
                          anchor_1="a", anchor_3="b", anchor_5="c"))
    c1 = Criterion(rubric_id=rubric.id, value_id=cc.id, position=0, title="Coordinates care", weight=50,
                   anchor_1="a", anchor_3="b", anchor_5="c")
    c2 = Criterion(rubric_id=rubric.id, value_id=el.id, position=1, title="Leads", weight=50,
                   anchor_1="a", anchor_3="b", anchor_5="c")
    session.add_all([c1, c2])
    north = Posting(title="Medical assistant, North", site_id=o.sites["north"].id, role_family=MA,
                    rubric_id=rubric.id, status=PostingStatus.OPEN, opened_at=at(-40))
    draft = Posting(title="Draft posting", site_id=o.sites["south"].id, role_family=MA, rubric_id=rubric.id,
                    status=PostingStatus.DRAFT)
    old = Posting(title="Nurse, South", site_id=o.sites["south"].id, role_family=RN, rubric_id=template.id,
                  status=PostingStatus.CLOSED, opened_at=at(-400), closed_at=at(-300))
    session.add_all([north, draft, old])
    session.flush()
    o.postings = {"north": north, "draft": draft, "old": old}
    questions = [Question(value_id=cc.id, kind=QuestionKind.BEHAVIORAL, text="Tell us about a referral you tracked."),
                 Question(value_id=cc.id, kind=QuestionKind.SITUATIONAL, text="A patient misses a follow-up..."),
                 Question(value_id=el.id, kind=QuestionKind.BEHAVIORAL, text="When did you lead a change?")]
    session.add_all(questions)
    session.flush()
    session.add(KitItem(posting_id=north.id, question_id=questions[0].id, position=0))
    applications = {}
    for key, stage, hired_day in [("hired", Stage.HIRED, 12), ("interview", Stage.INTERVIEW, None),
                                  ("rejected", Stage.REJECTED, None), ("applied", Stage.APPLIED, None),
                                  ("second", Stage.HIRED, 20)]:
        application = Application(posting_id=north.id, name=f"Candidate {key}", email=f"{key}@candidates.org",
                                  stage=stage)
        session.add(application)
        session.flush()
        applications[key] = application
        session.add(StageChange(application_id=application.id, to_stage=Stage.APPLIED, at=at(-39)))
        if hired_day is not None:
            session.add(StageChange(application_id=application.id, from_stage=Stage.OFFER, to_stage=Stage.HIRED,
                                    at=at(-40 + hired_day)))
    hired = applications["hired"]
    mona, ann, ben = o.people["mona"], o.people["ann"], o.people["ben"]

    def card(interviewer, scores, *, revision=1, submitted=True, superseded=False):
        scorecard = Scorecard(application_id=hired.id, interviewer_id=interviewer.id, rubric_id=rubric.id,
                              revision=revision, status=ScorecardStatus.SUBMITTED if submitted else ScorecardStatus.DRAFT,
                              submitted_at=at(-30) if submitted else None, superseded_at=at(-29) if superseded else None)
        scorecard.ratings = [Rating(criterion_id=c.id, score=s) for c, s in zip([c1, c2], scores, strict=False)]
        session.add(scorecard)

    card(mona, [4, 5])
    card(ann, [1, 1], superseded=True)
    card(ann, [2, 3], revision=2)
    card(ben, [5, 5], submitted=False)
    session.flush()
