"""Adding, verifying and archiving an employee's credentials; each step audited, none committed here."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.audit import acting_as, record
from app.credentials.status import Badge, CredentialStatus, badges, classify
from app.extensions import db
from app.models import CredentialType, EmployeeCredential, User, VerificationMethod, utcnow


class CredentialError(Exception):
    """A credential change was refused; the message says why, in words HR can act on."""


class CredentialRow(NamedTuple):
    """A credential as a page lists it: the record, its status on the day, and the badges it shows."""

    credential: EmployeeCredential
    status: CredentialStatus
    badges: list[Badge]


def with_status(credentials: list[EmployeeCredential], today: dt.date) -> list[CredentialRow]:
    """Each credential with its status and badges on `today`, in the order given."""
    return [
        CredentialRow(
            credential,
            classify(credential.expires_on, credential.verified, today),
            badges(credential.expires_on, credential.verified, today),
        )
        for credential in credentials
    ]


def active_types() -> list[CredentialType]:
    """Credential types HR can record, by name (archived ones are kept for history but not offered)."""
    return list(
        db.session.scalars(
            select(CredentialType).where(CredentialType.archived_at.is_(None)).order_by(CredentialType.name)
        )
    )


def credentials_of(employee: User) -> list[EmployeeCredential]:
    """The employee's credentials not archived, by type name then latest expiry first."""
    return list(
        db.session.scalars(
            select(EmployeeCredential)
            .join(EmployeeCredential.credential_type)
            .options(contains_eager(EmployeeCredential.credential_type))
            .where(EmployeeCredential.employee_id == employee.id, EmployeeCredential.archived_at.is_(None))
            .order_by(CredentialType.name, EmployeeCredential.expires_on.desc(), EmployeeCredential.id)
        )
    )


def add_credential(
    employee: User,
    kind: CredentialType,
    *,
    number: str,
    issuer: str,
    issued_on: dt.date | None,
    expires_on: dt.date | None,
    actor: User,
) -> EmployeeCredential:
    """Record a credential an employee holds; it starts unverified."""
    if kind.archived_at is not None:
        raise CredentialError(f"{kind.name} is no longer in use; choose another credential type.")
    number, issuer = number.strip(), issuer.strip()
    if not number:
        raise CredentialError("Give the credential's number as it appears on the licence or card.")
    if not issuer:
        raise CredentialError("Give the issuing state or body (for example, Oregon State Board of Nursing).")
    if issued_on and expires_on and expires_on < issued_on:
        raise CredentialError("The expiry date is before the issue date; check both dates.")
    if kind.renewal_months and expires_on is None:
        raise CredentialError(f"{kind.name} expires; give its expiry date.")
    credential = EmployeeCredential(
        employee_id=employee.id,
        credential_type_id=kind.id,
        number=number,
        issuer=issuer,
        issued_on=issued_on,
        expires_on=expires_on,
    )
    credential.credential_type = kind
    with acting_as(db.session, actor.id):
        db.session.add(credential)
        db.session.flush()
        record(
            db.session,
            "credential.added",
            credential,
            employee_id=employee.id,
            type=kind.name,
            number=number,
            issuer=issuer,
            expires_on=expires_on,
        )
        db.session.flush()
    return credential


def verify_credential(
    credential: EmployeeCredential, *, method: VerificationMethod, source: str, actor: User
) -> EmployeeCredential:
    """Record who verified the credential, when and how; a type that needs the primary source accepts no copy. It
    ticks the employee's onboarding task for a credential of this type, if they have one open."""
    if credential.archived_at is not None:
        raise CredentialError("This credential has been archived; add a new one instead.")
    source = source.strip()
    if credential.credential_type.primary_source_required and method is not VerificationMethod.PRIMARY_SOURCE:
        raise CredentialError(
            f"{credential.credential_type.name} must be verified with the primary source (the issuing board or "
            "registry), not a copy."
        )
    if method is VerificationMethod.PRIMARY_SOURCE and not source:
        raise CredentialError("Name the primary source you checked (for example, the state board's licence lookup).")
    from app.credentials.onboarding_tasks import tick_credential_task

    with acting_as(db.session, actor.id):
        credential.verified_at = utcnow()
        credential.verified_by_id = actor.id
        credential.verification_method = method
        credential.verification_source = source
        record(
            db.session,
            "credential.verified",
            credential,
            employee_id=credential.employee_id,
            method=method.value,
            source=source,
        )
        db.session.flush()
        tick_credential_task(credential, actor=actor)  # the onboarding task "Provide your ... for verification"
    return credential


def archive_credential(credential: EmployeeCredential, *, actor: User) -> EmployeeCredential:
    """Take a credential off the employee's list; the row and its verification stay for history."""
    if credential.archived_at is not None:
        raise CredentialError("This credential is already archived.")
    with acting_as(db.session, actor.id):
        credential.archive()
        record(
            db.session,
            "credential.archived",
            credential,
            employee_id=credential.employee_id,
            type=credential.credential_type.name,
        )
        db.session.flush()
    return credential
