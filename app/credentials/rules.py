"""Which credential types a role family requires, and which of them a person lacks or has let lapse: in
Python for one person, and as SQL conditions for many at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import String, Text, and_, case, cast, exists, literal, or_, type_coerce
from sqlalchemy.orm import aliased

from app.credentials.status import CredentialStatus, classify
from app.models import CredentialType, EmployeeCredential, RoleFamily, User


def required_for(role_family_slug: str, types: Iterable[CredentialType]) -> list[CredentialType]:
    """The types, not archived, whose role families include `role_family_slug`, by name."""
    return sorted(
        (t for t in types if t.archived_at is None and role_family_slug in (t.role_families or [])),
        key=lambda t: t.name,
    )


def requires():
    """SQL condition: the CredentialType's role families include the User's (required_for in SQL)."""
    slug = case({member.name: member.value for member in RoleFamily}, value=type_coerce(User.role_family, String))
    return cast(CredentialType.role_families, Text).like(literal('%"') + slug + literal('"%'))


def latest_live() -> list:
    """SQL conditions: the EmployeeCredential is its employee's latest record of its type (the one that
    expires last; one that does not expire counts as latest), has an expiry date, and neither it, its
    CredentialType nor its User (an active employee) is out of use."""
    newer = aliased(EmployeeCredential)
    return [
        EmployeeCredential.archived_at.is_(None), CredentialType.archived_at.is_(None), User.active.is_(True),
        EmployeeCredential.expires_on.is_not(None),
        ~exists().where(newer.employee_id == EmployeeCredential.employee_id,
                        newer.credential_type_id == EmployeeCredential.credential_type_id,
                        newer.archived_at.is_(None),
                        or_(newer.expires_on.is_(None), newer.expires_on > EmployeeCredential.expires_on,
                            and_(newer.expires_on == EmployeeCredential.expires_on, newer.id > EmployeeCredential.id))),
    ]


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
