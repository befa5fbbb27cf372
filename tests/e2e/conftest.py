"""Browser tests: the real app on a live server with its own database, driven by Debian's Chromium.

Chromium comes from the system (`apt-get install -y chromium`); Playwright never downloads one.
Without it the browser tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

SKIP_MESSAGE = "Browser tests need Debian's Chromium: apt-get install -y chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
DEMO_PASSWORD = "medical-home-demo"
DEMO_EMPLOYEES = 30
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _find_chromium() -> str | None:
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = _find_chromium()
ON_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session", autouse=True)
def _chromium_is_installed():
    """Runs before every other fixture of the browser tests, so nothing is built without a browser."""
    if CHROMIUM is None:
        if ON_CI:
            pytest.fail(f"CI=true and Chromium is missing. {SKIP_MESSAGE}", pytrace=False)
        pytest.skip(SKIP_MESSAGE)


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app served over HTTP from a thread, on its own database with the content library and demo data."""
    import flask_migrate
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):  # one line per request drowns a failure's report
            pass

    from app import create_app
    from app.content.library import read_library
    from app.content.services import apply_library
    from app.demo import build_demo
    from app.extensions import db
    from config import TestingConfig
    from tests.databases import scratch_database

    with scratch_database(tmp_path_factory.mktemp("e2e"), "e2e") as url:
        cfg = TestingConfig()
        cfg.SQLALCHEMY_DATABASE_URI = url
        cfg.WTF_CSRF_ENABLED = True  # browsers post real forms: CSRF stays on
        app = create_app(cfg)
        with app.app_context():
            flask_migrate.upgrade()
            apply_library(read_library(app.config["SEEDS_DIR"]))
            db.session.commit()
            build_demo(DEMO_EMPLOYEES, DEMO_PASSWORD)
            db.session.commit()
            db.session.remove()

        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()  # before scratch_database drops a PostgreSQL database


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser profile (no cookies) at the desktop size; the login rate limit starts from zero."""
    from app.extensions import limiter

    limiter.reset()
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def screenshot(page, name: str) -> list[Path]:
    """Save <name>-desktop.png (1280x900) and <name>-phone.png (390x844), whole pages, then restore the desktop size."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    saved = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    page.set_viewport_size(DESKTOP)
    return saved


@pytest.fixture
def shoot(page):
    """shoot("login") saves the current page at desktop and phone sizes."""

    def take(name: str) -> list[Path]:
        return screenshot(page, name)

    return take
