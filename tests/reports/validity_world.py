"""Hires with interview scorecards and check-ins, built row by row so every score is known."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.models import (
    Application,
    CheckIn,
    CheckInRating,
    Criterion,
    InterviewAssignment,
    KitItem,
    Posting,
    PostingStatus,
    Question,
    QuestionKind,
    Rater,
    Rating,
    Role,
    RoleFamily,
    Rubric,
    Scorecard,
    ScorecardStatus,
    Stage,
    User,
    Value,
)
from tests.factories import SiteFactory

TODAY = date.today()
_serial = itertools.count(1)


def moment(day: date) -> datetime:
    return datetime.combine(day, time(10))


@dataclass
class Hiring:
    """Two values, a posting whose rubric assesses both (one kit question each), two interviewers, a manager."""

    db: object
    make_user: object
    values: dict[str, Value] = field(default_factory=dict)
    sites: dict = field(default_factory=dict)
    posting: Posting | None = None
    criteria: dict[str, Criterion] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    interviewers: list[User] = field(default_factory=list)
    manager: User | None = None

    def setup(self) -> Hiring:
        session = self.db.session
        for key, name in (("cc", "Care Coordination"), ("el", "Engaged Leadership")):
            self.values[key] = Value(key=f"validity-{key}", name=name, position=200 + len(self.values))
        session.add_all(self.values.values())
        self.sites = {"north": SiteFactory(name="North Validity Clinic"), "south": SiteFactory(name="South Validity Clinic")}
        self.posting, self.criteria = self.new_posting("MA validity rubric")
        self.interviewers = [self.make_user(Role.STAFF, name=name, is_interviewer=True)
                             for name in ("Ivan Interviewer", "Iris Interviewer")]
        self.manager = self.make_user(Role.MANAGER, name="Mona Validity")
        return self

    def new_posting(self, rubric_name: str, *, version: int = 1, previous: Rubric | None = None,
                    family: RoleFamily = RoleFamily.MEDICAL_ASSISTANT) -> tuple[Posting, dict[str, Criterion]]:
        session = self.db.session
        rubric = Rubric(name=rubric_name, role_family=family, version=version,
                        previous_id=previous.id if previous else None)
        session.add(rubric)
        session.flush()
        criteria = {key: Criterion(rubric_id=rubric.id, value_id=value.id, position=position, weight=50,
                                   title=f"{value.name} ({rubric_name})", anchor_1="a", anchor_3="b", anchor_5="c")
                    for position, (key, value) in enumerate(self.values.items())}
        posting = Posting(title=f"Posting for {rubric_name}", site_id=self.sites["north"].id, role_family=family,
                          rubric_id=rubric.id, status=PostingStatus.CLOSED, opened_at=moment(TODAY - timedelta(300)))
        session.add_all([*criteria.values(), posting])
        session.flush()
        if not self.questions:
            for key, value in self.values.items():
                self.questions[key] = Question(value_id=value.id, kind=QuestionKind.BEHAVIORAL,
                                               text=f"Tell us about a time you showed {value.name}.")
            session.add_all(self.questions.values())
            session.flush()
        for position, question in enumerate(self.questions.values()):
            session.add(KitItem(posting_id=posting.id, question_id=question.id, position=position))
        session.flush()
        return posting, criteria

    def hire(self, name: str, scores: list[dict[str, int]] | None, ratings: dict[str, int], *,
             self_ratings: dict[str, int] | None = None, day: int = 90, site: str = "north",
             family: RoleFamily = RoleFamily.MEDICAL_ASSISTANT, start: date | None = None,
             posting: Posting | None = None, criteria: dict[str, Criterion] | None = None,
             check_in_rubric_id: int | None = None, manager: User | None = None, done: bool = True) -> User:
        """A hire started `start` (default: day days ago), hired from an application whose interviewers gave
        `scores` (one dict of value key -> 1-5 per interviewer; None: no scorecard at all), with a check-in
        on `day` whose manager gave `ratings` (and the hire `self_ratings`, default the same)."""
        session = self.db.session
        posting, criteria = posting or self.posting, criteria or self.criteria
        start = start or TODAY - timedelta(days=day + 5)
        employee = self.make_user(Role.STAFF, name=name, email=f"hire{next(_serial)}@validity.example",
                                  site=self.sites[site], role_family=family, start_date=start,
                                  manager=manager or self.manager)
        application = Application(posting_id=posting.id, name=name, email=employee.email, stage=Stage.HIRED,
                                  hired_user_id=employee.id)
        session.add(application)
        session.flush()
        for interviewer, given in zip(self.interviewers, scores or [], strict=False):
            card = Scorecard(application_id=application.id, interviewer_id=interviewer.id,
                             rubric_id=posting.rubric_id, status=ScorecardStatus.SUBMITTED,
                             submitted_at=moment(start - timedelta(days=20)))
            card.ratings = [Rating(criterion_id=criteria[key].id, score=score) for key, score in given.items()]
            session.add(card)
        self.check_in(employee, application, day, ratings, self_ratings or ratings,
                      rubric_id=check_in_rubric_id or posting.rubric_id, done=done)
        employee.application = application
        return employee

    def check_in(self, employee: User, application: Application | None, day: int, ratings: dict[str, int],
                 self_ratings: dict[str, int], *, rubric_id: int | None = None, done: bool = True) -> CheckIn:
        session = self.db.session
        due = employee.start_date + timedelta(days=day)
        at = moment(min(due, TODAY))
        check_in = CheckIn(employee_id=employee.id, day=day, due_date=due, rubric_id=rubric_id or self.posting.rubric_id,
                           application_id=application.id if application else None,
                           self_submitted_at=at, manager_submitted_at=at if done else None,
                           manager_id=(employee.manager_id if done else None), completed_at=at if done else None)
        session.add(check_in)
        session.flush()
        for rater, given, who in ((Rater.MANAGER, ratings if done else {}, employee.manager_id),
                                  (Rater.SELF, self_ratings, employee.id)):
            for key, score in given.items():
                session.add(CheckInRating(check_in_id=check_in.id, rater=rater, rater_id=who,
                                          value_id=self.values[key].id, score=score, evidence="Seen on the floor."))
        session.flush()
        return check_in

    def panel(self, application: Application, interviewer: User) -> InterviewAssignment:
        assignment = InterviewAssignment(application_id=application.id, interviewer_id=interviewer.id)
        self.db.session.add(assignment)
        self.db.session.flush()
        return assignment
