"""HR posts a job, builds its interview kit and opens it; a candidate applies; two interviewers score; HR hires."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxMessage, Posting, Progress, Question, User
from tests.e2e.conftest import DEMO_PASSWORD, screenshot
from tests.e2e.test_journeys import sign_in
from tests.e2e.test_onboarding_journey import MANAGER, MANAGER_NAME, fresh_page

HR = "hr@demo.clinic"
HR_NAME = "Harper Reyes"
FAMILY = "Front desk / patient services"
TITLE = "Patient services representative"
SITE = "Riverside Family Health"
REMOVED = "ea-removed-a-barrier"  # Enhanced Access keeps ea-same-day-slots-full, so coverage holds
ADDED = "emp-responsible-for-a-group"  # a behavioral Empanelment question from the bank
APPLICANT, APPLICANT_EMAIL = "Jordan Ellis", "jordan.ellis@example.org"
WHY = ("I grew up going to a community clinic where the front desk knew my family by name. "
       "I want to be that first friendly face and help patients get seen by their own team.")
# The smallest file check_resume accepts and a PDF reader opens: a header, one empty page, a trailer.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@dataclass(frozen=True)
class PostingRubric:
    titles: list[str]  # criteria in rubric order
    values: dict[str, str]  # criterion title -> value name
    site_id: int
    kit: int  # questions the template suggested



def timeline_line(page, move: str):
    """The line of the application's timeline that records this stage move."""
    return page.get_by_role("region", name="Timeline").get_by_role("listitem").filter(has_text=move)

def posting_rubric(live_server, posting_id: int) -> PostingRubric:
    with live_server.app.app_context():
        posting = db.session.get(Posting, posting_id)
        criteria = sorted(posting.rubric.criteria, key=lambda c: c.position)
        found = PostingRubric([c.title for c in criteria], {c.title: c.value.name for c in criteria},
                              posting.site_id, len(posting.kit))
        db.session.remove()
    return found


def question_text(live_server, key: str) -> str:
    with live_server.app.app_context():
        text = db.session.scalar(select(Question.text).where(Question.key == key))
        db.session.remove()
    return text


def steady(page: Page) -> Page:
    """No smooth scrolling (Bootstrap turns it on unless motion is reduced): clicks far down a page land at once."""
    page.emulate_media(reduced_motion="reduce")
    return page


def flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def kit_items(page: Page) -> Locator:
    return page.get_by_role("region", name=re.compile(r"^Interview kit, in order")).get_by_role("listitem")


def rate(page: Page, rubric: PostingRubric, scores: dict[str, int], evidence: dict[str, str],
         recommendation: str) -> None:
    """Fill the scorecard: one rating radio per criterion, evidence notes where given, a recommendation."""
    for title in rubric.titles:
        group = page.get_by_role("group", name=title, exact=True)
        group.get_by_role("radio", name=re.compile(rf"^{scores[title]} — ")).check()
        if title in evidence:
            group.get_by_label("Evidence notes").fill(evidence[title])
    page.get_by_role("group", name="Overall recommendation").get_by_role(
        "radio", name=recommendation, exact=True).check()


def open_my_interview(page: Page, applicant: str) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My interviews").click()
    expect(page.get_by_role("heading", name="My interviews", level=1)).to_be_visible()
    page.get_by_role("link", name=applicant, exact=True).click()
    expect(page.get_by_role("heading", name=applicant, level=1)).to_be_visible()


