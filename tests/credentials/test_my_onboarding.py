"""My onboarding shows the employee their own credentials and the required ones missing or expired."""

from __future__ import annotations

import datetime as dt

from app.credentials.services import add_credential, verify_credential
from app.models import CredentialType, Role, RoleFamily, VerificationMethod
from tests.helpers import text


def kinds(db):
    bls = CredentialType(name="BLS card", role_families=["nurse-care-manager"], renewal_months=24)
    rn = CredentialType(
        name="RN state licence", role_families=["nurse-care-manager"], primary_source_required=True, renewal_months=24
    )
    acls = CredentialType(name="ACLS card", role_families=["nurse-care-manager"], renewal_months=24)
    db.session.add_all([bls, rn, acls])
    db.session.flush()
    return bls, rn, acls


def test_the_employee_sees_an_expiring_bls_a_missing_licence_and_an_expired_card(client, db, make_user, login_as):
    bls, rn, acls = kinds(db)
    hr = make_user(Role.HR)
    nurse = login_as(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
    today = dt.date.today()
    card = add_credential(
        nurse, bls, number="B-1", issuer="AHA", issued_on=None, expires_on=today + dt.timedelta(days=20), actor=hr
    )
    verify_credential(card, method=VerificationMethod.COPY_SEEN, source="", actor=hr)
    add_credential(
        nurse, acls, number="A-1", issuer="AHA", issued_on=None, expires_on=today - dt.timedelta(days=1), actor=hr
    )
    db.session.commit()
    page = text(client.get("/onboarding"))
    assert "My credentials" in page
    assert "BLS card, expires" in page and "expiring within 30 days" in page
    assert "Your role requires RN state licence, and HR has none on record for you" in page
    assert "Your ACLS card has expired" in page


def test_someone_without_credentials_or_requirements_sees_no_credentials_section(client, login_as):
    login_as(Role.STAFF, role_family=RoleFamily.FRONT_DESK)
    assert "My credentials" not in text(client.get("/onboarding"))


def test_another_persons_credentials_never_show(client, db, make_user, login_as):
    bls, _, _ = kinds(db)
    hr = make_user(Role.HR)
    other = make_user(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
    add_credential(
        other,
        bls,
        number="SECRET-9",
        issuer="AHA",
        issued_on=None,
        expires_on=dt.date.today() + dt.timedelta(days=300),
        actor=hr,
    )
    db.session.commit()
    login_as(Role.STAFF, role_family=RoleFamily.FRONT_DESK)
    assert "SECRET-9" not in text(client.get("/onboarding")) and "BLS card" not in text(client.get("/onboarding"))


def test_the_credentials_section_costs_the_same_statements_at_any_organization_size(
    client, db, make_user, login_as, count_queries
):
    bls, _, _ = kinds(db)
    hr = make_user(Role.HR)
    nurse = login_as(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)

    def grow(people: int) -> None:
        for _ in range(people):
            colleague = make_user(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
            add_credential(
                colleague,
                bls,
                number="C",
                issuer="AHA",
                issued_on=None,
                expires_on=dt.date.today() + dt.timedelta(days=300),
                actor=hr,
            )
        db.session.commit()

    add_credential(
        nurse,
        bls,
        number="N",
        issuer="AHA",
        issued_on=None,
        expires_on=dt.date.today() + dt.timedelta(days=300),
        actor=hr,
    )
    grow(2)
    with count_queries() as small:
        client.get("/onboarding")
    grow(10)
    with count_queries() as large:
        client.get("/onboarding")
    assert small and len(large) == len(small)
