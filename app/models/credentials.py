"""Credential types a role family requires, and each employee's credentials with their verification."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import ArchivableMixin, Base, TimestampMixin

if TYPE_CHECKING:
    from app.models.people import User


class CredentialType(ArchivableMixin, TimestampMixin, Base):
    """A kind of credential (an RN licence, a DEA registration, BLS) and how it is kept current."""

    __tablename__ = "credential_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role_families: Mapped[list] = mapped_column(default=list)  # RoleFamily names that require it
    primary_source_required: Mapped[bool] = mapped_column(default=False)
    renewal_months: Mapped[int | None]  # usual renewal period; None when it does not expire
    # The name seeds/credential-types.yaml gave it, kept when HR renames it so `flask seed` does not add it again.
    seed_name: Mapped[str | None] = mapped_column(String(120), unique=True)

    def __repr__(self) -> str:
        return f"<CredentialType {self.name}>"


class VerificationMethod(enum.Enum):
    """How a credential was verified: with the issuing source itself, or by seeing a copy."""

    PRIMARY_SOURCE = "primary-source"
    COPY_SEEN = "copy-seen"

    @property
    def label(self) -> str:
        return {"primary-source": "Primary source", "copy-seen": "Copy seen"}[self.value]


class EmployeeCredential(ArchivableMixin, TimestampMixin, Base):
    """One licence, registration or certification an employee holds; archived, never deleted."""

    __tablename__ = "employee_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    credential_type_id: Mapped[int] = mapped_column(ForeignKey("credential_type.id"), index=True)
    number: Mapped[str] = mapped_column(String(80), default="")
    issuer: Mapped[str] = mapped_column(String(120), default="")  # issuing state or body
    issued_on: Mapped[date | None]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    verification_method: Mapped[VerificationMethod | None]
    verification_source: Mapped[str] = mapped_column(String(200), default="")  # the board, registry or site

    employee: Mapped[User] = relationship(foreign_keys=[employee_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    credential_type: Mapped[CredentialType] = relationship()

    def __repr__(self) -> str:
        return f"<EmployeeCredential {self.id} user={self.employee_id} type={self.credential_type_id}>"

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class CredentialScan(ArchivableMixin, TimestampMixin, Base):
    """A scanned copy of a credential, stored outside the web root under a random name; a replaced scan is
    archived (its file kept), so a credential has at most one scan not archived."""

    __tablename__ = "credential_scan"

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("employee_credential.id", ondelete="RESTRICT"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)  # the random file name in CREDENTIAL_SCAN_DIR
    mimetype: Mapped[str] = mapped_column(String(40))  # found from the file's first bytes, never from its name
    size: Mapped[int]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    credential: Mapped[EmployeeCredential] = relationship()
    uploaded_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CredentialScan {self.id} credential={self.credential_id}>"


class CredentialingEvent(ArchivableMixin, TimestampMixin, Base):
    """HR recorded that an employee was credentialed (or re-credentialed) on a day; the latest sets the next due date."""

    __tablename__ = "credentialing_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    credentialed_on: Mapped[date] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(String(200), default="")  # e.g. the committee or board meeting
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    employee: Mapped[User] = relationship(foreign_keys=[employee_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])

    def __repr__(self) -> str:
        return f"<CredentialingEvent {self.id} user={self.employee_id} on={self.credentialed_on}>"


class Privilege(ArchivableMixin, TimestampMixin, Base):
    """A clinical privilege granted to an employee (what they may do here), kept on their credentialing file."""

    __tablename__ = "privilege"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    granted_on: Mapped[date]
    granted_by: Mapped[str] = mapped_column(String(120))  # the body or person who granted it
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    employee: Mapped[User] = relationship(foreign_keys=[employee_id])

    def __repr__(self) -> str:
        return f"<Privilege {self.id} user={self.employee_id}>"


class CredentialStanding(Base):
    """Where an active employee stands on one credential type, kept by app.credentials.standing for the
    credential warnings: a row only where a warning can arise, that is a required type with no record
    (expires_on None) or the latest record of a type when it has an expiry date."""

    __tablename__ = "credential_standing"

    employee_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    credential_type_id: Mapped[int] = mapped_column(ForeignKey("credential_type.id", ondelete="CASCADE"),
                                                    primary_key=True)
    expires_on: Mapped[date | None] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<CredentialStanding user={self.employee_id} type={self.credential_type_id} {self.expires_on}>"
