"""Journeys through the real app in Chromium, checked by what a person sees on the page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, User
from tests.e2e.conftest import DEMO_PASSWORD

ADMIN = "admin@demo.clinic"
INVITE_LINK = re.compile(r"https?://\S+/invite/\S+")


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    # At desktop width the menu is the visible navbar; on phones it sits inside a <details> "Menu".
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")


def invitation_link(live_server, email: str) -> str:
    """The set-password link from the invitation in the outbox, pointed at the live server."""
    with live_server.app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"no invitation e-mail was queued for {email}"
        body = message.body
        db.session.remove()
    match = INVITE_LINK.search(body)
    assert match, f"no /invite/ link in the e-mail:\n{body}"
    parts = urlsplit(match.group(0).rstrip(".,)"))
    return f"{live_server.url}{parts.path}"


def test_admin_invites_a_user_who_sets_a_password_and_signs_in(page: Page, live_server, shoot):
    name, email = "Lena Ortiz", "lena.ortiz@demo.clinic"
    password = "a long walk to the clinic"

    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shoot("login")
    sign_in(page, ADMIN, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Hello, Avery Admin")).to_be_visible()

    open_menu(page, "Admin")
    page.get_by_role("link", name="Users", exact=True).click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    # Other journeys add people to the shared demo before this one, so only the first row is certain.
    expect(page.get_by_role("cell", name="admin@demo.clinic")).to_be_visible()
    shoot("users")

    page.get_by_role("link", name="Invite a user").click()
    expect(page.get_by_role("heading", name="Invite a user")).to_be_visible()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("App role").select_option(label="Staff")
    page.get_by_label("Role family").select_option(label="Community health worker / care coordinator")
    shoot("invite-form")
    page.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_role("status")).to_have_text(f"Invitation sent to {email}.")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("Invitation not yet accepted")).to_be_visible()

    link = invitation_link(live_server, email)
    sign_out(page)

    page.goto(link)
    expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    shoot("set-password")
    page.get_by_label("New password").fill(password)
    page.get_by_label("Repeat the password").fill(password)
    page.get_by_role("button", name="Set password and sign in").click()

    expect(page.get_by_role("heading", name=f"Hello, {name}")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(f"Welcome, {name}. Your password is set.")
    expect(page.get_by_role("navigation", name="Main navigation").get_by_text(name, exact=True).filter(visible=True)).to_be_visible()
    shoot("home")

    page.get_by_role("link", name="PCMH values").click()
    expect(page.get_by_role("heading", name="Our medical-home values")).to_be_visible()
    cards = page.locator(".value-card")
    expect(cards).to_have_count(9)
    for value in ("Engaged Leadership", "Empanelment", "Care Coordination", "Community Health"):
        expect(page.get_by_role("heading", name=value, exact=True)).to_be_visible()
    shoot("values")

    page.get_by_role("link", name="Care Coordination", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/content/values/care-coordination")
    expect(page.get_by_role("heading", name="Care Coordination", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="In hiring: rubric criteria")).to_be_visible()
    shoot("value-care-coordination")

    # The invitation and the new person's first sign-in are in the audit log.
    sign_out(page)
    sign_in(page, ADMIN, DEMO_PASSWORD)
    open_menu(page, "Admin")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    invited = page.get_by_role("row").filter(has_text="user.invited").filter(has_text=email)
    expect(invited).to_have_count(1)
    expect(invited.get_by_role("cell").nth(1)).to_have_text(ADMIN)
    shoot("audit")

    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and user.has_password and user.active
        db.session.remove()


def test_admin_deactivates_a_user_after_confirming(page: Page, live_server):
    staff_email = "staff4@demo.clinic"
    sign_in(page, ADMIN, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Hello, Avery Admin")).to_be_visible()

    open_menu(page, "Admin")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_label("Name or e-mail").fill(staff_email)
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row").filter(has_text=staff_email)
    expect(row).to_have_count(1)
    staff_name = row.get_by_role("link").inner_text().strip()
    row.get_by_role("link", name=staff_name).click()

    expect(page.get_by_role("heading", name=staff_name, level=1)).to_be_visible()
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    page.get_by_role("link", name="Deactivate…").click()

    expect(page.get_by_role("heading", name=f"Deactivate {staff_name}?")).to_be_visible()
    expect(page.get_by_text("They will be signed out and unable to sign in.")).to_be_visible()
    page.get_by_role("button", name="Deactivate", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(f"{staff_name} is deactivated")
    expect(page.get_by_text("Deactivated", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()

    sign_out(page)
    sign_in(page, staff_email, DEMO_PASSWORD)
    expect(page.get_by_role("alert")).to_have_text("That e-mail and password do not match an active account.")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def open_menu(page, label: str) -> None:
    """Open a grouped navigation menu (a <details> disclosure) on the desktop layout."""
    page.locator(".d-lg-flex details > summary", has_text=label).click()
