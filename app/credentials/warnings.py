"""What one employee should know about their own credentials: each one's status and the required ones missing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from app.credentials.rules import gaps, required_for
from app.credentials.scans import scans_by_credential
from app.credentials.services import CredentialRow, credentials_of, with_status
from app.extensions import db
from app.models import CredentialScan, CredentialType, User


@dataclass
class OwnCredentials:
    """An employee's credentials with their status, and the required types they lack or have let expire."""

    rows: list[CredentialRow] = field(default_factory=list)
    scans: dict[int, CredentialScan] = field(default_factory=dict)  # credential id -> its scan on record
    missing: list[CredentialType] = field(default_factory=list)
    expired: list[CredentialType] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return bool(self.rows or self.missing)


def own_credentials(employee: User, today: dt.date) -> OwnCredentials:
    """Three statements whatever the organization's size: the person's credentials, their scans and the types."""
    held = credentials_of(employee)
    rows, scans = with_status(held, today), scans_by_credential(held)
    if employee.role_family is None:
        return OwnCredentials(rows=rows, scans=scans)
    required = required_for(employee.role_family.value, db.session.scalars(select(CredentialType)))
    latest: dict[int, tuple[dt.date | None, bool]] = {}
    for credential in held:
        current = latest.get(credential.credential_type_id)
        if current is None or (credential.expires_on or dt.date.max) > (current[0] or dt.date.max):
            latest[credential.credential_type_id] = (credential.expires_on, credential.verified)
    found = gaps(required, latest, today)
    return OwnCredentials(rows=rows, scans=scans, missing=found["missing"], expired=found["expired"])
