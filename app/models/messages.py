"""The organization's editable e-mail templates for the letters a candidate gets on a stage change."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TimestampMixin


class MessageTemplate(TimestampMixin, Base):
    """One letter's subject and body, with {fields} filled in per application; one row per key."""

    __tablename__ = "message_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    def __repr__(self) -> str:
        return f"<MessageTemplate {self.key}>"
