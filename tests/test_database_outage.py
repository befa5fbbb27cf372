"""While the database is away every page answers a calm 503, and the app recovers by itself."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.errors import RETRY_AFTER_SECONDS
from app.extensions import db as _db
from app.models import Progress, Role, Site, User
from config import TestingConfig, engine_options
from tests.conftest import PASSWORD
from tests.databases import on_postgres, scratch_app
from tests.helpers import text as page_text


def closed_port() -> int:
    """A loopback port nothing listens on (taken from the OS, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_app(tmp_path):
    """An app whose database cannot be reached: PostgreSQL on a closed port, or SQLite in a missing folder."""
    config = TestingConfig()
    if on_postgres():
        config.SQLALCHEMY_DATABASE_URI = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nowhere"
    else:
        config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'missing' / 'folder' / 'app.db'}"
    config.PROPAGATE_EXCEPTIONS = False  # as in production: an unhandled error would be a bare 500
    app = create_app(config)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def signed_in_client(app, user_id: int = 1):
    """A client whose session cookie names a user, as after a sign-in before the outage."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:some-session-token"
        session["_fresh"] = True
    return client


def assert_calm_503(response) -> str:
    html = page_text(response)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Temporarily unavailable" in html and "cannot reach its database" in html
    assert "Medical Home" in html  # the app's own layout
    assert "Traceback" not in html and "OperationalError" not in html and "psycopg" not in html
    return html


def test_anonymous_page_is_a_calm_503_while_the_database_is_away(unreachable_app):
    response = unreachable_app.test_client().get("/careers")
    html = assert_calm_503(response)
    assert "Sign out" not in html


@pytest.mark.parametrize("path", ["/home", "/onboarding", "/team", "/reports"])
def test_signed_in_page_is_a_calm_503_and_keeps_the_sign_in(unreachable_app, path):
    client = signed_in_client(unreachable_app)
    html = assert_calm_503(client.get(path))
    # The navigation would load the user from the database: the page shows none of it.
    assert "Sign out" not in html and "My onboarding" not in html
    with client.session_transaction() as session:
        assert session["_user_id"] == "1:some-session-token"  # signed in again once the database is back


def test_form_post_is_a_calm_503(unreachable_app):
    client = signed_in_client(unreachable_app)
    assert_calm_503(client.post("/onboarding/modules/1/attest", data={"confirm": "y"}))


def test_json_clients_get_a_503_in_json(unreachable_app):
    response = unreachable_app.test_client().get("/careers", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.get_json()["error"] == "Temporarily unavailable"


def test_healthz_reports_the_database_unreachable(unreachable_app):
    for client in (unreachable_app.test_client(), signed_in_client(unreachable_app)):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
        assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_connection_lost_mid_request_rolls_back_and_answers_503(tmp_path):
    with scratch_app(tmp_path, "outage") as app:
        app.config["PROPAGATE_EXCEPTIONS"] = False

        @app.get("/half-written")
        def half_written():
            _db.session.add(Site(name="Half-written site"))
            _db.session.flush()
            raise OperationalError("INSERT ...", {}, Exception("server closed the connection unexpectedly"))

        with app.app_context():
            assert_calm_503(app.test_client().get("/half-written"))
            assert _db.session.scalar(select(func.count(Site.id)).where(Site.name == "Half-written site")) == 0


def test_a_bad_statement_is_still_a_500_not_a_503(tmp_path):
    with scratch_app(tmp_path, "bad_sql") as app:
        app.config["PROPAGATE_EXCEPTIONS"] = False

        @app.get("/bad-sql")
        def bad_sql():
            _db.session.execute(text("SELECT no_such_column FROM site"))

        with app.app_context():
            response = app.test_client().get("/bad-sql")
        assert response.status_code == 500 and "Something went wrong" in page_text(response)
        assert "Retry-After" not in response.headers


def _sign_in(app, role: Role = Role.STAFF):
    with app.app_context():
        user = User(email="nia@example.org", name="Nia Jackson", role=role)
        user.set_password(PASSWORD)
        _db.session.add(user)
        _db.session.commit()
        _db.session.remove()
    client = app.test_client()
    response = client.post("/login", data={"email": "nia@example.org", "password": PASSWORD})
    assert response.status_code == 302, page_text(response)
    return client


@pytest.mark.skipif(not on_postgres(), reason="terminates PostgreSQL server processes")
def test_app_recovers_by_itself_after_its_connections_are_killed(tmp_path):
    with scratch_app(tmp_path, "recovery") as app:
        app.config["PROPAGATE_EXCEPTIONS"] = False
        client = _sign_in(app)
        assert "Nia Jackson" in page_text(client.get("/onboarding"))  # the pool now holds a connection
        with app.app_context():
            url = _db.engine.url
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                killed = conn.execute(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :name"
                ), {"name": url.database}).scalar()
        finally:
            admin.dispose()
        assert killed >= 1, "the app held no connection to kill"

        response = client.get("/onboarding")  # the pool's ping finds the dead connection and reconnects
        assert response.status_code == 200
        assert "Nia Jackson" in page_text(response)  # still signed in
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.skipif(not on_postgres(), reason="terminates a PostgreSQL server process")
def test_connection_dropped_during_a_request_is_a_503_and_the_next_request_succeeds(tmp_path):
    with scratch_app(tmp_path, "dropped") as app:
        app.config["PROPAGATE_EXCEPTIONS"] = False

        @app.get("/drop-my-connection")
        def drop_my_connection():
            _db.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
            return "not reached"

        client = _sign_in(app)
        html = assert_calm_503(client.get("/drop-my-connection"))
        assert "Sign out" not in html
        response = client.get("/onboarding")
        assert response.status_code == 200 and "Nia Jackson" in page_text(response)


def test_postgres_gets_a_bounded_pool_that_pings_and_sqlite_a_ping(monkeypatch):
    monkeypatch.delenv("DATABASE_POOL_SIZE", raising=False)
    options = engine_options("postgresql+psycopg://app@db/app")
    assert options["pool_pre_ping"] is True
    assert (options["pool_size"], options["max_overflow"], options["pool_timeout"]) == (5, 5, 10)
    assert options["connect_args"] == {"connect_timeout": 5}
    assert engine_options("sqlite:///instance/app.db") == {"pool_pre_ping": True}

    monkeypatch.setenv("DATABASE_POOL_SIZE", "12")
    assert engine_options("postgresql+psycopg://app@db/app")["pool_size"] == 12
    explicit = engine_options("postgresql+psycopg://app@db/app", {"pool_size": 3, "max_overflow": 0})
    assert (explicit["pool_size"], explicit["max_overflow"]) == (3, 0)  # a setting given explicitly wins
    monkeypatch.setenv("DATABASE_POOL_SIZE", "lots")
    with pytest.raises(RuntimeError, match="DATABASE_POOL_SIZE"):
        engine_options("postgresql+psycopg://app@db/app")


def test_app_engine_uses_the_options(app):
    with app.app_context():
        assert _db.engine.pool._pre_ping is True
    assert create_app(TestingConfig).config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_training_export_is_a_503_when_the_database_fails_before_the_first_row(tmp_path, monkeypatch):
    from app.reports import routes

    def unreachable():
        raise OperationalError("SELECT ...", {}, Exception("connection refused"))

    with scratch_app(tmp_path, "export_outage") as app:
        app.config["PROPAGATE_EXCEPTIONS"] = False
        client = _sign_in(app, Role.HR)
        monkeypatch.setattr(routes, "module_values", unreachable)
        response = client.get("/reports/training.csv")
        assert_calm_503(response)  # a clear failure, not a 200 whose file is cut short
        assert response.mimetype == "text/html"


def test_training_export_streams_every_row_when_the_request_has_its_own_app_context(tmp_path):
    # As under gunicorn: no app context outside the request, so it ends when the view returns
    # while the CSV is still being streamed.
    with scratch_app(tmp_path, "export_stream") as app:
        runner = app.test_cli_runner()
        with app.app_context():
            assert runner.invoke(args=["seed"]).exit_code == 0
            done = runner.invoke(args=["demo", "--employees", "12", "--password", PASSWORD])
            assert done.exit_code == 0, done.output
            _db.session.remove()
        client = app.test_client()
        assert client.post("/login", data={"email": "hr@demo.clinic", "password": PASSWORD}).status_code == 302
        response = client.get("/reports/training.csv")
        body = response.get_data(as_text=True)
        with app.app_context():
            expected = _db.session.scalar(select(func.count()).select_from(Progress).join(User, User.id == Progress.employee_id).where(
                User.active, Progress.assignment_id.is_not(None)))
        assert response.status_code == 200 and body.startswith("Employee,")
        assert body.count("\n") == expected + 1, body[-300:]
        assert "newhire@demo.clinic" in body


@pytest.mark.skipif(not on_postgres(), reason="terminates a PostgreSQL server process")
def test_page_rendered_before_the_connection_died_is_still_served(tmp_path):
    # A read-only page leaves its transaction open; the session's rollback at the end of the request
    # then meets the dead connection. That must not turn a finished page into a 500.
    with scratch_app(tmp_path, "teardown") as app:
        app.config["PROPAGATE_EXCEPTIONS"] = False

        @app.get("/read-then-lose-connection")
        def read_then_lose_connection():
            pid = _db.session.scalar(text("SELECT pg_backend_pid()"))
            admin = create_engine(_db.engine.url, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            finally:
                admin.dispose()
            return "rendered"

        client = _sign_in(app)
        response = client.get("/read-then-lose-connection")
        assert response.status_code == 200 and response.get_data(as_text=True) == "rendered"
        response = client.get("/onboarding")
        assert response.status_code == 200 and "Nia Jackson" in page_text(response)
