"""A new hire's first onboarding: invitation, attest, quiz, sign-off and the manager's approval, in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Module, OutboxMessage, Track, User
from app.onboarding import services
from tests.e2e.conftest import DEMO_PASSWORD, DESKTOP, screenshot
from tests.e2e.test_journeys import ADMIN, invitation_link, sign_in

MANAGER = "manager@demo.clinic"
MANAGER_NAME = "Morgan Lee"
FOUNDATIONS = "pcmh-foundations"
ATTEST_MODULE = "fnd-medical-home-community"
QUIZ_MODULE = "fnd-quality-improvement-pdsa"
SIGN_OFF_MODULE = "fnd-care-team-huddles"


@dataclass(frozen=True)
class Question:
    prompt: str
    choices: list[str]
    answers: list[int]

    @property
    def multiple(self) -> bool:
        return len(self.answers) > 1

    @property
    def wrong(self) -> int:
        return next(i for i in range(len(self.choices)) if i not in self.answers)


@dataclass(frozen=True)
class Foundations:
    name: str
    total: int
    titles: dict[str, str]  # module key -> title
    quiz: list[Question]
    pass_mark: int


def foundations(live_server) -> Foundations:
    """What the content library put in PCMH foundations, read once so the test asserts against it."""
    with live_server.app.app_context():
        track = db.session.scalar(select(Track).where(Track.key == FOUNDATIONS))
        modules = {m.key: m for m in db.session.scalars(
            select(Module).where(Module.key.in_([ATTEST_MODULE, QUIZ_MODULE, SIGN_OFF_MODULE])))}
        quiz = modules[QUIZ_MODULE]
        found = Foundations(
            name=track.name,
            total=len(track.modules),
            titles={key: m.title for key, m in modules.items()},
            quiz=[Question(q.prompt, list(q.choices), list(q.answers)) for q in quiz.quiz_items],
            pass_mark=quiz.pass_mark,
        )
        db.session.remove()
    assert found.quiz and all(len(q.choices) > len(q.answers) for q in found.quiz)
    return found


def assign_on_hire(live_server, email: str) -> None:
    """What the hiring step will do once there is a button for it."""
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        services.assign_on_hire(user, actor=None, today=date.today())
        db.session.commit()
        db.session.remove()


@contextmanager
def fresh_page(browser: Browser, live_server) -> Iterator[Page]:
    """Another person at another computer: a new profile, no cookies, desktop size."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def percent(done: int, total: int) -> int:
    return round(100 * done / total)  # the template's Jinja round: the same half-to-even rounding


def open_my_onboarding(page: Page) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My onboarding").click()
    expect(page.get_by_role("heading", name="My onboarding", level=1)).to_be_visible()


def expect_progress(page: Page, track: str, done: int, total: int, *, above: int = -1) -> int:
    """The track card's progress bar and text on My onboarding; returns the percentage shown."""
    card = page.get_by_role("region", name=track)
    shown = percent(done, total)
    expect(card.get_by_text(f"{shown}% ({done} of {total})", exact=True)).to_be_visible()
    expect(card.get_by_role("progressbar", name=f"{track} progress")).to_have_attribute("value", str(shown))
    assert shown > above, f"{track} progress stayed at {shown}% (was {above}%)"
    return shown


def open_module(page: Page, track: str, title: str) -> None:
    """From My onboarding: open the track's list of modules and follow the module's link."""
    card = page.get_by_role("region", name=track)
    card.get_by_text(re.compile(r"^All \d+ modules$")).click()
    card.get_by_role("listitem").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def answer_quiz(page: Page, questions: list[Question], picks: list[list[int]]) -> None:
    """Tick exactly the given choices for each question: radios for one answer, checkboxes for several."""
    groups = page.get_by_role("group")
    expect(groups).to_have_count(len(questions))
    for number, (question, chosen) in enumerate(zip(questions, picks, strict=True)):
        group = groups.nth(number)
        kind = "checkbox" if question.multiple else "radio"
        for index, choice in enumerate(question.choices):
            box = group.get_by_role(kind, name=choice, exact=True)
            if index in chosen:
                box.check()
            elif question.multiple:
                box.uncheck()
    page.get_by_role("button", name="Submit answers").click()


