"""Credential types: the licences, registrations and certifications a role family requires."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import ArchivableMixin, Base, TimestampMixin


class CredentialType(ArchivableMixin, TimestampMixin, Base):
    """A kind of credential (an RN licence, a DEA registration, BLS) and how it is kept current."""

    __tablename__ = "credential_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role_families: Mapped[list] = mapped_column(default=list)  # RoleFamily names that require it
    primary_source_required: Mapped[bool] = mapped_column(default=False)
    renewal_months: Mapped[int | None]  # usual renewal period; None when it does not expire

    def __repr__(self) -> str:
        return f"<CredentialType {self.name}>"
