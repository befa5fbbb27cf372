"""Credential warnings on the manager's /team and HR's /reports: who shows, what it says, what it costs."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.credentials.services import add_credential, archive_credential
from app.extensions import cache
from app.models import CredentialType, Role, RoleFamily
from tests.factories import SiteFactory
from tests.helpers import text

TODAY = dt.date.today()


@pytest.fixture
def kinds(db):
    bls = CredentialType(name="BLS card", role_families=["nurse-care-manager", "medical-assistant"], renewal_months=24)
    rn = CredentialType(name="RN licence", role_families=["nurse-care-manager"], renewal_months=24)
    db.session.add_all([bls, rn])
    db.session.flush()
    return {"bls": bls, "rn": rn}


@pytest.fixture
def clinic(db, make_user, kinds):
    """A manager with a nurse whose BLS expires in 12 days, an MA with everything current, and another team's
    nurse with nothing on record."""
    north, south = SiteFactory(name="North Clinic"), SiteFactory(name="South Clinic")
    hr = make_user(Role.HR)
    mona = make_user(Role.MANAGER, name="Mona Manager")
    nora = make_user(Role.STAFF, name="Nora Nurse", manager_id=mona.id, site_id=north.id,
                     role_family=RoleFamily.NURSE_CARE_MANAGER)
    max_ = make_user(Role.STAFF, name="Max Assistant", manager_id=mona.id, site_id=north.id,
                     role_family=RoleFamily.MEDICAL_ASSISTANT)
    other = make_user(Role.MANAGER, name="Otto Other")
    olga = make_user(Role.STAFF, name="Olga Elsewhere", manager_id=other.id, site_id=south.id,
                     role_family=RoleFamily.NURSE_CARE_MANAGER)

    def give(person, kind, days):
        return add_credential(person, kind, number="N-1", issuer="Board", issued_on=None,
                              expires_on=TODAY + dt.timedelta(days=days), actor=hr)

    card = give(nora, kinds["bls"], 12)
    give(nora, kinds["rn"], 400)
    give(max_, kinds["bls"], 300)
    return {"hr": hr, "mona": mona, "nora": nora, "max": max_, "olga": olga, "card": card, "give": give,
            "north": north, "south": south}


def sign_in(client, auth, user):
    client.post("/logout")
    assert auth.login(user).status_code == 302


def test_the_manager_sees_an_expiring_bls_per_person_and_a_count_in_the_summary(client, auth, db, clinic):
    db.session.commit()
    sign_in(client, auth, clinic["mona"])
    page = text(client.get("/team"))
    assert re.search(r">1</span><span[^>]*>Credential warnings<", page)
    assert 'href="#credential-warnings"' in page
    warnings = page[page.index('id="credential-warnings"'):]
    nora = warnings[warnings.index("Nora Nurse"):]
    assert "BLS card: expires in 12 days" in nora[:nora.index("</li></ul>")]
    assert "1 person on your team has" in warnings
    assert "Max Assistant" not in warnings and "Olga Elsewhere" not in page


def test_a_renewal_recorded_by_hr_clears_the_warning_at_once_despite_the_page_cache(client, auth, db, clinic, kinds):
    db.session.commit()
    sign_in(client, auth, clinic["mona"])
    assert "BLS card: expires in 12 days" in text(client.get("/team"))
    archive_credential(clinic["card"], actor=clinic["hr"])
    db.session.commit()
    assert "BLS card: none on record" in text(client.get("/team"))
    clinic["give"](clinic["nora"], kinds["bls"], 700)
    db.session.commit()
    page = text(client.get("/team"))
    assert "BLS card" not in page and "Credential warnings" not in page


def test_a_team_without_warnings_shows_neither_the_count_nor_the_section(client, auth, db, make_user, clinic):
    lead = make_user(Role.MANAGER)
    make_user(Role.STAFF, manager_id=lead.id, role_family=RoleFamily.FRONT_DESK)
    db.session.commit()
    sign_in(client, auth, lead)
    page = text(client.get("/team"))
    assert "Credential warnings" not in page and 'id="credential-warnings"' not in page


def test_the_team_page_costs_the_same_statements_for_3_or_40_people_with_credentials(
        client, auth, db, make_user, clinic, kinds, count_queries):
    sign_in(client, auth, clinic["mona"])
    counts = {}
    for size in (3, 40):
        for i in range(size - (2 if size == 3 else 3)):
            person = make_user(Role.STAFF, manager_id=clinic["mona"].id, role_family=RoleFamily.MEDICAL_ASSISTANT)
            clinic["give"](person, kinds["bls"], i % 45)
        db.session.commit()
        cache.clear()
        with count_queries() as statements:
            page = text(client.get("/team"))
        counts[size] = len(statements)
        assert page.count("BLS card: expires") >= 2
    assert counts[3] == counts[40], counts


def test_hr_report_lists_people_with_credential_gaps_linked_to_their_credentials(client, auth, db, clinic):
    db.session.commit()
    sign_in(client, auth, clinic["hr"])
    page = text(client.get("/reports"))
    gaps = page[page.index('id="credential-gaps-heading"'):]
    gaps = gaps[:gaps.index("</section>")]
    assert "2 people have" in gaps
    assert f'href="/credentials/people/{clinic["nora"].id}">Nora Nurse</a>' in gaps
    assert f'href="/credentials/people/{clinic["olga"].id}">Olga Elsewhere</a>' in gaps
    olga_row = gaps[gaps.index("Olga Elsewhere"):]
    assert "BLS card" in olga_row and "RN licence" in olga_row
    assert "Max Assistant" not in gaps
    north = text(client.get(f"/reports?site={clinic['north'].id}"))
    assert "1 person has" in north and "Olga Elsewhere" not in north


def test_the_report_costs_the_same_statements_for_few_or_many_people_with_gaps(
        client, auth, db, make_user, clinic, kinds, count_queries):
    sign_in(client, auth, clinic["hr"])
    counts = {}
    for size in (3, 40):
        for i in range(size):
            person = make_user(Role.STAFF, role_family=RoleFamily.NURSE_CARE_MANAGER)
            clinic["give"](person, kinds["bls"], i % 45 - 5)
        db.session.commit()
        cache.clear()
        with count_queries() as statements:
            page = text(client.get("/reports"))
        counts[size] = len(statements)
        assert "Credential gaps" in page
    assert counts[3] == counts[40], counts
