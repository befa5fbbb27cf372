"""Date rules for credentials: status by expiry date and the re-credentialing due date."""

from __future__ import annotations

import datetime as dt
import enum

EXPIRING_SOON_DAYS = 30
EXPIRING_DAYS = 60
RECREDENTIAL_YEARS = 2
REMINDER_DAYS = (60, 30, 7, 0)


class CredentialStatus(enum.StrEnum):
    """What a credential's record says about it on a given day."""

    ACTIVE = "active"
    EXPIRING_60 = "expiring within 60 days"
    EXPIRING_30 = "expiring within 30 days"
    EXPIRED = "expired"
    UNVERIFIED = "unverified"


TONES = {  # the badge colour each status is shown in
    CredentialStatus.ACTIVE: "success",
    CredentialStatus.EXPIRING_60: "warning",
    CredentialStatus.EXPIRING_30: "warning",
    CredentialStatus.EXPIRED: "danger",
    CredentialStatus.UNVERIFIED: "secondary",
}


def classify(expires_on: dt.date | None, verified: bool, today: dt.date) -> CredentialStatus:
    """Status of a credential on `today`: unverified first, then expired on the day after expiry."""
    if not verified:
        return CredentialStatus.UNVERIFIED
    if expires_on is None:
        return CredentialStatus.ACTIVE
    days_left = (expires_on - today).days
    if days_left < 0:
        return CredentialStatus.EXPIRED
    if days_left <= EXPIRING_SOON_DAYS:
        return CredentialStatus.EXPIRING_30
    if days_left <= EXPIRING_DAYS:
        return CredentialStatus.EXPIRING_60
    return CredentialStatus.ACTIVE


def recredential_due(last_credentialed_on: dt.date, years: int = RECREDENTIAL_YEARS) -> dt.date:
    """Date re-credentialing falls due: `years` after the last one (Feb 29 falls back to Feb 28)."""
    try:
        return last_credentialed_on.replace(year=last_credentialed_on.year + years)
    except ValueError:
        return last_credentialed_on.replace(year=last_credentialed_on.year + years, day=28)


def reminder_reason(expires_on: dt.date | None, today: dt.date) -> str | None:
    """The reminder due today for a credential expiring on `expires_on`, or None."""
    if expires_on is None:
        return None
    days_left = (expires_on - today).days
    if days_left not in REMINDER_DAYS:
        return None
    return "expires-today" if days_left == 0 else f"expires-in-{days_left}"
