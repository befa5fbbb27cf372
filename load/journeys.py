"""The three journeys a simulated person walks: new hire, manager and HR.

Each journey signs in with the CSRF token like a browser, reads the links and forms from the pages it
gets, and reports every completion it saw succeed to the recorder, so the run can check afterwards
that each one is in the database exactly once.
"""

from __future__ import annotations

import queue
import random
import re
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

from client import Browser, JourneyStopped, Page

DOUBLE_SUBMIT_SHARE = 0.2  # attestations sent twice at once, as a double-click from two tabs


@dataclass
class Accounts:
    """Accounts handed out one journey at a time, so two simulated people never share a sign-in
    (HR's two accounts are shared: their journey only reads)."""

    password: str
    new_hires: queue.Queue = field(default_factory=queue.Queue)
    managers: queue.Queue = field(default_factory=queue.Queue)
    hr: list[str] = field(default_factory=list)
    quiz_answers: dict[int, dict[int, list[int]]] = field(default_factory=dict)  # module -> item -> answers
    finished: set[str] = field(default_factory=set)  # new hires with nothing left to complete
    lock: threading.Lock = field(default_factory=threading.Lock)


MODULE_ROW = re.compile(
    r'<li class="list-group-item[^"]*">\s*<span class="me-auto"><a href="/onboarding/modules/(\d+)">.*?</a>\s*'
    r'<span class="small text-muted d-block">([a-z-]+) ·.*?</span></span>(.*?)</li>', re.S)


def open_modules(page: Page) -> list[int]:
    """Modules on My onboarding that this person completes alone (attest or quiz) and has not yet."""
    found = []
    for module_id, method, badge in MODULE_ROW.findall(page.body):
        if method in ("attest", "quiz") and "Complete" not in badge:
            found.append(int(module_id))
    return sorted(set(found))


def new_hire(browser: Browser, accounts: Accounts, rng: random.Random) -> None:
    """Sign in, My onboarding, open a module, complete it by attestation or quiz."""
    email = accounts.new_hires.get(timeout=30)
    keep = True
    try:
        browser.sign_in(email, accounts.password)
        plan = browser.need(browser.get("my onboarding", "/onboarding"), "My onboarding")
        modules = open_modules(plan)
        if not modules:
            keep = False
            with accounts.lock:
                accounts.finished.add(email)
            return
        module_id = rng.choice(modules[:3])  # one of the next few, as people do
        path = f"/onboarding/modules/{module_id}"
        page = browser.need(browser.get("module", path), "module page")
        if "/attest" in page.body and 'name="confirm"' in page.body:
            _attest(browser, accounts, email, module_id, page, rng)
        elif "/quiz" in page.body and 'name="items"' in page.body:
            _quiz(browser, accounts, email, module_id, page)
    finally:
        if keep:
            accounts.new_hires.put(email)


def _attest(browser: Browser, accounts: Accounts, email: str, module_id: int, page: Page, rng) -> None:
    form = {"csrf_token": page.csrf_token(), "confirm": "y"}
    path = f"/onboarding/modules/{module_id}"
    key = ("module", email, module_id)
    if rng.random() >= DOUBLE_SUBMIT_SHARE:
        sent = browser.need(browser.post("complete", path + "/attest", form), "attest")
        after = browser.follow("module (after)", sent, path)  # the flash is in the cookie: any page shows it
        if any("is complete." in message for message in after.flashes()):
            browser.recorder.completed(key)
        return
    if browser.before_request:  # one pause (which may end the journey), then both tabs submit at once
        browser.before_request()
    tabs = [browser, browser.fork()]
    results: list[Page | None] = [None, None]

    def submit(index: int) -> None:
        tab = tabs[index]
        sent = tab.request("complete (double)", "POST", path + "/attest", form, pause=False)
        results[index] = tab.follow("module (after)", sent, path) if sent.ok else None

    threads = [threading.Thread(target=submit, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    tabs[1].close()
    seen = sum(1 for result in results if result is not None and any("is complete." in m for m in result.flashes()))
    for _ in range(seen):
        browser.recorder.completed(key)
    with browser.recorder.lock:
        browser.recorder.double_submits.append((key, seen))


def _quiz(browser: Browser, accounts: Accounts, email: str, module_id: int, page: Page) -> None:
    items = [int(item) for item in re.findall(r'name="items" value="(\d+)"', page.body)]
    answers = accounts.quiz_answers.get(module_id, {})
    form: list[tuple[str, str]] = [("csrf_token", page.csrf_token() or "")]
    for item in items:
        form.append(("items", str(item)))
        form += [(f"item-{item}", str(choice)) for choice in answers.get(item, [0])]
    result = browser.need(browser.post("complete", f"/onboarding/modules/{module_id}/quiz", form), "quiz")
    if "You passed." in result.body:
        browser.recorder.completed(("module", email, module_id))


def manager(browser: Browser, accounts: Accounts, rng: random.Random) -> None:
    """Sign in, /team, a filter, one person's page, approve a pending sign-off if there is one."""
    email = accounts.managers.get(timeout=30)
    try:
        browser.sign_in(email, accounts.password)
        team = browser.need(browser.get("team", "/team"), "team")
        show = rng.choice(["overdue", "due-soon", "on-track"])
        filtered = browser.need(browser.get("team filtered", f"/team?show={show}&sort=percent"), "team filter")
        people = re.findall(r'href="/team/people/(\d+)"', filtered.body) or re.findall(r'href="/team/people/(\d+)"',
                                                                                       team.body)
        if people:
            browser.need(browser.get("person", f"/team/people/{rng.choice(people)}"), "person")
        pending = re.findall(r'action="/onboarding/sign-offs/(\d+)/approve"', team.body)
        if pending:
            progress_id = int(rng.choice(pending))
            sent = browser.need(browser.post("approve sign-off", f"/onboarding/sign-offs/{progress_id}/approve",
                                             {"csrf_token": team.csrf_token(), "next": "/team"}), "approve")
            after = browser.follow("team (after)", sent, "/team")
            if any(message.startswith("Signed off ") for message in after.flashes()):
                browser.recorder.completed(("progress", progress_id))
    finally:
        accounts.managers.put(email)


def hr(browser: Browser, accounts: Accounts, rng: random.Random) -> None:
    """Sign in, /reports, a site's recent hires, and their training export."""
    browser.sign_in(rng.choice(accounts.hr), accounts.password)
    report = browser.need(browser.get("reports", "/reports"), "reports")
    sites = re.findall(r'<option value="(\d+)"', report.body)
    site = rng.choice(sites) if sites else ""
    since = (date.today() - timedelta(days=rng.choice([30, 60, 90]))).isoformat()
    query = f"site={site}&from={since}" if site else f"from={since}"
    browser.need(browser.get("reports filtered", f"/reports?{query}"), "filtered report")
    export = browser.get("training.csv", f"/reports/training.csv?{query}")
    browser.need(export, "export")
    if not export.body.startswith(("Employee,", "\ufeffEmployee,")):
        raise JourneyStopped("the export did not start with its header row")


JOURNEYS = {"new hire": new_hire, "manager": manager, "HR": hr}
