"""Offers: a versioned job offer on an application, and the organization's offer letter template."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin
from app.models.hiring import Application, EmploymentType
from app.models.people import User


class PayPeriod(enum.Enum):
    HOUR = "hour"
    YEAR = "year"

    @property
    def label(self) -> str:
        return {PayPeriod.HOUR: "an hour", PayPeriod.YEAR: "a year"}[self]


class OfferStatus(enum.Enum):
    """A version is written (a draft), sent, then accepted or declined; a newer version supersedes it."""

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUPERSEDED = "superseded"


class Offer(TimestampMixin, Base):
    """One version of an offer to a candidate. Its terms never change once written: a revision is a new
    version, and the letter is kept as it was sent."""

    __tablename__ = "offer"
    __table_args__ = (
        UniqueConstraint("application_id", "version"),
        CheckConstraint("pay_cents > 0", name="pay_positive"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(160))
    start_date: Mapped[date]
    pay_cents: Mapped[int]
    pay_period: Mapped[PayPeriod]
    employment_type: Mapped[EmploymentType]
    expires_on: Mapped[date]
    status: Mapped[OfferStatus] = mapped_column(default=OfferStatus.DRAFT, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    approved_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    sent_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    letter_subject: Mapped[str] = mapped_column(String(200), default="")
    letter_text: Mapped[str] = mapped_column(Text, default="")  # the letter as sent, plain text

    application: Mapped[Application] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])

    def __repr__(self) -> str:
        return f"<Offer {self.id} app={self.application_id} v{self.version} {self.status.value}>"


class OfferLetterTemplate(TimestampMixin, Base):
    """The organization's offer letter: a subject and a body with {fields}; one row, edited by HR."""

    __tablename__ = "offer_letter_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<OfferLetterTemplate {self.id}>"
