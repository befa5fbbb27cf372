"""My onboarding shows the employee their own credentials and the required ones missing or expired."""

from __future__ import annotations

from app.models import Role, RoleFamily
from tests.helpers import text


def test_the_employee_sees_an_expiring_bls_a_missing_licence_and_an_expired_card(client, db, login_as, kinds, hold):
    nurse = login_as(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
    hold(nurse, kinds["bls"], days=20, verified=True)
    hold(nurse, kinds["acls"], days=-1)
    db.session.commit()
    page = text(client.get("/onboarding"))
    assert "My credentials" in page
    assert "BLS, expires" in page and "expiring within 30 days" in page
    assert "Your role requires RN licence, and HR has none on record for you" in page
    assert "Your ACLS card has expired" in page


def test_someone_without_credentials_or_requirements_sees_no_credentials_section(client, login_as):
    login_as(Role.STAFF, role_family=RoleFamily.FRONT_DESK)
    assert "My credentials" not in text(client.get("/onboarding"))


def test_another_persons_credentials_never_show(client, db, make_user, login_as, kinds, hold):
    other = make_user(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
    hold(other, kinds["bls"], days=300, number="SECRET-9")
    db.session.commit()
    login_as(Role.STAFF, role_family=RoleFamily.FRONT_DESK)
    page = text(client.get("/onboarding"))
    assert "SECRET-9" not in page and "BLS" not in page


def test_the_credentials_section_costs_the_same_statements_at_any_organization_size(
    client, db, make_user, login_as, count_queries, kinds, hold
):
    nurse = login_as(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
    hold(nurse, kinds["bls"], days=300)

    def grow(people: int) -> None:
        for _ in range(people):
            hold(make_user(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER), kinds["bls"], days=300)
        db.session.commit()

    grow(2)
    with count_queries() as small:
        client.get("/onboarding")
    grow(10)
    with count_queries() as large:
        client.get("/onboarding")
    assert small and len(large) == len(small)


def test_the_credentials_card_heading_matches_the_check_ins_card_heading(client, db, login_as, kinds, hold):
    nurse = login_as(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
    hold(nurse, kinds["bls"], days=300)
    db.session.commit()
    page = client.get("/onboarding").get_data(as_text=True)
    assert '<section class="card mb-3" aria-labelledby="check-ins">' in page
    assert '<h2 class="h5" id="check-ins">' in page
    assert '<section class="card mb-3" aria-labelledby="my-credentials">' in page
    assert '<h2 class="h5" id="my-credentials">' in page


def test_an_unverified_bls_expiring_soon_shows_both_badges(client, db, login_as, kinds, hold):
    nurse = login_as(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
    hold(nurse, kinds["bls"], days=12)
    db.session.commit()
    page = text(client.get("/onboarding"))
    assert "unverified" in page and "expires in 12 days" in page
