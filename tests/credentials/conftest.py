"""Set-up shared by the credentials tests: three credential types, and a factory that records one a person holds."""

from __future__ import annotations

import datetime as dt

import pytest

from app.credentials.services import add_credential, verify_credential
from app.models import CredentialType, EmployeeCredential, Role, User, VerificationMethod


@pytest.fixture
def kinds(db) -> dict[str, CredentialType]:
    """An RN licence that needs the primary source, and BLS and ACLS cards a copy is enough for."""
    rn = CredentialType(
        name="RN licence", role_families=["nurse-care-manager"], primary_source_required=True, renewal_months=24
    )
    bls = CredentialType(name="BLS", role_families=["nurse-care-manager"], renewal_months=24)
    acls = CredentialType(name="ACLS card", role_families=["nurse-care-manager"], renewal_months=24)
    db.session.add_all([rn, bls, acls])
    db.session.flush()
    return {"rn": rn, "bls": bls, "acls": acls}


@pytest.fixture
def hr(make_user) -> User:
    return make_user(Role.HR)


@pytest.fixture
def hold(make_user):
    """hold(person, kind, days=400, verified=False, ...): a credential expiring `days` from today (None: never),
    recorded by `actor` (an HR user made on first use when not given) and verified with the primary source."""
    made: dict[str, User] = {}

    def record(
        person: User,
        kind: CredentialType,
        *,
        days: int | None = 400,
        verified: bool = False,
        number: str = "N-1",
        issuer: str = "Oregon board",
        actor: User | None = None,
    ) -> EmployeeCredential:
        actor = actor or made.get("hr") or made.setdefault("hr", make_user(Role.HR))
        expires_on = None if days is None else dt.date.today() + dt.timedelta(days=days)
        credential = add_credential(
            person, kind, number=number, issuer=issuer, issued_on=None, expires_on=expires_on, actor=actor
        )
        if verified:
            verify_credential(credential, method=VerificationMethod.PRIMARY_SOURCE, source="Board lookup", actor=actor)
        return credential

    return record
