"""Hiring: questions, rubrics, postings and their kits, applications, interviews, scorecards."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import ArchivableMixin, Base, TimestampMixin, utcnow
from app.models.people import RoleFamily, Site, User
from app.models.values import Value


class QuestionKind(enum.Enum):
    BEHAVIORAL = "behavioral"
    SITUATIONAL = "situational"


class Question(ArchivableMixin, TimestampMixin, Base):
    """An interview question tied to a value."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("value.id"), index=True)
    kind: Mapped[QuestionKind]
    text: Mapped[str] = mapped_column(Text)
    role_families: Mapped[list] = mapped_column(default=list)  # role family values; empty = all
    probes: Mapped[list] = mapped_column(default=list)
    strong_answer: Mapped[str] = mapped_column(Text, default="")
    weak_answer: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list] = mapped_column(default=list)

    value: Mapped[Value] = relationship()

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.key}>"

    def suits(self, role_family: RoleFamily) -> bool:
        return not self.role_families or role_family.value in self.role_families


class Rubric(ArchivableMixin, TimestampMixin, Base):
    """A weighted list of criteria; templates are seeded per role family."""

    __tablename__ = "rubric"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    role_family: Mapped[RoleFamily | None]
    description: Mapped[str] = mapped_column(Text, default="")
    is_template: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("rubric.id"), index=True)
    suggested_kit: Mapped[list] = mapped_column(default=list)  # question keys, in order

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="rubric",
        order_by="Criterion.position",
        primaryjoin="and_(Rubric.id == Criterion.rubric_id, Criterion.archived_at.is_(None))",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<Rubric {self.id} {self.name!r} v{self.version}>"

    @property
    def total_weight(self) -> int:
        return sum(criterion.weight for criterion in self.criteria)


