"""API tokens for the integrations around the app (HRIS, LMS, payroll), their call log and the
replayable answers of idempotent requests."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.people import Role, User


class Scope(enum.Enum):
    """What an API token may do; each operation of /api/v1 needs one."""

    READ_EMPLOYEES = "read:employees"
    WRITE_EMPLOYEES = "write:employees"
    READ_TRAINING = "read:training"
    WRITE_COMPLETIONS = "write:completions"
    READ_HIRING = "read:hiring"

    @property
    def label(self) -> str:
        return SCOPE_LABELS[self]


SCOPE_LABELS = {
    Scope.READ_EMPLOYEES: "Read employees and sites",
    Scope.WRITE_EMPLOYEES: "Create, update and deactivate employees",
    Scope.READ_TRAINING: "Read tracks, modules, assignments, progress and check-ins",
    Scope.WRITE_COMPLETIONS: "Record completions from an external LMS",
    Scope.READ_HIRING: "Read postings and applications",
}


class ApiToken(Base):
    """A bearer token for one named integration, created by an admin. Only its sha256 is stored; a
    revoked token is kept (with who revoked it) so the call log and the audit trail still name it."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, shown to tell tokens apart
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list] = mapped_column(default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}>"

    @property
    def issuer_is_admin(self) -> bool:
        """Tokens act for the admin who issued them; once that person is no longer an active admin, the
        token is suspended, so no token ever acts with less than an administrator's standing."""
        return self.created_by.active and self.created_by.role is Role.ADMIN

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active" if self.issuer_is_admin else "suspended"


class ApiCall(Base):
    """One call made with a token: the per-token call log admins read."""

    __tablename__ = "api_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[int]

    def __repr__(self) -> str:
        return f"<ApiCall {self.id} {self.method} {self.status}>"


class IdempotentRequest(Base):
    """The first answer to a write sent with an Idempotency-Key, replayed when the same key and body
    come again; the same key with another body is refused."""

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id"), index=True)
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    body: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<IdempotentRequest {self.id} token={self.token_id}>"
