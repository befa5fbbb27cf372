"""Accounts: authentication, password rules, single-use invitation links."""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app import mail
from app.audit import record
from app.extensions import db
from app.models import Role, RoleFamily, Site, User, utcnow
from app.models.people import new_token

log = logging.getLogger(__name__)

COMMON_PASSWORDS = {
    "password1234", "123456789012", "qwertyuiop12", "passwordpassword", "letmein12345",
    "welcome12345", "iloveyou1234", "administrator", "changeme1234", "healthcenter",
}


class AccountError(Exception):
    """A problem a person can fix, with a message that says how."""


class WeakPassword(AccountError):
    pass


class InvalidInvite(AccountError):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def password_problems(password: str, *, email: str = "") -> list[str]:
    """Every reason a password is too weak, in words a person can act on."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    problems = []
    if len(password) < minimum:
        problems.append(f"Use at least {minimum} characters (a short phrase is easiest to remember).")
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("This password is too common or repetitive; choose something less predictable.")
    local_part = normalize_email(email).split("@")[0]
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append("Do not include your e-mail address in your password.")
    return problems


def set_password(user: User, password: str) -> None:
    problems = password_problems(password, email=user.email)
    if problems:
        raise WeakPassword(" ".join(problems))
    user.set_password(password)


def authenticate(email: str, password: str) -> User | None:
    """The active user with that e-mail and password, or None (one message for every failure)."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


# Invitations ------------------------------------------------------------------------------
def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invite")


def _fingerprint(user: User) -> str:
    """Changes once the password is set, so a link works only once."""
    material = f"{user.password_hash or ''}|{user.session_token}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def invite_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "fp": _fingerprint(user)})


def user_for_invite(token: str) -> User:
    """The user a valid, unused, unexpired invitation link belongs to."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["INVITE_MAX_AGE"])
    except SignatureExpired:
        raise InvalidInvite("This invitation link has expired. Ask HR to send a new one.") from None
    except BadSignature:
        raise InvalidInvite("This invitation link is not valid. Check that you copied all of it.") from None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active:
        raise InvalidInvite("This invitation link is not valid any more.")
    if data.get("fp") != _fingerprint(user):
        raise InvalidInvite("This invitation link has already been used. Sign in, or ask HR for a new link.")
    return user


def accept_invite(token: str, password: str) -> User:
    user = user_for_invite(token)
    set_password(user, password)
    record(db.session, "user.invitation_accepted", user)
    db.session.flush()
    return user


def send_invitation(user: User, *, actor: User | None) -> str:
    """Queue the invitation e-mail (sent after commit) and return the link."""
    user.invited_at = utcnow()
    db.session.flush()
    link = mail.external_url("auth.accept_invite", token=invite_token(user))
    mail.queue(
        kind="invitation",
        dedupe_key=f"invitation:{user.id}:{user.invited_at.isoformat()}",
        recipient=user.email,
        subject=f"Your {current_app.config['ORGANIZATION_NAME']} account",
        body=(
            f"Hello {user.name},\n\nYou have been invited to Medical Home Hiring & Onboarding. "
            f"Set your password here (the link works once and expires in 7 days):\n\n{link}\n"
        ),
    )
    if current_app.config.get("ENV_NAME") == "development":
        log.info("invitation link for user %s: %s", user.id, link)
    record(db.session, "user.invited", user, email=user.email)
    return link


def invite_user(
    *,
    actor: User | None,
    email: str,
    name: str,
    role: Role = Role.STAFF,
    site: Site | None = None,
    role_family: RoleFamily | None = None,
    manager: User | None = None,
    department: str = "",
    start_date=None,
    is_interviewer: bool = False,
) -> User:
    """Create a user without a password and send them a set-password link."""
    email = normalize_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError(f"{email} already has an account.")
    user = User(
        email=email, name=name.strip(), role=role, site=site, role_family=role_family,
        manager=manager, department=department.strip(), start_date=start_date,
        is_interviewer=is_interviewer,
    )
    db.session.add(user)
    db.session.flush()
    send_invitation(user, actor=actor)
    return user


def sign_out_everywhere(user: User) -> None:
    """Rotate the session token so every session and remember-me cookie stops working."""
    user.session_token = new_token()
