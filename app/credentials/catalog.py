"""HR's list of credential types: adding, editing, archiving and restoring them; each step audited, none deleted."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from app.audit import acting_as, record
from app.credentials.services import CredentialError
from app.extensions import db
from app.models import CredentialType, RoleFamily, User

MAX_RENEWAL_MONTHS = 120


def all_types() -> list[CredentialType]:
    """Every credential type, those in use first, each group by name."""
    return list(
        db.session.scalars(
            select(CredentialType).order_by(CredentialType.archived_at.is_not(None), CredentialType.name)
        )
    )


def save_type(
    kind: CredentialType | None,
    *,
    name: str,
    role_families: Iterable[str],
    primary_source_required: bool,
    renewal_months: int | None,
    actor: User,
) -> CredentialType:
    """Add a credential type (kind None) or change one; the name is unique whatever its case."""
    name = " ".join(name.split())
    families = sorted(set(role_families))
    if not name:
        raise CredentialError("Give the credential type a name.")
    unknown = [family for family in families if family not in {member.value for member in RoleFamily}]
    if unknown:
        raise CredentialError(f"Unknown role family: {', '.join(unknown)}.")
    if renewal_months is not None and not 1 <= renewal_months <= MAX_RENEWAL_MONTHS:
        raise CredentialError(
            f"Give the renewal period in months, from 1 to {MAX_RENEWAL_MONTHS}, or leave it empty if it does not "
            "expire."
        )
    clash = db.session.scalar(
        select(CredentialType.id).where(
            func.lower(CredentialType.name) == name.lower(), CredentialType.id != (kind.id if kind else -1)
        )
    )
    if clash is not None:
        raise CredentialError(f"There is already a credential type called {name}; choose another name.")
    with acting_as(db.session, actor.id):
        if kind is None:
            kind = CredentialType(name=name)
            db.session.add(kind)
            action = "credential_type.added"
        else:
            action = "credential_type.changed"
        kind.name = name
        kind.role_families = families
        kind.primary_source_required = primary_source_required
        kind.renewal_months = renewal_months
        db.session.flush()
        record(
            db.session,
            action,
            kind,
            name=name,
            role_families=families,
            primary_source_required=primary_source_required,
            renewal_months=renewal_months,
        )
        db.session.flush()
    return kind


def archive_type(kind: CredentialType, *, actor: User) -> CredentialType:
    """Stop offering a credential type; the credentials already recorded under it stay as they are."""
    if kind.archived_at is not None:
        raise CredentialError(f"{kind.name} is already archived.")
    with acting_as(db.session, actor.id):
        kind.archive()  # the audit listener records it as credential_type.archived, with the time before and after
        db.session.flush()
    return kind


def restore_type(kind: CredentialType, *, actor: User) -> CredentialType:
    """Offer an archived credential type again."""
    if kind.archived_at is None:
        raise CredentialError(f"{kind.name} is in use already.")
    with acting_as(db.session, actor.id):
        kind.restore()  # recorded by the audit listener as credential_type.restored
        db.session.flush()
    return kind
