"""Which credential types a role family requires, and which of them a person lacks or has let lapse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from app.credentials.status import CredentialStatus, classify
from app.models.credentials import CredentialType


def required_for(role_family_slug: str, types: Iterable[CredentialType]) -> list[CredentialType]:
    """The types, not archived, whose role families include `role_family_slug`, by name."""
    return sorted(
        (t for t in types if t.archived_at is None and role_family_slug in (t.role_families or [])),
        key=lambda t: t.name,
    )


def gaps(
    required: Iterable[CredentialType],
    held: dict[int, tuple[dt.date | None, bool]],
    today: dt.date,
) -> dict[str, list[CredentialType]]:
    """Required types the person has no record of ("missing") or whose record has expired ("expired").

    `held` maps a credential type id to that person's latest (expiry date, verified) pair."""
    found: dict[str, list[CredentialType]] = {"missing": [], "expired": []}
    for kind in required:
        if kind.id not in held:
            found["missing"].append(kind)
        elif classify(held[kind.id][0], True, today) is CredentialStatus.EXPIRED:
            found["expired"].append(kind)
    return found
