"""Credentials in a real browser: HR adds a nurse's RN licence with a scanned copy and verifies it with the
primary source, and records her BLS card, which expires within 30 days; her manager sees the expiring BLS on /team;
the nurse sees both on My onboarding and downloads her own scan."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.audit import acting_as
from app.extensions import db
from app.models import RoleFamily, User
from app.models.people import Role
from tests.e2e.conftest import DEMO_PASSWORD, screenshot
from tests.e2e.test_journeys import sign_in, sign_out
from tests.e2e.test_onboarding_journey import MANAGER
from tests.e2e.test_oversight_journey import HR

NURSE_EMAIL = "rae.nurse@demo.clinic"
NURSE_NAME = "Rae Nurse"
SCAN = b"%PDF-1.4\n% Oregon State Board of Nursing: licence RN-204811\n%%EOF\n"
LICENCE = "State licence, registered nurse (RN)"
BLS = "Basic life support (BLS/CPR)"


@pytest.fixture
def scan_dir(live_server, tmp_path):
    """Scans from the browser land in a folder of the test's own, never the instance folder."""
    before = live_server.app.config["CREDENTIAL_SCAN_DIR"]
    live_server.app.config["CREDENTIAL_SCAN_DIR"] = str(tmp_path / "scans")
    yield tmp_path / "scans"
    live_server.app.config["CREDENTIAL_SCAN_DIR"] = before


def a_nurse_on_the_managers_team(live_server) -> int:
    with live_server.app.app_context():
        manager = db.session.scalar(select(User).where(User.email == MANAGER))
        with acting_as(db.session, None):
            nurse = User(email=NURSE_EMAIL, name=NURSE_NAME, role=Role.STAFF, manager=manager, site=manager.site,
                         role_family=RoleFamily.NURSE_CARE_MANAGER, start_date=date.today() - timedelta(days=3))
            nurse.set_password(DEMO_PASSWORD)
            db.session.add(nurse)
            db.session.flush()
        nurse_id = nurse.id
        db.session.commit()
        db.session.remove()
    return nurse_id


def add_credential(page: Page, kind: str, number: str, issuer: str, expires_on: date, scan: Path | None = None):
    page.get_by_label("Credential", exact=True).select_option(label=kind)
    page.get_by_label("Number").fill(number)
    page.get_by_label("Issuing state or body").fill(issuer)
    page.get_by_label("Expires on").fill(expires_on.isoformat())
    if scan is not None:
        page.get_by_label("Scanned copy (optional)").set_input_files(str(scan))
    page.get_by_role("button", name="Add credential").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(f"{kind} added for")


def test_hr_records_a_licence_with_a_scan_and_the_nurse_sees_her_credentials(page: Page, live_server, scan_dir,
                                                                              tmp_path):
    nurse_id = a_nurse_on_the_managers_team(live_server)
    scan_file = tmp_path / "rn-licence.pdf"
    scan_file.write_bytes(SCAN)
    soon = date.today() + timedelta(days=20)

    # HR adds the RN licence with its scan, and the BLS card that expires in 20 days.
    sign_in(page, HR, DEMO_PASSWORD)
    page.goto(f"/credentials/people/{nurse_id}")
    expect(page.get_by_role("heading", name=f"Credentials: {NURSE_NAME}")).to_be_visible()
    add_credential(page, LICENCE, "RN-204811", "Oregon State Board of Nursing", date.today() + timedelta(days=600),
                   scan=scan_file)
    add_credential(page, BLS, "BLS-5521", "American Heart Association", soon)
    licence_row = page.get_by_role("row").filter(has_text=LICENCE)
    expect(licence_row).to_contain_text("unverified")
    expect(licence_row.get_by_role("link", name=f"Download the scan of {LICENCE}")).to_be_visible()

    # HR verifies the licence with the primary source; a copy seen is not enough for it.
    licence_row.get_by_role("link", name=f"Verify {LICENCE}").click()
    expect(page.get_by_text("must be verified with the primary source")).to_be_visible()
    page.get_by_label("Primary source", exact=True).check()
    page.get_by_label("Source", exact=True).fill("Oregon State Board of Nursing licence lookup")
    page.get_by_role("button", name="Record verification").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{LICENCE} verified")
    licence_row = page.get_by_role("row").filter(has_text=LICENCE)
    expect(licence_row).to_contain_text("active")
    expect(licence_row).to_contain_text("Oregon State Board of Nursing licence lookup")

    # The BLS card is verified from the card seen; it stays flagged as expiring within 30 days.
    page.get_by_role("row").filter(has_text=BLS).get_by_role("link", name=f"Verify {BLS}").click()
    page.get_by_label("Copy seen", exact=True).check()
    page.get_by_role("button", name="Record verification").click()
    expect(page.get_by_role("row").filter(has_text=BLS)).to_contain_text("expiring within 30 days")
    screenshot(page, "credentials-hr-person")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download the scan of {LICENCE}").click()
    assert Path(download.value.path()).read_bytes() == SCAN
    stored = list(scan_dir.iterdir())
    assert len(stored) == 1 and "rn-licence" not in stored[0].name and stored[0].read_bytes() == SCAN
    sign_out(page)

    # Her manager sees the expiring BLS among the team's credential warnings on /team, and no licence warning.
    sign_in(page, MANAGER, DEMO_PASSWORD)
    page.goto("/team")
    warnings = page.locator("section[aria-labelledby=credential-warnings]")
    expect(warnings).to_be_visible()
    rae = warnings.locator("li.border").filter(has_text=NURSE_NAME)
    expect(rae).to_contain_text(f"{BLS}: expires in 20 days")
    expect(rae).not_to_contain_text(LICENCE)
    screenshot(page, "credentials-team-warning")
    sign_out(page)

    # The nurse sees her credentials on My onboarding, the BLS flagged, and downloads her own scan.
    sign_in(page, NURSE_EMAIL, DEMO_PASSWORD)
    page.goto("/onboarding")
    card = page.locator("section[aria-labelledby=my-credentials]")
    expect(card).to_contain_text(f"{BLS}, expires")
    expect(card).to_contain_text("expiring within 30 days")
    expect(card).to_contain_text(LICENCE)
    screenshot(page, "credentials-my-onboarding")
    with page.expect_download() as download:
        card.get_by_role("link", name=f"Download your scan of {LICENCE}").click()
    assert Path(download.value.path()).read_bytes() == SCAN
    sign_out(page)
