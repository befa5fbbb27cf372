"""API tokens: an admin issues one per named integration with scopes and an expiry; the secret is
shown once and only its sha256 is kept; revoked tokens stay on record."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select, update

from app.audit import record
from app.extensions import db
from app.models import ApiCall, ApiToken, Role, Scope, User, utcnow

log = logging.getLogger(__name__)

SECRET_PREFIX = "mhk_"  # noqa: S105 (a marker on every key, for log and secret scanners; not a secret)
PREFIX_SHOWN = 12
MAX_LIFETIME_DAYS = 366


class TokenError(Exception):
    """A token that cannot be issued or revoked, with the reason."""


def digest(secret: str) -> str:
    """The stored form of a secret: sha256 is right for 256 random bits (nothing to guess)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_admin(actor: User) -> None:
    if actor is None or actor.role is not Role.ADMIN or not actor.active:
        raise TokenError("Only an administrator can manage API tokens.")


def issue_token(*, actor: User, name: str, scopes: Iterable[str], expires_on: date,
                today: date | None = None) -> tuple[ApiToken, str]:
    """Create a token for an integration; returns the row and the secret, which is never stored."""
    _require_admin(actor)
    today = today or date.today()
    name = (name or "").strip()
    if not name:
        raise TokenError("Name the integration the token is for.")
    chosen = sorted(set(scopes))
    known = {scope.value for scope in Scope}
    if not chosen:
        raise TokenError("Tick at least one scope.")
    if set(chosen) - known:
        raise TokenError(f"Unknown scope: {', '.join(sorted(set(chosen) - known))}.")
    if expires_on <= today:
        raise TokenError("Choose an expiry date after today.")
    if expires_on > today + timedelta(days=MAX_LIFETIME_DAYS):
        raise TokenError("A token may last at most a year; choose an earlier expiry date.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, prefix=secret[:PREFIX_SHOWN], token_hash=digest(secret), scopes=chosen,
                     created_by_id=actor.id, expires_at=datetime.combine(expires_on, time()))
    db.session.add(token)
    db.session.flush()
    record(db.session, "api_token.issued", token, name=name, scopes=chosen, expires_on=expires_on)
    db.session.flush()
    log.info("api token %s issued by %s", token.id, actor.id)
    return token, secret


def revoke_token(token: ApiToken, *, actor: User) -> None:
    """Stop a token working at once; the row, its call log and audit entries stay."""
    _require_admin(actor)
    if token.revoked_at is not None:
        raise TokenError(f"The token for {token.name} is already revoked.")
    token.revoked_at = utcnow()
    token.revoked_by_id = actor.id
    db.session.flush()
    log.info("api token %s revoked by %s", token.id, actor.id)


def find_token(secret: str) -> ApiToken | None:
    """The token a presented secret belongs to (usable or not), compared in constant time."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    wanted = digest(secret)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted))
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    return token


def log_call(token_id: int, *, method: str, path: str, status: int, now: datetime | None = None) -> None:
    """Add the call to the token's log and note its last use: plain statements, so a read does not
    write an audit entry of its own."""
    now = now or utcnow()
    db.session.execute(insert(ApiCall).values(token_id=token_id, at=now, method=method, path=path[:500],
                                              status=status))
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
