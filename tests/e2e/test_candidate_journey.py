"""The candidate's side of hiring, in a browser: HR schedules an interview and the candidate's calendar
invitation arrives at a real SMTP server on loopback; HR writes an offer, an admin approves it, HR sends it and
the letter arrives too; the candidate accepts through its link, and HR hires with the start date the offer set."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Application, Stage, User
from tests.e2e.conftest import DEMO_PASSWORD, screenshot
from tests.e2e.test_hiring_journey import HR, HR_NAME, flash, steady
from tests.e2e.test_journeys import sign_in
from tests.e2e.test_onboarding_journey import MANAGER_NAME, fresh_page

ADMIN = "admin@demo.clinic"
PAY = "23.40"


def an_interview_stage_application(live_server) -> tuple[int, str, str]:
    """A demo application at the interview stage whose e-mail no account uses: (id, name, e-mail)."""
    with live_server.app.app_context():
        accounts = select(User.email)
        application = db.session.scalars(select(Application).where(
            Application.stage == Stage.INTERVIEW, Application.email.not_in(accounts),
            Application.archived_at.is_(None)).order_by(Application.id.desc())).first()
        found = (application.id, application.name, application.email)
        db.session.remove()
    return found


def wait_for(inbox, subject_start: str, count: int = 1):
    """The messages whose subject starts so, once count of them have arrived (SMTP runs in its own thread)."""
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [(to, m) for to, m in inbox.messages if str(m["Subject"]).strip().startswith(subject_start)]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no e-mail {subject_start!r} arrived; got {[m['Subject'] for _, m in inbox.messages]}")


@pytest.fixture
def mail_to_loopback(live_server, smtp_server, monkeypatch):
    """The live server sends its e-mail to a real SMTP server on loopback, with links to itself."""
    inbox, controller = smtp_server()
    monkeypatch.setitem(live_server.app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(live_server.app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(live_server.app.config, "BASE_URL", live_server.url)
    return inbox


def calendar_of(message) -> Calendar:
    (part,) = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content())


def test_hr_schedules_an_interview_sends_an_approved_offer_the_candidate_accepts_and_hr_hires(
        page: Page, browser, live_server, mail_to_loopback):
    inbox = mail_to_loopback
    application_id, name, email = an_interview_stage_application(live_server)
    start, expires = date.today() + timedelta(days=21), date.today() + timedelta(days=7)
    steady(page)

    # 1. HR schedules an interview with a panel of one; the candidate's invitation arrives over SMTP.
    sign_in(page, HR, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name=f"Hello, {HR_NAME}")).to_be_visible()
    page.goto(f"/hiring/applications/{application_id}")
    page.get_by_role("region", name="Interview schedule").get_by_role("link", name="Schedule an interview").click()
    expect(page.get_by_role("heading", name=f"Schedule an interview with {name}", level=1)).to_be_visible()
    interview_day = date.today() + timedelta(days=5)
    page.get_by_label("Date", exact=True).fill(interview_day.isoformat())
    page.get_by_label("Start time").fill("10:30")
    page.get_by_label("Length (minutes)").fill("45")
    page.get_by_label("Place").fill("Riverside Family Health, conference room 2")
    page.get_by_label(MANAGER_NAME, exact=True).check()
    page.get_by_role("button", name="Schedule interview").click()
    flash(page, f"Interview with {name} scheduled; the invitations are on their way.")
    schedule = page.get_by_role("region", name="Interview schedule")
    expect(schedule).to_contain_text("conference room 2")
    expect(schedule).to_contain_text(f"Panel: {MANAGER_NAME}")
    ((recipients, invitation),) = wait_for(inbox, "Interview invitation:")
    assert recipients == [email]
    event = calendar_of(invitation)
    assert str(event["METHOD"]) == "REQUEST"
    (vevent,) = event.walk("VEVENT")
    assert vevent.decoded("DTSTART").date() == interview_day
    attendees = vevent.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert f"mailto:{email}".lower() in [str(a).lower() for a in attendees]
    screenshot(page, "journey-interview-scheduled")

    # 2. HR writes the offer from the application page.
    offer_section = page.get_by_role("region", name="Offer")
    expect(offer_section).to_contain_text("No offer yet.")
    offer_section.get_by_role("link", name="Make an offer").click()
    expect(page.get_by_role("heading", name=f"Make an offer to {name}", level=1)).to_be_visible()
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Offer expires on").fill(expires.isoformat())
    page.get_by_label("Pay (US dollars)").fill(PAY)
    page.get_by_label("Pay period").select_option(label="Per hour")
    page.get_by_label("Employment type").select_option(label="Full time")
    page.get_by_role("button", name="Save this offer").click()
    flash(page, f"Version 1 of the offer to {name} is saved. It needs approval by another HR user or an admin")
    expect(page.get_by_text("You wrote this offer, so another HR user or an admin must approve it")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Send the offer"))).to_have_count(0)
    letter = page.get_by_role("region", name="The letter as it will be sent")
    expect(letter).to_contain_text(f"Dear {name},")
    expect(letter).to_contain_text(f"Pay: ${PAY} an hour")
    offer_url = page.url
    screenshot(page, "offer-awaiting-approval")

    # 3. An admin approves it: the author never can.
    with fresh_page(browser, live_server) as admin:
        sign_in(steady(admin), ADMIN, DEMO_PASSWORD)
        admin.goto(offer_url)
        admin.get_by_role("button", name="Approve version 1").click()
        flash(admin, "Version 1 of the offer is approved; it can be sent.")

    # 4. HR sends it; the application moves to the offer stage and the letter goes out over SMTP.
    page.reload()
    page.get_by_role("button", name=f"Send the offer to {name}").click()
    flash(page, f"The offer letter is on its way to {name}, with a link to accept or decline it.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sent, awaiting the answer")
    ((recipients, message),) = wait_for(inbox, "Your offer:")
    assert recipients == [email]
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Dear {name}," in plain and f"<p>Dear {name},</p>" in html
    (link,) = re.findall(r"https?://\S+/careers/offer/\S+", plain)
    assert link.startswith(live_server.url) and f'href="{link}"' in html

    # 5. The candidate, with no account, opens the link and accepts.
    with fresh_page(browser, live_server) as candidate:
        steady(candidate)
        candidate.goto(link)
        expect(candidate.get_by_role("heading", level=1)).to_contain_text("Your offer:")
        expect(candidate.get_by_text(f"Dear {name},")).to_be_visible()
        screenshot(candidate, "offer-candidate")
        candidate.get_by_role("button", name="Accept this offer").click()
        expect(candidate.get_by_role("heading", name="Thank you: you accepted the offer")).to_be_visible()
        candidate.goto(link)  # it works once
        expect(candidate.get_by_role("heading", name="This link has already been used")).to_be_visible()

    # 6. HR sees the acceptance on the application page and hires with the offer's start date filled in.
    page.goto(f"/hiring/applications/{application_id}")
    expect(page.get_by_role("heading", name=name, level=1)).to_contain_text("Offer")
    accepted = page.get_by_role("region", name="Offer").get_by_role("status")
    expect(accepted).to_contain_text(f"{name} accepted version 1")
    expect(accepted).to_contain_text(f"to start on {start:%b %-d, %Y}")
    screenshot(page, "offer-accepted-application")
    accepted.get_by_role("link", name=f"Hire {name}").click()
    expect(page.get_by_role("heading", name=f"Hire {name}", level=1)).to_be_visible()
    expect(page.get_by_label("Start date")).to_have_value(start.isoformat())
    page.get_by_role("button", name="Hire and start onboarding").click()
    flash(page, f"{name} is hired.")
    with live_server.app.app_context():
        hired = db.session.get(Application, application_id)
        assert hired.stage is Stage.HIRED
        assert db.session.get(User, hired.hired_user_id).start_date == start
        db.session.remove()