def test_hr_posts_a_job_builds_the_kit_opens_it_and_hires_after_two_scorecards(
        page: Page, browser, live_server, tmp_path, monkeypatch):
    # Résumés land in this test's folder, not in the checkout's instance/ directory.
    monkeypatch.setitem(live_server.app.config, "RESUME_DIR", str(tmp_path / "resumes"))
    closing = date.today() + timedelta(days=30)
    steady(page)
    removed_text, added_text = question_text(live_server, REMOVED), question_text(live_server, ADDED)

    # 1. HR starts a front desk posting from its role template, at Riverside, closing in a month.
    sign_in(page, HR, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name=f"Hello, {HR_NAME}")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.locator("summary", has_text="Hiring").filter(visible=True).click()
    nav.get_by_role("link", name="Postings", exact=True).click()
    expect(page.get_by_role("heading", name="Postings", level=1)).to_be_visible()
    page.get_by_role("link", name="New posting").click()
    expect(page.get_by_role("heading", name="New posting", level=1)).to_be_visible()
    page.get_by_role("link", name=f"Start a {FAMILY.lower()} posting").click()
    expect(page.get_by_label("Role family")).to_have_value("front-desk")
    expect(page.get_by_label("Title")).to_have_value(FAMILY)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Site").select_option(label=SITE)
    page.get_by_label("Closing date").fill(closing.isoformat())
    page.get_by_role("button", name="Create draft posting").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_contain_text("Draft")
    posting_id = int(re.search(r"/hiring/postings/(\d+)", page.url).group(1))
    rubric = posting_rubric(live_server, posting_id)
    assert len(rubric.titles) == 6 and rubric.kit > 2
    flash(page, f"{TITLE} created as a draft with {rubric.kit} questions from the {FAMILY} template.")
    last = rubric.kit  # the kit's length after one question out and one in

    # The kit: take out question 2 (one of two on Enhanced Access) ...
    items = kit_items(page)
    expect(items).to_have_count(rubric.kit)
    expect(items.nth(1)).to_contain_text(removed_text)
    page.get_by_role("button", name=re.compile(r"^Remove\s*: question 2$")).click()
    expect(page.get_by_role("status")).to_have_text(
        re.compile(r"^Removed a question on Enhanced Access from the kit\.$"))
    expect(items).to_have_count(rubric.kit - 1)
    expect(items.filter(has_text=removed_text)).to_have_count(0)

    # ... add a behavioral Empanelment question from the bank (only the rubric's values are offered) ...
    page.get_by_label("Kind").select_option(label="Behavioral only")
    page.get_by_role("button", name="Show", exact=True).click()
    bank = page.get_by_role("region", name="Add questions from the bank")
    summaries = bank.locator("details > summary .fw-semibold")
    expect(summaries).to_have_count(6)
    assert sorted(summaries.all_text_contents()) == sorted(set(rubric.values.values()))
    expect(bank.get_by_text("Situational", exact=True)).to_have_count(0)
    expect(bank.get_by_text(removed_text)).to_have_count(1)  # back in the bank, on offer again
    empanelment = bank.locator("details").filter(has=page.locator("summary", has_text="Empanelment"))
    empanelment.locator("summary").click()
    empanelment.get_by_role("button", name=re.compile(r"^Add\s+to the kit: " + re.escape(added_text[:30]))).click()
    flash(page, f"Added to the kit as question {last} (Empanelment).")
    expect(page.get_by_role("heading", name="Something went wrong"),
           "the posting page fails to render after a bank question is added").to_have_count(0)
    expect(items).to_have_count(last)
    expect(items.nth(last - 1)).to_contain_text(added_text)

    # ... and move it up one place.
    page.get_by_role("button", name=re.compile(rf"^Move up\s*: question {last}$")).click()
    flash(page, "Moved question up.")
    expect(items.nth(last - 2)).to_contain_text(added_text)

    # Every criterion of the rubric is assessed by a kit question.
    coverage = page.get_by_role("region", name="Value coverage")
    expect(coverage).to_contain_text("6 of 6 rubric criteria have a kit question on their value.")
    expect(coverage.get_by_text("Not assessed")).to_have_count(0)
    expect(coverage.get_by_text(re.compile(r"^Assessed by questions? "))).to_have_count(6)
    expect(coverage.get_by_role("listitem").filter(has_text="Empanelment")).to_contain_text(
        re.compile(rf"Assessed by questions \d+, {last - 1}(?!\d)"))
    screenshot(page, "hiring-posting-kit")

    page.get_by_role("button", name="Open posting").click()
    flash(page, f"{TITLE} is open for applications.")
    expect(page.get_by_role("heading", name="Status: Open")).to_be_visible()

    # 2. An applicant finds the posting under its site on the careers page and applies with a résumé.
    resume = tmp_path / "jordan-ellis-resume.pdf"
    resume.write_bytes(PDF)
    with fresh_page(browser, live_server) as applicant:
        steady(applicant)
        applicant.goto("/careers")
        expect(applicant.get_by_role("heading", name="Work with us")).to_be_visible()
        site = applicant.get_by_role("region", name=re.compile(f"^{SITE}"))
        site.get_by_role("link", name=TITLE, exact=True).click()
        expect(applicant.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
        values = applicant.get_by_role("region", name="The medical-home values we hire for")
        for value in rubric.values.values():
            expect(values.get_by_text(value, exact=True)).to_be_visible()
        data = json.loads(applicant.locator('script[type="application/ld+json"]').text_content())
        assert data["@type"] == "JobPosting" and data["title"] == TITLE
        assert data["validThrough"] == closing.isoformat()
        screenshot(applicant, "hiring-careers-posting")

        form = applicant.get_by_role("region", name="Apply for this job")
        form.get_by_label("Full name").fill(APPLICANT)
        form.get_by_label("E-mail").fill(APPLICANT_EMAIL)
        form.get_by_label("Phone (optional)").fill("(251) 555-0143")
        form.get_by_label("Why do you want to work in a medical home?").fill(WHY)
        form.get_by_label("Résumé (optional)").set_input_files(str(resume))
        form.get_by_role("button", name="Send my application").click()
        expect(applicant.get_by_role("heading", name="Thank you for applying")).to_be_visible()
        expect(applicant.get_by_text(f"We received your application for {TITLE} at {SITE}.")).to_be_visible()

    # 3. HR finds them in the pipeline, moves them to interview and names the panel.
    page.reload()
    page.get_by_role("link", name="Pipeline: 1 application").click()
    expect(page.get_by_role("heading", name=f"Pipeline: {TITLE}")).to_be_visible()
    page.get_by_role("region", name="Applied").get_by_role("link", name=APPLICANT).click()
    expect(page.get_by_role("heading", name=APPLICANT, level=1)).to_contain_text("Applied")
    expect(page.get_by_text(WHY)).to_be_visible()
    candidate = page.url
    download = page.get_by_role("link", name="Download résumé")
    got = page.request.get(download.get_attribute("href"))
    assert got.ok and got.body() == PDF

    page.get_by_label("Move to", exact=True).select_option(label="Interview")
    page.get_by_label("Reason", exact=True).fill("Strong service story; invite to a panel interview.")
    page.get_by_role("button", name="Move", exact=True).click()
    flash(page, f"{APPLICANT} moved to Interview.")
    expect(page.get_by_role("heading", name=APPLICANT, level=1)).to_contain_text("Interview")
    expect(timeline_line(page, "Applied → Interview")).to_contain_text(HR_NAME)

    page.get_by_role("link", name=f"Interviews & scores for {APPLICANT}").click()
    expect(page.get_by_role("heading", name=APPLICANT, level=1)).to_be_visible()
    for name, email in ((HR_NAME, HR), (MANAGER_NAME, MANAGER)):
        page.get_by_label("Add an interviewer").select_option(label=f"{name} ({email})")
        page.get_by_role("button", name="Add interviewer").click()
        flash(page, f"{name} will interview {APPLICANT} and has been e-mailed the link.")
    panel = page.get_by_role("region", name="Interview panel")
    expect(panel.get_by_role("listitem")).to_have_count(2)
    expect(panel.get_by_role("listitem").filter(has_text=MANAGER_NAME)).to_contain_text("Not started")

    # 4. Morgan Lee scores first: 4 on most criteria, 2 on one.
    low = rubric.titles[2]  # "Keeps patients with their own team"
    assert rubric.values[low] == "Empanelment"
    manager_scores = {title: 4 for title in rubric.titles} | {low: 2}
    with fresh_page(browser, live_server) as manager:
        sign_in(steady(manager), MANAGER, DEMO_PASSWORD)
        open_my_interview(manager, APPLICANT)
        rate(manager, rubric, manager_scores, {low: "Booked with whoever was free; did not mention the panel."}, "Yes")
        manager.get_by_role("button", name="Submit scorecard").click()
        flash(manager, "Scorecard submitted.")
        expect(manager.get_by_role("article", name=f"{MANAGER_NAME}'s scorecard")).to_contain_text(f"{low}: 2")
        # Nothing from Harper yet: she has not submitted.
        expect(manager.get_by_text("No other submitted scorecards yet.")).to_be_visible()

        # Harper interviews too, so her own HR view of the scores stays blind until she submits.
        page.reload()
        expect(page.get_by_role("region", name="Scores")).to_contain_text(
            f"You interview {APPLICANT} yourself: the scores stay hidden until you submit your scorecard.")
        expect(page.get_by_text("Weighted score")).to_have_count(0)

        # HR, who interviews too, sees none of Morgan's ratings until she submits her own.
        with fresh_page(browser, live_server) as hr:
            sign_in(steady(hr), HR, DEMO_PASSWORD)
            open_my_interview(hr, APPLICANT)
            others = hr.get_by_role("region", name="Other interviewers' scorecards")
            expect(others).to_contain_text("Hidden until you submit your scorecard, so every rating is your own.")
            expect(hr.get_by_role("article", name=f"{MANAGER_NAME}'s scorecard")).to_have_count(0)
            expect(hr.get_by_text("Booked with whoever was free")).to_have_count(0)
            screenshot(hr, "hiring-interview")

            # A 5 needs evidence: submitting without it is refused beside the field.
            hr_scores = {title: 4 for title in rubric.titles} | {rubric.titles[1]: 5}
            rate(hr, rubric, hr_scores, {}, "Strong yes")
            hr.get_by_role("button", name="Submit scorecard").click()
            problem = f"Write the evidence for a rating of 1 or 5 on {rubric.titles[1]}."
            expect(hr.get_by_role("alert")).to_contain_text(problem)
            hr.get_by_role("group", name=rubric.titles[1], exact=True).get_by_label("Evidence notes").fill(
                "Calmed an angry caller by listening first, then booked an interpreter for the visit.")
            hr.get_by_role("button", name="Submit scorecard").click()
            flash(hr, "Scorecard submitted. You can now see the other interviewers' submitted scores.")
            morgan = hr.get_by_role("article", name=f"{MANAGER_NAME}'s scorecard")
            expect(morgan).to_contain_text(f"{low}: 2")
            expect(morgan).to_contain_text("Recommendation: Yes")

        manager.reload()
        expect(manager.get_by_role("article", name=f"{HR_NAME}'s scorecard")).to_contain_text(
            f"{rubric.titles[1]}: 5")

    # Both submitted: HR's view of the scores flags the 4-vs-2 criterion for discussion.
    page.reload()
    scores = page.get_by_role("region", name="Scores")
    expect(scores).to_contain_text("from 2 submitted scorecards")
    expect(scores).to_contain_text("1 yes · 1 strong yes")
    flagged = scores.get_by_role("row").filter(has_text="Ratings differ by 2 or more: discuss")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(low)
    expect(scores.get_by_text("development modules on hire")).to_have_count(0)  # Empanelment mean is 3.0

    page.goto(f"/hiring/postings/{posting_id}/compare")
    expect(page.get_by_role("heading", name="Compare candidates", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=APPLICANT))
    expect(row).to_contain_text("2 scorecards")
    expect(row.get_by_role("cell").last).to_have_text(low)
    screenshot(page, "hiring-compare")

    # 5. HR hires from the candidate page: starts today at Riverside, reports to Morgan Lee.
    page.goto(candidate)
    page.get_by_role("link", name=f"Hire {APPLICANT}…").click()
    expect(page.get_by_role("heading", name=f"Hire {APPLICANT}", level=1)).to_be_visible()
    expect(page.get_by_role("complementary")).to_contain_text("No value was rated 2.5 or lower")
    expect(page.get_by_label("Site")).to_have_value(str(rubric.site_id))  # the posting's, filled in
    page.get_by_label("Start date").fill(date.today().isoformat())
    page.get_by_label("Site").select_option(label=SITE)
    page.get_by_label("Role family").select_option(label=FAMILY)
    page.get_by_label("Manager").select_option(label=f"{MANAGER_NAME} ({MANAGER})")
    screenshot(page, "hiring-hire-form")
    page.get_by_role("button", name="Hire and start onboarding").click()
    flash(page, f"{APPLICANT} is hired. An invitation to set a password went to {APPLICANT_EMAIL}.")
    flash(page, "No value was rated 2.5 or lower, so no development modules were added.")
    expect(page.get_by_role("link", name=f"Hire {APPLICANT}")).to_have_count(0)

    page.goto(f"/hiring/postings/{posting_id}/pipeline")
    page.get_by_role("region", name="Hired").get_by_role("link", name=APPLICANT).click()
    expect(page.get_by_role("heading", name=APPLICANT, level=1)).to_contain_text("Hired")
    expect(page.get_by_text(f"{APPLICANT} was hired. A hired application does not move to another stage.")
           ).to_be_visible()
    expect(timeline_line(page, "Interview → Hired")).to_contain_text(
        f"Hired to start {date.today().isoformat()}")

    with live_server.app.app_context():
        employee = db.session.scalar(select(User).where(User.email == APPLICANT_EMAIL))
        assert employee is not None and employee.name == APPLICANT
        assert employee.manager.email == MANAGER and employee.site.name == SITE
        assert employee.role_family.label == FAMILY and employee.start_date == date.today()
        assert employee.password_hash is None  # they set it from the invitation
        progress = db.session.scalar(
            select(func.count()).select_from(Progress).where(Progress.employee_id == employee.id))
        assert progress > 0, "the hire assigned no onboarding modules"
        invitation = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.recipient == APPLICANT_EMAIL, OutboxMessage.kind == "invitation"))
        assert invitation is not None and "/invite/" in invitation.body
        db.session.remove()
