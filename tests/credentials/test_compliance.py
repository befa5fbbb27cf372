"""/reports/compliance: per site and role family, the share of staff current on each required credential and
renewing module, the people who are not, filters, the CSV, and a constant statement count."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest

from app.credentials.services import add_credential, verify_credential
from app.extensions import cache
from app.models import (
    Assignment,
    Completion,
    CredentialType,
    Module,
    Progress,
    ProgressStatus,
    Role,
    RoleFamily,
    Track,
    TrackKind,
    VerificationMethod,
)
from app.reports.compliance import ComplianceFilters, compliance
from tests.factories import SiteFactory
from tests.helpers import text

TODAY = date.today()


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def world(db, make_user):
    bls = CredentialType(name="BLS card", role_families=["medical-assistant", "nurse-care-manager"],
                         renewal_months=24)
    db.session.add(bls)
    everyone = Track(name="Compliance basics", kind=TrackKind.ALL_STAFF)
    ma_track = Track(name="MA onboarding", kind=TrackKind.ROLE, role_families=["medical-assistant"])
    db.session.add_all([everyone, ma_track])
    db.session.flush()
    hipaa = Module(track_id=everyone.id, position=0, title="HIPAA privacy", renew_months=12)
    tour = Module(track_id=everyone.id, position=1, title="Clinic tour")  # does not renew: not a requirement
    meds = Module(track_id=ma_track.id, position=0, title="Medication reconciliation", renew_months=12)
    db.session.add_all([hipaa, tour, meds])
    db.session.flush()
    north, south = SiteFactory(name="North Clinic"), SiteFactory(name="South Clinic")
    hr = make_user(Role.HR, name="Hana HR")

    def person(name, family, site):
        return make_user(Role.STAFF, name=name, role_family=family, site_id=site.id)

    people = {
        "ann": person("Ann Current", RoleFamily.MEDICAL_ASSISTANT, north),
        "bo": person("Bo Expired", RoleFamily.MEDICAL_ASSISTANT, north),
        "cy": person("Cy Unverified", RoleFamily.MEDICAL_ASSISTANT, north),
        "di": person("Di Desk", RoleFamily.FRONT_DESK, north),
        "ed": person("Ed South", RoleFamily.MEDICAL_ASSISTANT, south),
    }

    def card(who, expires, verified=True):
        credential = add_credential(people[who], bls, number="B", issuer="AHA", issued_on=None, expires_on=expires,
                                    actor=hr)
        if verified:
            verify_credential(credential, method=VerificationMethod.COPY_SEEN, source="", actor=hr)

    card("ann", days(300))
    card("bo", days(-1))
    card("cy", days(300), verified=False)
    card("ed", days(300))

    def train(who, module, status, *, renew_by=None, due=None, completed_before=False):
        track_id = module.track_id
        assignment = db.session.query(Assignment).filter_by(employee_id=people[who].id, track_id=track_id).first()
        if assignment is None:
            assignment = Assignment(employee_id=people[who].id, track_id=track_id)
            db.session.add(assignment)
            db.session.flush()
        db.session.add(Progress(employee_id=people[who].id, module_id=module.id, assignment_id=assignment.id,
                                status=status, renew_by=renew_by, due_date=due))
        if completed_before:
            db.session.add(Completion(employee_id=people[who].id, module_id=module.id, module_version=1,
                                      completed_at=datetime(2025, 12, 1)))
        db.session.flush()

    done = ProgressStatus.COMPLETED
    train("ann", hipaa, done, renew_by=days(100))
    train("ann", meds, ProgressStatus.NOT_STARTED, due=days(10), completed_before=True)  # reopened for renewal
    train("bo", hipaa, done, renew_by=days(-3))  # renewal date passed
    train("bo", meds, ProgressStatus.WAIVED)
    train("cy", hipaa, ProgressStatus.NOT_STARTED, due=days(-5))
    train("di", hipaa, done, renew_by=days(30))
    train("ed", hipaa, done, renew_by=days(30))
    train("ed", meds, done, renew_by=days(30))
    return {"hr": hr, "north": north, "south": south, "people": people, "bls": bls, "card": card, "train": train,
            "hipaa": hipaa, "meds": meds}


def lines_of(result, site, family):
    group = next(g for g in result.groups if g.site == site and g.role_family is family)
    return {line.requirement.name: line for line in group.lines}


def test_shares_and_reasons_per_site_and_role_family(db, world):
    result = compliance(ComplianceFilters(), TODAY)
    assert [(g.site, g.role_family, g.staff) for g in result.groups] == [
        ("North Clinic", RoleFamily.FRONT_DESK, 1), ("North Clinic", RoleFamily.MEDICAL_ASSISTANT, 3),
        ("South Clinic", RoleFamily.MEDICAL_ASSISTANT, 1)]
    north_ma = lines_of(result, "North Clinic", RoleFamily.MEDICAL_ASSISTANT)
    assert list(north_ma) == ["BLS card", "HIPAA privacy", "Medication reconciliation"]  # no clinic tour
    bls = north_ma["BLS card"]
    assert (bls.current, bls.staff, bls.percent) == (1, 3, 33)
    assert {s.name: s.detail for s in bls.not_current} == {"Bo Expired": f"expired {days(-1):%b} {days(-1).day}, "
                                                                          f"{days(-1).year}",
                                                          "Cy Unverified": "not verified"}
    hipaa = north_ma["HIPAA privacy"]
    assert hipaa.current == 1 and {s.name for s in hipaa.not_current} == {"Bo Expired", "Cy Unverified"}
    assert [s.detail for s in hipaa.not_current if s.name == "Bo Expired"][0].startswith("renewal was due")
    meds = north_ma["Medication reconciliation"]
    # Ann's reopened renewal is still current until its due date; Bo's waiver counts; Cy was never assigned.
    assert meds.current == 2 and [(s.name, s.detail) for s in meds.not_current] == [("Cy Unverified", "not assigned")]
    desk = lines_of(result, "North Clinic", RoleFamily.FRONT_DESK)
    assert list(desk) == ["HIPAA privacy"] and desk["HIPAA privacy"].percent == 100
    assert (result.staff, result.fully_current) == (5, 3)  # Ann, Di and Ed


def test_filters_pick_a_site_and_a_role_family(db, world):
    south = compliance(ComplianceFilters(site_id=world["south"].id), TODAY)
    assert [(g.site, g.staff) for g in south.groups] == [("South Clinic", 1)]
    desk = compliance(ComplianceFilters(role_family=RoleFamily.FRONT_DESK), TODAY)
    assert [(g.role_family, g.staff) for g in desk.groups] == [(RoleFamily.FRONT_DESK, 1)]


def test_an_inactive_employee_and_a_role_without_requirements_are_left_out(db, world, make_user):
    world["people"]["bo"].active = False
    make_user(Role.STAFF, role_family=RoleFamily.PRACTICE_MANAGER, site_id=world["north"].id)
    db.session.flush()
    world["hipaa"].renew_months = None  # now only the MA's BLS and meds are required; practice managers need nothing
    db.session.flush()
    result = compliance(ComplianceFilters(), TODAY)
    assert {g.role_family for g in result.groups} == {RoleFamily.MEDICAL_ASSISTANT}
    assert lines_of(result, "North Clinic", RoleFamily.MEDICAL_ASSISTANT)["BLS card"].staff == 2


def test_the_page_shows_bars_a_table_and_the_people_not_current(client, auth, db, world):
    db.session.commit()
    auth.login(world["hr"])
    page = text(client.get("/reports/compliance"))
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="report-chart') == 3
    assert "Staff current, North Clinic · Medical assistant" in page
    assert "BLS card: 33%" in page  # the chart's text alternative
    section = page[page.index("North Clinic <span"):]
    section = section[section.index("Medical assistant"):]
    assert re.search(r"33%</span>\s*<span[^>]*>1 of 3</span>", section)
    assert f'href="/credentials/people/{world["people"]["cy"].id}">Cy Unverified</a>: not verified' in section
    assert f'href="/team/people/{world["people"]["cy"].id}">Cy Unverified</a>: not assigned' in section
    assert "60%" in page and "(3 of 5)" in page
    only_south = text(client.get(f"/reports/compliance?site={world['south'].id}"))
    assert "North Clinic <span" not in only_south and "South Clinic <span" in only_south
    assert "Cy Unverified" not in only_south and "100%" in only_south


def test_unusable_filters_are_ignored_with_a_message(client, auth, db, world):
    db.session.commit()
    auth.login(world["hr"])
    page = text(client.get("/reports/compliance?family=astronaut&site=abc"))
    assert "Role family: Not a valid choice. That filter was ignored." in page
    assert "North Clinic" in page and "South Clinic" in page


def test_an_empty_scope_says_so(client, auth, db, world):
    db.session.commit()
    auth.login(world["hr"])
    page = text(client.get("/reports/compliance?family=primary-care-provider"))
    assert "No active staff these filters select has a role that requires" in page


def test_the_csv_has_a_row_per_person_and_requirement_with_the_filters(client, auth, db, world):
    db.session.commit()
    auth.login(world["hr"])
    response = client.get(f"/reports/compliance.csv?site={world['north'].id}")
    assert response.mimetype == "text/csv" and "compliance-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Site", "Role family", "Employee", "E-mail", "Kind", "Requirement", "Current", "Detail"]
    assert len(rows) == 1 + 1 + 3 * 3  # Di's HIPAA, and three MAs by three requirements
    assert ["North Clinic", "Medical assistant", "Cy Unverified", world["people"]["cy"].email, "Credential",
            "BLS card", "no", "not verified"] in rows
    assert not any(row[2] == "Ed South" for row in rows)


def test_a_formula_in_a_name_is_not_run_by_a_spreadsheet(client, auth, db, world):
    world["people"]["cy"].name = "=HYPERLINK(\"x\")"
    db.session.commit()
    auth.login(world["hr"])
    body = client.get("/reports/compliance.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_the_view_costs_the_same_statements_at_two_organization_sizes(client, auth, db, world, make_user,
                                                                        count_queries):
    auth.login(world["hr"])
    counts = {}
    for size, add in (("small", 0), ("large", 40)):
        for i in range(add):
            who = make_user(Role.STAFF, role_family=RoleFamily.MEDICAL_ASSISTANT,
                            site_id=(world["north"] if i % 2 else world["south"]).id)
            world["people"][f"x{i}"] = who
            world["card"](f"x{i}", days(i - 10), verified=i % 3 != 0)
            world["train"](f"x{i}", world["hipaa"], ProgressStatus.COMPLETED, renew_by=days(i - 20))
        db.session.commit()
        cache.clear()
        for url in ("/reports/compliance", "/reports/compliance.csv"):
            with count_queries() as statements:
                response = client.get(url)
                body = response.get_data(as_text=True)
            counts[size, url] = len(statements)
            assert "Cy Unverified" in body
    assert counts["small", "/reports/compliance"] == counts["large", "/reports/compliance"], counts
    assert counts["small", "/reports/compliance.csv"] == counts["large", "/reports/compliance.csv"], counts
