"""Accounts: authentication, password rules, and the single-use links that set a password: the
invitation a new account gets, and a reset link (asked for by the person or sent by an admin)."""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from limits import parse as parse_limit
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app import mail
from app.audit import record
from app.auth.passwords import password_problems
from app.extensions import db, limiter
from app.models import OutboxMessage, Role, RoleFamily, Site, User, utcnow
from app.models.people import new_token

log = logging.getLogger(__name__)

class AccountError(Exception):
    """A problem a person can fix, with a message that says how."""


class WeakPassword(AccountError):
    pass


class InvalidLink(AccountError):
    pass


class WrongPassword(AccountError):
    pass


INVITE, RESET = "invite", "password-reset"  # what a link is for: each has its own signing salt and lifetime


def normalize_email(email: str) -> str:
    return email.strip().lower()


def set_password(user: User, password: str) -> None:
    """Set a password that passes the rules and differs from the account's current one."""
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise WeakPassword(" ".join(problems))
    if user.password_hash and user.check_password(password):
        raise WeakPassword("Choose a password different from the current one.")
    user.set_password(password)


_stand_in_hash: dict[str, str] = {}


def _check_without_account(password: str) -> None:
    """Spend the time a real password check takes, so timing does not tell which e-mails exist."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _stand_in_hash:
        _stand_in_hash[method] = generate_password_hash(new_token(), method=method)
    check_password_hash(_stand_in_hash[method], password)


def authenticate(email: str, password: str) -> User | None:
    """The active user with that e-mail and password, or None (one message for every failure)."""
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not user.password_hash:
        _check_without_account(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def note_failed_sign_in(email: str, *, address: str) -> None:
    """Count a failed sign-in for this e-mail from any address. The failures never lock the account; once
    they pass LOGIN_ALERT_THRESHOLD the owner is e-mailed (at most once an hour) so they know someone tries."""
    email = normalize_email(email)[:254]
    threshold = parse_limit(current_app.config["LOGIN_ALERT_THRESHOLD"])
    if limiter.limiter.hit(threshold, current_app.config.get("RATELIMIT_KEY_PREFIX", ""), "sign-in-failures", email):
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        return
    queued = mail.queue(
        kind="sign-in-alert",
        dedupe_key=f"sign-in-alert:{user.id}:{utcnow():%Y-%m-%dT%H}",
        recipient=user.email,
        subject=f"Failed sign-ins to your {current_app.config['ORGANIZATION_NAME']} account",
        body=(
            f"Hello {user.name},\n\nSomeone has tried to sign in to your Medical Home Hiring & Onboarding account "
            f"with a wrong password more than {threshold.amount} times in {threshold.get_expiry() // 60} minutes, "
            f"most recently from the address {address}.\n\nYour account is not locked: sign in as usual. If these "
            "attempts were not yours, choose a new password that you use nowhere else:\n\n"
            f"{mail.external_url('auth.change_password')}\n"
        ),
    )
    if queued:
        record(db.session, "user.sign_in_alert_sent", user, address=address)
        log.warning("failed sign-ins for user %s passed the alert threshold (latest from %s)", user.id, address)


def change_password(user: User, current: str, new: str) -> None:
    """A signed-in person's own change: the current password first; every other session and the old
    calendar link stop working."""
    if not user.check_password(current):
        raise WrongPassword("That is not your current password.")
    set_password(user, new)
    sign_out_everywhere(user)
    user.calendar_token = new_token()
    record(db.session, "user.password_changed", user)
    db.session.flush()


# Single-use links ---------------------------------------------------------------------------
def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _fingerprint(user: User) -> str:
    """Changes once the password is set or the sessions are ended, so a link works only once."""
    material = f"{user.password_hash or ''}|{user.session_token}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def link_token(user: User, purpose: str = INVITE) -> str:
    return _serializer(purpose).dumps({"uid": user.id, "fp": _fingerprint(user)})


def invite_token(user: User) -> str:
    return link_token(user, INVITE)


def user_for_link(token: str, purpose: str = INVITE) -> User:
    """The user a valid, unused, unexpired link of this purpose belongs to."""
    max_age = current_app.config["INVITE_MAX_AGE" if purpose == INVITE else "PASSWORD_RESET_MAX_AGE"]
    ask_for = "Ask HR to send a new one." if purpose == INVITE else "Ask for a new one from the sign-in page."
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidLink(f"This link has expired. {ask_for}") from None
    except BadSignature:
        raise InvalidLink("This link is not valid. Check that you copied all of it.") from None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active:
        raise InvalidLink("This link is not valid any more.")
    if data.get("fp") != _fingerprint(user):
        raise InvalidLink(f"This link has already been used. Sign in, or {ask_for[0].lower()}{ask_for[1:]}")
    return user


def accept_invite(token: str, password: str) -> User:
    user = user_for_link(token, INVITE)
    set_password(user, password)
    record(db.session, "user.invitation_accepted", user)
    db.session.flush()
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; every session of the account and its calendar link end."""
    user = user_for_link(token, RESET)
    set_password(user, password)
    sign_out_everywhere(user)
    user.calendar_token = new_token()
    record(db.session, "user.password_reset", user)
    db.session.flush()
    return user


