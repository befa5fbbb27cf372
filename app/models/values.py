"""The PCMH values catalog and the source references content cites."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import ArchivableMixin, Base, TimestampMixin


class Reference(ArchivableMixin, Base):
    """A short citation (SNMHI key change, NCQA criterion ID, CCHH element) that content names."""

    __tablename__ = "reference"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<Reference {self.key}>"


class Value(ArchivableMixin, TimestampMixin, Base):
    """A PCMH value or competency that rubrics assess and modules build."""

    __tablename__ = "value"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    stage: Mapped[str] = mapped_column(String(80), default="")
    summary: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    behaviors: Mapped[list] = mapped_column(default=list)
    sources: Mapped[list] = mapped_column(default=list)
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<Value {self.key}>"