def test_new_hire_accepts_invite_completes_training_and_manager_signs_off(page: Page, browser, live_server):
    name, email = "Rosa Delgado", "rosa.delgado@demo.clinic"
    password = "a quiet morning huddle"
    track = foundations(live_server)
    attest_title, quiz_title, sign_off_title = (
        track.titles[ATTEST_MODULE], track.titles[QUIZ_MODULE], track.titles[SIGN_OFF_MODULE])

    # 1. The admin invites a medical assistant who reports to Morgan Lee and starts today.
    sign_in(page, ADMIN, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Hello, Avery Admin")).to_be_visible()
    page.goto("/admin/users/new")
    expect(page.get_by_role("heading", name="Invite a user")).to_be_visible()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("App role").select_option(label="Staff")
    page.get_by_label("Role family").select_option(label="Medical assistant")
    page.get_by_label("Manager").select_option(label=f"{MANAGER_NAME} ({MANAGER})")
    page.get_by_label("Start date").fill(date.today().isoformat())
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_have_text(f"Invitation sent to {email}.")
    expect(page.get_by_role("heading", name=name)).to_be_visible()

    assign_on_hire(live_server, email)
    link = invitation_link(live_server, email)

    with fresh_page(browser, live_server) as hire:
        # 2. The new hire sets a password and finds the plan waiting, nothing done yet.
        hire.goto(link)
        expect(hire.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
        hire.get_by_label("New password").fill(password)
        hire.get_by_label("Repeat the password").fill(password)
        hire.get_by_role("button", name="Set password and sign in").click()
        expect(hire.get_by_role("heading", name=f"Hello, {name}")).to_be_visible()

        open_my_onboarding(hire)
        # Both tracks a medical assistant gets on hire, and the credentials HR verifies for the role
        # (BLS, CLIA competency), every one untouched.
        progress_texts = hire.locator("main section.card .progress-line > span")
        expect(progress_texts).to_have_count(3)
        expect(hire.get_by_role("region", name="Credentials for verification")).to_contain_text("0% (0 of")
        expect(progress_texts.first).to_have_text(re.compile(r"^0% \(0 of \d+\)$"))
        expect(hire.get_by_role("region", name="Medical assistant onboarding")).to_contain_text("0% (0 of")
        shown = expect_progress(hire, track.name, 0, track.total)
        screenshot(hire, "onboarding-my-onboarding")

        # 3. Read and confirm: the attest module.
        open_module(hire, track.name, attest_title)
        expect(hire.get_by_role("heading", name="Confirm you have read it")).to_be_visible()
        screenshot(hire, "onboarding-attest-module")
        hire.get_by_label("I have read this module and will apply it in my work.").check()
        hire.get_by_role("button", name="Confirm and complete").click()
        expect(hire.get_by_role("status").filter(has_text=f"{attest_title} is complete.")).to_be_visible()
        expect(hire.get_by_text("You confirmed this module.")).to_be_visible()
        open_my_onboarding(hire)
        shown = expect_progress(hire, track.name, 1, track.total, above=shown)

        # 4. The quiz: a wrong attempt first, then the right answers.
        open_module(hire, track.name, quiz_title)
        expect(hire.get_by_role("heading", name=f"Quiz · pass mark {track.pass_mark}%")).to_be_visible()
        answer_quiz(hire, track.quiz, [[q.wrong] for q in track.quiz])
        result = hire.get_by_role("status").filter(has_text="You scored")
        expect(result).to_have_text(
            f"You scored 0%. The pass mark is {track.pass_mark}%. "
            "Review the lesson and try again; your best score is kept.")
        expect(hire.get_by_text("Not quite.")).to_have_count(len(track.quiz))
        screenshot(hire, "onboarding-quiz-failed")

        answer_quiz(hire, track.quiz, [q.answers for q in track.quiz])
        expect(hire.get_by_role("status").filter(has_text="You scored")).to_have_text("You scored 100%. You passed.")
        expect(hire.get_by_text("Correct.")).to_have_count(len(track.quiz))
        open_my_onboarding(hire)
        shown = expect_progress(hire, track.name, 2, track.total, above=shown)

        # 5. The observed skill: ask the manager for sign-off.
        open_module(hire, track.name, sign_off_title)
        action = hire.get_by_role("region", name="Observed by your manager")
        action.get_by_role("button", name="I'm ready: ask for sign-off").click()
        expect(hire.get_by_role("status")).to_have_text("Your manager has been asked to sign this off.")
        expect(action.get_by_text("Waiting for sign-off")).to_be_visible()
        with live_server.app.app_context():
            asked = db.session.scalar(select(OutboxMessage).where(
                OutboxMessage.recipient == MANAGER, OutboxMessage.subject == f"{name} asks for your sign-off"))
            assert asked is not None and sign_off_title in asked.body
            db.session.remove()

        # 6. The manager approves from the sign-off queue.
        with fresh_page(browser, live_server) as manager:
            sign_in(manager, MANAGER, DEMO_PASSWORD)
            expect(manager.get_by_role("heading", name=f"Hello, {MANAGER_NAME}")).to_be_visible()
            manager.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Sign-offs").click()
            expect(manager.get_by_role("heading", name="Sign-off queue")).to_be_visible()
            request = manager.get_by_role("region", name=f"{name}: {sign_off_title}")
            expect(request).to_be_visible()
            screenshot(manager, "onboarding-sign-off-queue")
            request.get_by_role("button", name="Approve sign-off").click()
            expect(manager.get_by_role("status")).to_have_text(f"Signed off {sign_off_title} for {name}.")
            expect(request).to_have_count(0)

        open_my_onboarding(hire)
        expect_progress(hire, track.name, 3, track.total, above=shown)
        open_module(hire, track.name, sign_off_title)
        expect(hire.get_by_role("region", name="Observed by your manager")).to_contain_text(
            f"Signed off by {MANAGER_NAME} on")

        open_my_onboarding(hire)
        hire.get_by_role("link", name="My transcript").click()
        expect(hire.get_by_role("heading", name="Training transcript")).to_be_visible()
        rows = hire.get_by_role("row").filter(has=hire.get_by_role("cell"))
        expect(rows).to_have_count(3)
        for title in (attest_title, quiz_title, sign_off_title):
            expect(rows.filter(has_text=title)).to_have_count(1)
        expect(rows.filter(has_text=quiz_title).get_by_role("cell").nth(4)).to_have_text("100%")
        expect(rows.filter(has_text=sign_off_title).get_by_role("cell").nth(5)).to_have_text(MANAGER_NAME)
        screenshot(hire, "onboarding-transcript")
