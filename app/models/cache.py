"""The table that tells cached page parts apart from the data under them: one row per area."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class DataVersion(Base):
    """A new random token for an area each time a transaction that wrote one of its tables commits
    (app.page_cache)."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)  # the area's number, app.page_cache.AREA_IDS
    token: Mapped[str] = mapped_column(String(32))

    def __repr__(self) -> str:
        return f"<DataVersion {self.token}>"
