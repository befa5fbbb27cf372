"""Sites and users (employees, applicants' future colleagues, interviewers, managers)."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import ArchivableMixin, Base, TimestampMixin, utcnow


class Role(enum.Enum):
    """The app role a user holds; interviewing is a separate permission."""

    ADMIN = "admin"
    HR = "hr"
    MANAGER = "manager"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return {"admin": "Admin", "hr": "HR", "manager": "Manager", "staff": "Staff"}[self.value]


class RoleFamily(enum.Enum):
    """The care-team role families rubrics and tracks are written for."""

    MEDICAL_ASSISTANT = "medical-assistant"
    NURSE_CARE_MANAGER = "nurse-care-manager"
    PRIMARY_CARE_PROVIDER = "primary-care-provider"
    FRONT_DESK = "front-desk"
    COMMUNITY_HEALTH_WORKER = "community-health-worker"
    BEHAVIORAL_HEALTH_CONSULTANT = "behavioral-health-consultant"
    PRACTICE_MANAGER = "practice-manager"

    @property
    def label(self) -> str:
        return ROLE_FAMILY_LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


ROLE_FAMILY_LABELS = {
    RoleFamily.MEDICAL_ASSISTANT: "Medical assistant",
    RoleFamily.NURSE_CARE_MANAGER: "Registered nurse / care manager",
    RoleFamily.PRIMARY_CARE_PROVIDER: "Primary care provider",
    RoleFamily.FRONT_DESK: "Front desk / patient services",
    RoleFamily.COMMUNITY_HEALTH_WORKER: "Community health worker / care coordinator",
    RoleFamily.BEHAVIORAL_HEALTH_CONSULTANT: "Behavioral health consultant",
    RoleFamily.PRACTICE_MANAGER: "Practice manager / clinic leader",
}


class Site(ArchivableMixin, TimestampMixin, Base):
    """A clinic location."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    street: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(50), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    # An IANA name (app/timezones.py checks it): interview times are entered and shown in it.
    time_zone: Mapped[str] = mapped_column(String(64), default="America/New_York", server_default="America/New_York")

    employees: Mapped[list[User]] = relationship(back_populates="site")

    def __repr__(self) -> str:
        return f"<Site {self.id} {self.name!r}>"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, TimestampMixin, Base):
    """A person who signs in: an employee with a site, role family, manager and app role."""

    __tablename__ = "user"
    # The report's new hires: a range of start dates read from this index alone (active and name are in it).
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower"),
                      Index("ix_user_start_date_active_name", "start_date", "active", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(default=Role.STAFF)
    is_interviewer: Mapped[bool] = mapped_column(default=False)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), index=True)
    department: Mapped[str] = mapped_column(String(120), default="")
    role_family: Mapped[RoleFamily | None]
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    start_date: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None]
    invited_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # Rotated at sign-out and password change: every session and remember-me cookie
    # carries it, so changing it ends them all server-side.
    session_token: Mapped[str] = mapped_column(String(64), default=new_token)
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    due_soon_reminders: Mapped[bool] = mapped_column(default=True)

    site: Mapped[Site | None] = relationship(back_populates="employees")
    manager: Mapped[User | None] = relationship(remote_side=[id], back_populates="reports")
    reports: Mapped[list[User]] = relationship(back_populates="manager")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"

    # Flask-Login ------------------------------------------------------------------------
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    # Passwords --------------------------------------------------------------------------
    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        self.password_changed_at = utcnow()
        self.session_token = new_token()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    # Roles ------------------------------------------------------------------------------
    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def role_family_label(self) -> str:
        return self.role_family.label if self.role_family else "—"
