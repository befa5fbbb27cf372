"""Oversight: a manager filters the team to the overdue, reads one person and approves a sign-off; HR reads reports."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Method, Module, Progress, User
from app.onboarding import services
from app.reports.exports import HEADER
from tests.e2e.conftest import DEMO_PASSWORD, screenshot
from tests.e2e.test_journeys import open_menu, sign_in
from tests.e2e.test_onboarding_journey import MANAGER, MANAGER_NAME, fresh_page

HR = "hr@demo.clinic"
HR_NAME = "Harper Reyes"
STATUSES = re.compile(r"^(Complete|Waiting for sign-off|Overdue|Due soon|On track)$")
SHOWN_DATE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}$")  # the templates' date filter: "Mar 4, 2025"


@dataclass(frozen=True)
class SignOff:
    employee: str
    module: str


def pending_sign_off(live_server) -> SignOff:
    """The oldest open request in Morgan Lee's queue (the first the team page lists), made if there is none,
    and at least one overdue module in the team so the overdue filter has someone to show."""
    with live_server.app.app_context():
        manager = db.session.scalar(select(User).where(User.email == MANAGER))
        queue = services.sign_off_queue(manager)
        if not queue:
            progress = db.session.scalars(
                select(Progress).join(User, User.id == Progress.employee_id).join(Module, Module.id == Progress.module_id)
                .where(User.manager_id == manager.id, User.active, Module.method == Method.SIGN_OFF,
                       Module.archived_at.is_(None), Progress.status.not_in(services.DONE),
                       Progress.sign_off_requested_at.is_(None))
                .order_by(Progress.id)
            ).first()
            assert progress is not None, f"no direct report of {MANAGER} has a sign-off module left to ask for"
            services.request_sign_off(progress, actor=progress.employee)
            db.session.commit()
            queue = services.sign_off_queue(manager)
        found = SignOff(queue[0].employee_name, queue[0].module_title)

        today = date.today()
        overdue = db.session.scalars(
            select(Progress.id).join(User, User.id == Progress.employee_id)
            .where(User.manager_id == manager.id, User.active, Progress.status.not_in(services.DONE),
                   Progress.due_date < today)
        ).first()
        if overdue is None:
            late = db.session.scalars(
                select(Progress).join(User, User.id == Progress.employee_id)
                .where(User.manager_id == manager.id, User.active, Progress.status.not_in(services.DONE),
                       Progress.sign_off_requested_at.is_(None))
                .order_by(Progress.id)
            ).first()
            assert late is not None, f"nobody on {MANAGER}'s team has an unfinished module to make overdue"
            late.due_date = today - timedelta(days=3)
            db.session.commit()
        db.session.remove()
    return found


def number(text: str) -> int:
    match = re.search(r"\d[\d,]*", text)
    assert match, f"no number in {text!r}"
    return int(match.group(0).replace(",", ""))


def test_manager_filters_overdue_opens_a_person_and_approves_a_sign_off_then_hr_reads_reports(
        page: Page, browser, live_server):
    request = pending_sign_off(live_server)

    # 1. The manager opens My team: everyone, the summary, and the sign-offs waiting.
    sign_in(page, MANAGER, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name=f"Hello, {MANAGER_NAME}")).to_be_visible()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My team").click()
    expect(page.get_by_role("heading", name="My team", level=1)).to_be_visible()
    people = page.get_by_role("table", name="People").locator("tbody tr")
    expect(people.first).to_be_visible()
    summary = page.get_by_role("navigation", name="Team summary")
    overdue_total = number(summary.get_by_role("link").filter(has_text="Overdue").inner_text())
    assert overdue_total > 0, "the team summary shows nobody overdue"
    screenshot(page, "oversight-team")

    # 2. The overdue filter: every row has overdue modules, and the count says how many rows there are.
    page.get_by_label("Show").select_option(label="Overdue")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]show=overdue"))
    expect(page.get_by_label("Show")).to_have_value("overdue")
    matched = page.get_by_role("status").filter(has_text="match these filters")
    expect(matched).to_have_text(re.compile(r"^\d+ of \d+ (person|people) match(es)? these filters\.$"))
    shown = number(matched.inner_text())
    expect(people).to_have_count(shown)
    assert shown == overdue_total, f"the filter lists {shown} people, the summary counts {overdue_total} overdue"
    for index in range(shown):
        row = people.nth(index)
        overdue_cell = row.get_by_role("cell").nth(1)  # after Progress: the name is the row's header
        assert number(overdue_cell.inner_text()) > 0, f"row {index + 1} ({row.inner_text()!r}) is not overdue"
        expect(row.get_by_role("cell").last).to_have_text("Overdue")  # the status badge
    screenshot(page, "oversight-team-overdue")

    # 3. Drill down into the first overdue person: every module with a status and a due date.
    first = people.first.get_by_role("rowheader").get_by_role("link")
    name = first.inner_text().strip()
    first.click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("My team")
    overdue_modules = page.get_by_text("Overdue modules", exact=True).locator("xpath=following-sibling::dd")
    assert number(overdue_modules.inner_text()) > 0
    tables = page.get_by_role("table", name=re.compile(r"^Modules of "))
    expect(tables.first).to_be_visible()
    modules = tables.locator("tbody tr")
    assert modules.count() > 0
    overdue_badges = 0
    for index in range(modules.count()):
        cells = modules.nth(index).get_by_role("cell")
        status, due = cells.nth(1).inner_text().strip(), cells.nth(2).inner_text().strip()
        assert STATUSES.match(status), f"module {index + 1}: status {status!r}"
        assert SHOWN_DATE.match(due), f"module {index + 1}: due date {due!r}"
        overdue_badges += status == "Overdue"
    assert overdue_badges > 0, f"{name} is listed as overdue but no module says Overdue"
    screenshot(page, "oversight-person")

    # 4. Back to the filtered team, then approve the sign-off from the team page.
    page.go_back()
    expect(page.get_by_label("Show")).to_have_value("overdue")
    waiting = page.get_by_role("region", name=re.compile(r"^Waiting for your sign-off"))
    approve = waiting.get_by_role("button", name=f"Approve {request.module} for {request.employee}")
    expect(approve).to_be_visible()
    approve.click()
    expect(page.get_by_role("status").filter(has_text="Signed off")).to_have_text(
        f"Signed off {request.module} for {request.employee}.")
    expect(page).to_have_url(re.compile(r"/team\?.*show=overdue"))  # back where the decision was made
    expect(page.get_by_role("region", name=f"{request.employee}: {request.module}")).to_have_count(0)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My team").click()
    expect(page.get_by_role("heading", name="My team", level=1)).to_be_visible()
    expect(page.get_by_role("button", name=f"Approve {request.module} for {request.employee}")).to_have_count(0)

    # 5. HR reads the organization reports, narrows them to one site and downloads the CSV.
    with fresh_page(browser, live_server) as hr:
        sign_in(hr, HR, DEMO_PASSWORD)
        expect(hr.get_by_role("heading", name=f"Hello, {HR_NAME}")).to_be_visible()
        open_menu(hr, "Training")
        hr.get_by_role("link", name="Reports", exact=True).click()
        expect(hr.get_by_role("heading", name="Organization reports", level=1)).to_be_visible()
        by_value = hr.get_by_role("region", name="Completion by medical-home value")
        expect(by_value.get_by_role("img", name="Completion by medical-home value")).to_be_visible()
        expect(by_value.locator("svg[role=img]")).to_have_count(1)
        expect(by_value.get_by_role("table").locator("tbody tr").first).to_be_visible()
        by_site = hr.get_by_role("region", name="Completion by site").get_by_role("table").locator("tbody th")
        sites_before = [text.strip() for text in by_site.all_inner_texts()]
        assigned_before = re.search(r"of ([\d,]+) assigned modules done", hr.locator("main").inner_text()).group(1)
        screenshot(hr, "oversight-reports")

        site = next(label for label in sites_before if label != "No site")
        hr.get_by_label("Site", exact=True).select_option(label=site)
        hr.get_by_role("button", name="Apply").click()
        expect(hr).to_have_url(re.compile(r"[?&]site=\d+"))
        expect(hr.get_by_label("Site", exact=True).locator("option:checked")).to_have_text(site)
        expect(hr.get_by_text(f"Onboarding training and hiring across {site}, as of")).to_be_visible()
        expect(by_site).to_have_text([site])
        if len(sites_before) > 1:  # the demo puts all 30 employees at one site; other tests may add a "No site" row
            expect(hr.get_by_text(f"of {assigned_before} assigned modules done", exact=True)).to_have_count(0)

        with hr.expect_download() as download_info:
            hr.get_by_role("link", name="Download training CSV").click()
        download = download_info.value
        assert re.fullmatch(r"training-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
        rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
        assert [cell.lower() for cell in rows[0]] == [cell.lower() for cell in HEADER]
        assert len(rows) > 1, f"the CSV for {site} has no rows"
        column = [cell.lower() for cell in rows[0]].index("site")
        assert {row[column] for row in rows[1:]} == {site}

        hr.get_by_role("link", name="PCMH evidence").click()
        expect(hr.get_by_role("heading", name=re.compile(r"^PCMH evidence"), level=1)).to_be_visible()
        screenshot(hr, "oversight-evidence")
