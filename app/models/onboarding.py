"""Onboarding: tracks, modules, quiz items, assignments, per-module progress and completions."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import ArchivableMixin, Base, TimestampMixin, utcnow
from app.models.people import RoleFamily, User
from app.models.values import Value


class TrackKind(enum.Enum):
    ALL_STAFF = "all-staff"
    ROLE = "role"
    DEVELOPMENT = "development"


class Method(enum.Enum):
    """How a module is completed."""

    ATTEST = "attest"
    QUIZ = "quiz"
    SIGN_OFF = "sign-off"
    TASK = "task"


class Responsible(enum.Enum):
    """Who completes a task module for the new hire."""

    HR = "hr"
    MANAGER = "manager"
    EMPLOYEE = "employee"


module_value = Table(
    "module_value",
    Base.metadata,
    Column("module_id", ForeignKey("module.id"), primary_key=True),
    Column("value_id", ForeignKey("value.id"), primary_key=True, index=True),
)


class Track(ArchivableMixin, TimestampMixin, Base):
    """An ordered list of modules for one or more role families, or for all staff."""

    __tablename__ = "track"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[TrackKind] = mapped_column(default=TrackKind.ROLE)
    role_families: Mapped[list] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")

    modules: Mapped[list[Module]] = relationship(
        order_by="Module.position",
        primaryjoin="and_(Track.id == Module.track_id, Module.archived_at.is_(None))",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<Track {self.id} {self.key or self.name!r}>"


class Module(ArchivableMixin, TimestampMixin, Base):
    """One unit of training: content, values it builds, due offset and completion method."""

    __tablename__ = "module"
    __table_args__ = (
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("due_offset_days >= 0", name="due_offset_not_negative"),
        CheckConstraint("pass_mark IS NULL OR (pass_mark >= 0 AND pass_mark <= 100)", name="pass_mark_percent"),
        CheckConstraint("renew_months IS NULL OR renew_months > 0", name="renew_months_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column(default=15)
    due_offset_days: Mapped[int] = mapped_column(default=14)
    method: Mapped[Method] = mapped_column(default=Method.ATTEST)
    pass_mark: Mapped[int | None]
    renew_months: Mapped[int | None]
    observation: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[Responsible | None]
    version: Mapped[int] = mapped_column(default=1)
    sources: Mapped[list] = mapped_column(default=list)

    track: Mapped[Track] = relationship()
    values: Mapped[list[Value]] = relationship(secondary=module_value, order_by="Value.position")
    quiz_items: Mapped[list[QuizItem]] = relationship(
        order_by="QuizItem.position",
        primaryjoin="and_(Module.id == QuizItem.module_id, QuizItem.archived_at.is_(None))",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<Module {self.id} {self.key or self.title!r} v{self.version}>"


class QuizItem(ArchivableMixin, Base):
    """A single- or multiple-choice question in a quiz module."""

    __tablename__ = "quiz_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    prompt: Mapped[str] = mapped_column(Text)
    choices: Mapped[list] = mapped_column(default=list)
    answers: Mapped[list] = mapped_column(default=list)  # indices into choices
    explanation: Mapped[str] = mapped_column(Text, default="")

    module: Mapped[Module] = relationship()

    def __repr__(self) -> str:
        return f"<QuizItem {self.id} module={self.module_id}>"

    @property
    def multiple(self) -> bool:
        return len(self.answers) > 1


class Assignment(TimestampMixin, Base):
    """A track assigned to an employee; unassigning keeps the row and its history."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("employee_id", "track_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("track.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    unassigned_at: Mapped[datetime | None]

    employee: Mapped[User] = relationship(foreign_keys=[employee_id])
    track: Mapped[Track] = relationship()

    def __repr__(self) -> str:
        return f"<Assignment {self.id} user={self.employee_id} track={self.track_id}>"


class ProgressStatus(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    WAIVED = "waived"


class Progress(TimestampMixin, Base):
    """An employee's current state on one module; unique per employee and module."""

    __tablename__ = "progress"
    __table_args__ = (UniqueConstraint("employee_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"), index=True)
    status: Mapped[ProgressStatus] = mapped_column(default=ProgressStatus.NOT_STARTED, index=True)
    due_date: Mapped[date | None] = mapped_column(index=True)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_version: Mapped[int | None]
    best_score: Mapped[int | None]
    sign_off_requested_at: Mapped[datetime | None]
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    signed_off_at: Mapped[datetime | None]
    sign_off_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    renew_by: Mapped[date | None] = mapped_column(index=True)

    employee: Mapped[User] = relationship(foreign_keys=[employee_id])
    module: Mapped[Module] = relationship()
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])

    def __repr__(self) -> str:
        return f"<Progress user={self.employee_id} module={self.module_id} {self.status.value}>"


