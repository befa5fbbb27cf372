"""Date rules for credentials: status by expiry date, with the 60- and 30-day windows."""

from __future__ import annotations

import datetime as dt
import enum
from typing import NamedTuple

EXPIRING_SOON_DAYS = 30
EXPIRING_DAYS = 60


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


class Badge(NamedTuple):
    """A status badge as shown: its words and its colour."""

    label: str
    tone: str


def badges(expires_on: dt.date | None, verified: bool, today: dt.date) -> list[Badge]:
    """The badges a credential shows on `today`: its status and, while it is unverified, also how soon it
    expires (within 60 days) or that it has expired, so "unverified" never hides a date."""
    status = classify(expires_on, verified, today)
    shown = [Badge(status.value, TONES[status])]
    if status is CredentialStatus.UNVERIFIED and expires_on is not None:
        by_date = classify(expires_on, True, today)
        if by_date is not CredentialStatus.ACTIVE:
            shown.append(Badge(_expiry_words(expires_on, today), TONES[by_date]))
    return shown


def _expiry_words(expires_on: dt.date, today: dt.date) -> str:
    days_left = (expires_on - today).days
    if days_left < 0:
        return "expired"
    if days_left == 0:
        return "expires today"
    return "expires tomorrow" if days_left == 1 else f"expires in {days_left} days"