class Criterion(ArchivableMixin, Base):
    """One rubric line: a value, its weight and behavioral anchors for 1, 3 and 5."""

    __tablename__ = "criterion"
    __table_args__ = (CheckConstraint("weight >= 0 AND weight <= 100", name="weight_percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"), index=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("value.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    weight: Mapped[int]
    anchor_1: Mapped[str] = mapped_column(Text)
    anchor_3: Mapped[str] = mapped_column(Text)
    anchor_5: Mapped[str] = mapped_column(Text)
    sources: Mapped[list] = mapped_column(default=list)

    rubric: Mapped[Rubric] = relationship()
    value: Mapped[Value] = relationship()

    def __repr__(self) -> str:
        return f"<Criterion {self.id} rubric={self.rubric_id} w={self.weight}>"


class PostingStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class EmploymentType(enum.Enum):
    """schema.org JobPosting employmentType values."""

    FULL_TIME = "FULL_TIME"
    PART_TIME = "PART_TIME"
    PER_DIEM = "PER_DIEM"
    TEMPORARY = "TEMPORARY"
    CONTRACTOR = "CONTRACTOR"

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()  # "Full time", "Per diem", ...


class Posting(ArchivableMixin, TimestampMixin, Base):
    """A job posting with its rubric and interview kit."""

    __tablename__ = "posting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    department: Mapped[str] = mapped_column(String(120), default="")
    role_family: Mapped[RoleFamily]
    employment_type: Mapped[EmploymentType] = mapped_column(default=EmploymentType.FULL_TIME)
    description: Mapped[str] = mapped_column(Text, default="")
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"), index=True)
    status: Mapped[PostingStatus] = mapped_column(default=PostingStatus.DRAFT, index=True)
    closing_date: Mapped[date | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    coverage_override_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    site: Mapped[Site] = relationship()
    rubric: Mapped[Rubric] = relationship()
    kit: Mapped[list[KitItem]] = relationship(
        back_populates="posting", order_by="KitItem.position", cascade="all, delete-orphan"
    )
    applications: Mapped[list[Application]] = relationship(back_populates="posting")

    def __repr__(self) -> str:
        return f"<Posting {self.id} {self.status.value}>"


class KitItem(Base):
    """One question in a posting's interview kit, in order."""

    __tablename__ = "kit_item"
    __table_args__ = (UniqueConstraint("posting_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    position: Mapped[int]

    posting: Mapped[Posting] = relationship(back_populates="kit")
    question: Mapped[Question] = relationship()

    def __repr__(self) -> str:
        return f"<KitItem posting={self.posting_id} q={self.question_id} #{self.position}>"


class Stage(enum.Enum):
    APPLIED = "applied"
    SCREENING = "screening"
    INTERVIEW = "interview"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Application(ArchivableMixin, TimestampMixin, Base):
    """A candidate's application to a posting."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("posting_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("posting.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40), default="")
    why_medical_home: Mapped[str] = mapped_column(Text, default="")
    resume_path: Mapped[str | None] = mapped_column(String(255))
    stage: Mapped[Stage] = mapped_column(default=Stage.APPLIED, index=True)
    hired_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    posting: Mapped[Posting] = relationship(back_populates="applications")
    stage_changes: Mapped[list[StageChange]] = relationship(
        back_populates="application", order_by="StageChange.at"
    )
    resubmissions: Mapped[list[ApplicationResubmission]] = relationship(
        back_populates="application", order_by="ApplicationResubmission.id"
    )

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.stage.value}>"


class ApplicationResubmission(Base):
    """A later public submission with the e-mail of an existing application, kept beside it as it came.

    Nobody checks who sends the public form, so it never changes the application: HR reads these
    as unverified. Never changed or deleted."""

    __tablename__ = "application_resubmission"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")
    why_medical_home: Mapped[str] = mapped_column(Text, default="")
    resume_path: Mapped[str | None] = mapped_column(String(255))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="resubmissions")

    def __repr__(self) -> str:
        return f"<ApplicationResubmission {self.id} app={self.application_id}>"


class StageChange(Base):
    """One move of an application through the pipeline."""

    __tablename__ = "stage_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    from_stage: Mapped[Stage | None]
    to_stage: Mapped[Stage]
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="stage_changes")

    def __repr__(self) -> str:
        return f"<StageChange {self.application_id} {self.from_stage}->{self.to_stage}>"


class CandidateLinkUse(Base):
    """A signed link in a candidate's e-mail that has been used: each purpose works once per application."""

    __tablename__ = "candidate_link_use"
    __table_args__ = (UniqueConstraint("application_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    used_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<CandidateLinkUse app={self.application_id} {self.purpose}>"


class InterviewAssignment(TimestampMixin, Base):
    """An interviewer HR named for an application."""

    __tablename__ = "interview_assignment"
    __table_args__ = (UniqueConstraint("application_id", "interviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    scheduled_for: Mapped[datetime | None]

    application: Mapped[Application] = relationship()
    interviewer: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<InterviewAssignment app={self.application_id} by={self.interviewer_id}>"


class ScorecardStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Recommendation(enum.Enum):
    STRONG_NO = "strong_no"
    NO = "no"
    YES = "yes"
    STRONG_YES = "strong_yes"


class Scorecard(ArchivableMixin, TimestampMixin, Base):
    """One interviewer's ratings of one application; an amendment is a new revision."""

    __tablename__ = "scorecard"
    __table_args__ = (UniqueConstraint("application_id", "interviewer_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[ScorecardStatus] = mapped_column(default=ScorecardStatus.DRAFT)
    recommendation: Mapped[Recommendation | None]
    submitted_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]
    amendment_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    ratings: Mapped[list[Rating]] = relationship(
        back_populates="scorecard", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Scorecard {self.id} app={self.application_id} r{self.revision}>"


class Rating(Base):
    """A rating of 1–5 on one criterion, with the evidence behind it."""

    __tablename__ = "rating"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "criterion_id"),
        CheckConstraint("score >= 1 AND score <= 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecard.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"), index=True)
    score: Mapped[int]
    evidence: Mapped[str] = mapped_column(Text, default="")

    scorecard: Mapped[Scorecard] = relationship(back_populates="ratings")
    criterion: Mapped[Criterion] = relationship()

    def __repr__(self) -> str:
        return f"<Rating sc={self.scorecard_id} c={self.criterion_id} {self.score}>"


class Interview(TimestampMixin, Base):
    """A scheduled interview of an application: when (stored in UTC), how long, where, and who is on its panel.

    time_zone is the site's zone when the interview was last scheduled: the time HR entered and the invitations
    sent are in it. sequence counts the versions of the invitation (iCalendar SEQUENCE); cancelled interviews
    are kept."""

    __tablename__ = "interview"
    __table_args__ = (
        CheckConstraint("minutes >= 5 AND minutes <= 480", name="minutes_range"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime] = mapped_column(index=True)
    minutes: Mapped[int]
    time_zone: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(200), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    sequence: Mapped[int] = mapped_column(default=0)
    organizer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    cancelled_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship()
    organizer: Mapped[User] = relationship()
    panel: Mapped[list[InterviewPanelist]] = relationship(
        primaryjoin="and_(Interview.id == InterviewPanelist.interview_id, InterviewPanelist.removed_at.is_(None))",
        order_by="InterviewPanelist.id",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<Interview {self.id} app={self.application_id} seq={self.sequence}>"

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class InterviewPanelist(TimestampMixin, Base):
    """An interviewer on a scheduled interview's panel; taken off, the row stays with removed_at set."""

    __tablename__ = "interview_panelist"
    __table_args__ = (UniqueConstraint("interview_id", "interviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interview.id"), index=True)
    interviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    removed_at: Mapped[datetime | None]

    interview: Mapped[Interview] = relationship()
    interviewer: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<InterviewPanelist interview={self.interview_id} by={self.interviewer_id}>"