class Completion(Base):
    """A completion as it happened: the transcript's line. Never changed or deleted."""

    __tablename__ = "completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    module_version: Mapped[int]
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[int | None]
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    module: Mapped[Module] = relationship()

    def __repr__(self) -> str:
        return f"<Completion user={self.employee_id} module={self.module_id} v{self.module_version}>"


class QuizAttempt(Base):
    """One submitted quiz: the answers as given and the score; the best score is kept on Progress."""

    __tablename__ = "quiz_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    progress_id: Mapped[int] = mapped_column(ForeignKey("progress.id"), index=True)
    module_version: Mapped[int]
    answers: Mapped[dict] = mapped_column(default=dict)  # quiz item id -> chosen indices
    score: Mapped[int]
    passed: Mapped[bool]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<QuizAttempt progress={self.progress_id} {self.score}%>"


class TrainingSummary(Base):
    """One employee's training figures, kept current by app.onboarding.summaries.

    Counts cover active employees' active assignments of non-archived modules (a deactivated
    employee's row holds zeros). `overdue` and `oldest_overdue` hold
    for every day from the day after `latest_overdue` up to `next_due`: open modules fall due on
    those two dates, so a report for a day outside that span recomputes the row first.
    """

    __tablename__ = "training_summary"
    # Covers the completion report's GROUP BY: it reads this index alone, never the table or users.
    __table_args__ = (Index("ix_training_summary_groups", "site_id", "department", "role_family", "assigned",
                            "done", "overdue"),)

    employee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    # Copies of the employee's own fields that reports group and filter by, kept with the figures.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    department: Mapped[str] = mapped_column(String(120), default="")
    role_family: Mapped[RoleFamily | None]
    start_date: Mapped[date | None] = mapped_column(index=True)
    assigned: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[int] = mapped_column(default=0)
    oldest_overdue: Mapped[date | None]  # the earliest due date among overdue modules
    latest_overdue: Mapped[date | None] = mapped_column(index=True)  # the latest due date among them
    next_due: Mapped[date | None] = mapped_column(index=True)  # the earliest due date not yet overdue

    def __repr__(self) -> str:
        return f"<TrainingSummary user={self.employee_id} {self.done}/{self.assigned} overdue={self.overdue}>"


class ValueSummary(Base):
    """One employee's figures over the modules that build one value (a module may build several)."""

    __tablename__ = "value_summary"
    # Covers the by-value report: its GROUP BY reads this index alone, never the table.
    __table_args__ = (Index("ix_value_summary_figures", "value_id", "assigned", "done", "overdue"),)

    employee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("value.id"), primary_key=True)
    assigned: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ValueSummary user={self.employee_id} value={self.value_id} {self.done}/{self.assigned}>"


class ValueTotal(Base):
    """The whole organization's figures for one value: the sums of its value_summary rows, kept by
    app.onboarding.summaries as those rows change, so the report's by-value figures read one row per
    value instead of summing one per employee and value."""

    __tablename__ = "value_total"

    value_id: Mapped[int] = mapped_column(ForeignKey("value.id"), primary_key=True)
    assigned: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<ValueTotal value={self.value_id} {self.done}/{self.assigned}>"
