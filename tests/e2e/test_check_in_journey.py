"""Check-ins in a real browser: a new hire rates themself, their manager rates, sees both sides and assigns
a development module from the next steps; HR opens the validity report and narrows it by site."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.audit import acting_as
from app.extensions import db
from app.models import RoleFamily, Site, User
from app.models.people import Role
from app.onboarding import check_ins
from tests.e2e.conftest import DEMO_PASSWORD, screenshot
from tests.e2e.test_journeys import sign_in, sign_out
from tests.e2e.test_onboarding_journey import MANAGER
from tests.e2e.test_oversight_journey import HR

HIRE_EMAIL = "day30.hire@demo.clinic"
HIRE_NAME = "Dana Thirty"
EVIDENCE = "Called two patients back the same day and booked their follow-ups with the care team."


def a_hire_at_day_30(live_server) -> int:
    """A medical assistant on the demo manager's team who started 30 days ago: their first check-in is due today."""
    with live_server.app.app_context():
        manager = db.session.scalar(select(User).where(User.email == MANAGER))
        with acting_as(db.session, None):
            hire = User(email=HIRE_EMAIL, name=HIRE_NAME, role=Role.STAFF, manager=manager, site=manager.site,
                        role_family=RoleFamily.MEDICAL_ASSISTANT, start_date=date.today() - timedelta(days=30))
            hire.set_password(DEMO_PASSWORD)
            db.session.add(hire)
            db.session.flush()
            made = check_ins.schedule(hire, actor=None)
        assert made and made[0].day == 30, "the template rubric for medical assistants should give a day-30 check-in"
        check_in_id = made[0].id
        db.session.commit()
        db.session.remove()
    return check_in_id


def rate_every_value(page: Page, score: str) -> None:
    """Choose the same rating for every value on the form and write the evidence."""
    groups = page.locator("fieldset")
    for index in range(groups.count()):
        group = groups.nth(index)
        radio = group.locator(f"input[type=radio][value='{score}']")
        if radio.count():
            radio.first.check()
            group.locator("textarea").first.fill(EVIDENCE)


def test_hire_self_rates_manager_rates_and_assigns_a_module_then_hr_reads_validity(page: Page, live_server):
    check_in_id = a_hire_at_day_30(live_server)

    sign_in(page, HIRE_EMAIL, DEMO_PASSWORD)
    page.goto("/onboarding")
    page.get_by_role("link", name="Rate yourself").first.click()
    expect(page).to_have_url(f"{live_server.url}/onboarding/check-ins/{check_in_id}")
    rate_every_value(page, "4")
    page.get_by_role("button", name="Submit my ratings").click()
    expect(page.locator(".alert-success")).to_be_visible()
    screenshot(page, "check-in-self")
    sign_out(page)

    sign_in(page, MANAGER, DEMO_PASSWORD)
    page.goto(f"/team/check-ins/{check_in_id}")
    expect(page.get_by_text(EVIDENCE)).to_have_count(0)  # the self-ratings stay hidden until the manager rates
    rate_every_value(page, "2")
    page.get_by_label("Next steps agreed").fill("Shadow the care coordinator on two referral calls.")
    page.get_by_role("button", name="Submit manager ratings").click()
    expect(page.get_by_text(EVIDENCE).first).to_be_visible()  # both sides side by side now
    page.locator("input[name=value_ids]").first.check()
    page.get_by_role("button", name="Assign development modules").click()
    expect(page.locator(".alert-success")).to_contain_text("module")
    screenshot(page, "check-in-manager")
    sign_out(page)

    with live_server.app.app_context():
        hire = db.session.scalar(select(User).where(User.email == HIRE_EMAIL))
        check_in = db.session.get(check_ins.CheckIn, check_in_id)
        assert check_in.done and check_in.manager_id is not None
        assert {r.score for r in check_in.ratings} == {2, 4}
        assigned = db.session.scalars(select(check_ins.onboarding.Progress).where(
            check_ins.onboarding.Progress.employee_id == hire.id)).all()
        assert assigned, "the next steps assigned no module"
        site_name = db.session.scalar(select(Site.name).order_by(Site.id))
        db.session.remove()

    sign_in(page, HR, DEMO_PASSWORD)
    page.goto("/reports")
    page.get_by_role("link", name="Hiring validity").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hiring validity")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    page.get_by_label("Site").select_option(label=site_name)
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text(f"{site_name} · All role families")).to_be_visible()
    assert "site=" in page.url
    screenshot(page, "validity-report")
