"""Fixtures: one app and schema per run, a rolled-back transaction per test, signed-in clients."""

from __future__ import annotations

import os
import re

import flask_migrate
import pytest
from aiosmtpd.controller import Controller
from flask import g, request_started
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event, text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.audit import acting_as
from app.extensions import db as _db
from app.extensions import limiter
from app.models import Role
from config import TestingConfig
from tests import factories
from tests.databases import on_postgres
from tests.helpers import Inbox, free_port

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    if not os.environ.get("TEST_DATABASE_URL"):
        # A file rather than memory, so every connection sees the same database.
        os.environ["TEST_DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(TestingConfig)
    app.config["CREDENTIAL_SCAN_DIR"] = str(tmp_path_factory.mktemp("credential-scans"))  # never the instance folder

    @request_started.connect_via(app)
    def _forget_the_last_requests_user(sender, **extra):
        # Tests run inside one app context, which every test-client request shares, so `g` outlives a
        # request; in production each request has its own. Forget the signed-in user as a new request would.
        g.pop("_login_user", None)

    with app.app_context():
        engine = _db.engine
        engine.dispose()
        if engine.dialect.name == "sqlite":
            # Let pysqlite honor SAVEPOINTs so each test can be rolled back.
            @event.listens_for(engine, "connect")
            def _no_implicit_transactions(dbapi_connection, record):
                dbapi_connection.isolation_level = None

            @event.listens_for(engine, "begin")
            def _begin(connection):
                connection.exec_driver_sql("BEGIN")

        if on_postgres():
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """A fresh app context and a session inside a transaction that is rolled back after the test."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original = _db.session
        # A plain Session: Flask-SQLAlchemy's own picks the engine by table and would skip the connection.
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        _db.session = scoped_session(factory, scopefunc=_app_ctx_id)
        limiter.reset()
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def make_user(db):
    """Create a user with a known password: make_user(Role.HR, manager=..., ...)."""

    def make(role: Role = Role.STAFF, **fields):
        with acting_as(db.session, None):
            user = factories.UserFactory(role=role, **fields)
            user.set_password(fields.pop("password", PASSWORD))
            db.session.flush()
        return user

    return make


class Auth:
    """Sign a test client in and out."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = PASSWORD, **extra):
        return self.client.post("/login", data={"email": user.email, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login_as(client, make_user, auth):
    """Sign the client in as a new user with the given role and return the user."""

    def login(role: Role = Role.STAFF, **fields):
        user = make_user(role, **fields)
        response = auth.login(user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def csrf_token(response) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)) or \
        re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def count_queries(db):
    """Count SQL statements run inside a `with count_queries() as counter:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def smtp_config(app):
    """Point MAIL_* at a port on loopback for one test; restored afterwards."""
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}

    def point_at(port: int):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)

    yield point_at
    app.config.update(saved)


@pytest.fixture
def smtp_server():
    """start() a real SMTP server on loopback; it is stopped cleanly after the test."""
    started = []

    def start(port: int | None = None) -> tuple[Inbox, Controller]:
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
        controller.start()
        started.append(controller)
        return inbox, controller

    yield start
    for controller in started:
        try:
            controller.stop()
        except AssertionError:  # the test stopped it already
            pass


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider on loopback (tests/oidc_provider.py), for the whole run."""
    from tests.oidc_provider import Provider

    provider = Provider(redirect_uri="http://localhost/login/oidc/callback").start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_on(app, oidc_provider):
    """Sign-in with the loopback provider turned on for one test (password sign-in kept for admins)."""
    from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET

    keys = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_CREATE_USERS", "PASSWORD_LOGIN")
    saved = {key: app.config[key] for key in keys}
    app.config.update(OIDC_ISSUER=oidc_provider.issuer, OIDC_CLIENT_ID=CLIENT_ID, OIDC_CLIENT_SECRET=CLIENT_SECRET,
                      OIDC_CREATE_USERS=False, PASSWORD_LOGIN="admins")
    oidc_provider.person, oidc_provider.nonce_override, oidc_provider.claims_override = {}, None, {}
    oidc_provider.forge = False
    yield oidc_provider
    app.config.update(saved)


@pytest.fixture
def webhook_receiver():
    """A real HTTP server on loopback that records the webhook deliveries it receives."""
    from tests.webhook_receiver import Receiver

    receiver = Receiver().start()
    yield receiver
    receiver.stop()