def _reset_message(user: User) -> tuple[str, str, str]:
    """The subject, body and link of a reset e-mail for this user."""
    link = mail.external_url("auth.reset_password", token=link_token(user, RESET))
    hours = current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600
    subject = f"Reset your {current_app.config['ORGANIZATION_NAME']} password"
    body = (
        f"Hello {user.name},\n\nSomeone (we hope you) asked to reset the password of your Medical Home "
        f"Hiring & Onboarding account. Choose a new one here (the link works once and expires in "
        f"{hours} hours):\n\n{link}\n\nIf you did not ask for this, you can ignore this e-mail: your "
        "password stays as it is.\n"
    )
    return subject, body, link


def send_password_reset(user: User, *, actor: User) -> str:
    """An admin's reset for this user: queue the e-mail (sent after commit) and return the link."""
    subject, body, link = _reset_message(user)
    mail.queue(kind=RESET, dedupe_key=f"password-reset:{user.id}:{utcnow().isoformat()}", recipient=user.email,
               subject=subject, body=body)
    record(db.session, "user.password_reset_sent", user, requested_by="admin")
    return link


def request_password_reset(email: str) -> OutboxMessage:
    """Someone asks for a reset link for this e-mail. The same happens whether or not it has an account:
    a bodiless message is queued, and the sender writes the link only if an active account with a
    password has the e-mail (`compose_requested_reset`), or drops it. Returns the message."""
    return mail.queue(kind=RESET, dedupe_key=f"password-reset-request:{new_token()}",
                      recipient=normalize_email(email)[:254], subject="", body="")


@mail.composer(RESET)
def compose_requested_reset(message: OutboxMessage) -> bool:
    """Write the reset e-mail a person asked for, if the account can use one."""
    user = db.session.scalar(select(User).where(User.email == message.recipient))
    if user is None or not user.active or not user.has_password:
        return False
    message.subject, message.body, _ = _reset_message(user)
    record(db.session, "user.password_reset_sent", user, requested_by="account holder")
    return True


def send_invitation(user: User, *, actor: User | None) -> str:
    """Queue the invitation e-mail (sent after commit) and return the link; never for an account that
    has a password (it would get a week-long set-password link: a reset link lasts hours)."""
    if user.has_password:
        raise AccountError(f"{user.email} has already set a password; send a password reset link instead.")
    user.invited_at = utcnow()
    db.session.flush()
    link = mail.external_url("auth.accept_invite", token=invite_token(user))
    days = current_app.config["INVITE_MAX_AGE"] // 86400
    mail.queue(
        kind="invitation",
        dedupe_key=f"invitation:{user.id}:{user.invited_at.isoformat()}",
        recipient=user.email,
        subject=f"Your {current_app.config['ORGANIZATION_NAME']} account",
        body=(
            f"Hello {user.name},\n\nYou have been invited to Medical Home Hiring & Onboarding. "
            f"Set your password here (the link works once and expires in {days} days):\n\n{link}\n"
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
