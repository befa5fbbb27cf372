"""Check-ins: 30/60/90-day ratings of a new hire on the values they were hired on, by themself and
by their manager, each blind to the other until both are in; amendments keep the earlier revision."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import ArchivableMixin, Base, TimestampMixin, utcnow
from app.models.hiring import Application, Rubric
from app.models.people import RoleFamily, User
from app.models.values import Value

DEFAULT_OFFSETS = [30, 60, 90]


class CheckInSchedule(TimestampMixin, Base):
    """The days after the start date on which a role family's new hires have check-ins; the row without
    a role family holds the offsets of every family that has no row of its own."""

    __tablename__ = "check_in_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_family: Mapped[RoleFamily | None] = mapped_column(unique=True)
    offsets: Mapped[list] = mapped_column(default=lambda: list(DEFAULT_OFFSETS))

    def __repr__(self) -> str:
        return f"<CheckInSchedule {self.role_family} {self.offsets}>"


class Rater(enum.Enum):
    SELF = "self"
    MANAGER = "manager"


class CheckIn(ArchivableMixin, TimestampMixin, Base):
    """One check-in of one employee, due a number of days after their start date."""

    __tablename__ = "check_in"
    __table_args__ = (
        UniqueConstraint("employee_id", "day"),
        CheckConstraint("day > 0", name="day_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    day: Mapped[int]  # days after the start date
    due_date: Mapped[date] = mapped_column(index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"), index=True)  # whose values are rated
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)  # hired from
    self_submitted_at: Mapped[datetime | None]
    manager_submitted_at: Mapped[datetime | None]
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)  # who rated as manager
    next_steps: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(index=True)  # both ratings are in

    employee: Mapped[User] = relationship(foreign_keys=[employee_id])
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])
    rubric: Mapped[Rubric] = relationship()
    application: Mapped[Application | None] = relationship()
    ratings: Mapped[list[CheckInRating]] = relationship(
        back_populates="check_in", order_by="CheckInRating.id",
        primaryjoin="and_(CheckIn.id == CheckInRating.check_in_id, CheckInRating.superseded_at.is_(None))",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<CheckIn {self.id} user={self.employee_id} day {self.day}>"

    def submitted_at(self, rater: Rater) -> datetime | None:
        return self.self_submitted_at if rater is Rater.SELF else self.manager_submitted_at

    @property
    def done(self) -> bool:
        return self.completed_at is not None


class CheckInRating(Base):
    """A 1–5 rating of one value by one side of a check-in, with the evidence; an amendment supersedes
    it with a new revision and a reason, so the earlier rating is kept."""

    __tablename__ = "check_in_rating"
    __table_args__ = (
        UniqueConstraint("check_in_id", "rater", "value_id", "revision"),
        CheckConstraint("score >= 1 AND score <= 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("check_in.id", ondelete="RESTRICT"), index=True)
    rater: Mapped[Rater]
    rater_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("value.id"), index=True)
    score: Mapped[int]
    evidence: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=1)
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    superseded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    check_in: Mapped[CheckIn] = relationship(back_populates="ratings")
    value: Mapped[Value] = relationship()

    def __repr__(self) -> str:
        return f"<CheckInRating ci={self.check_in_id} {self.rater.value} v={self.value_id} {self.score} r{self.revision}>"
