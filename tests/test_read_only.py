"""A request that only read ends its transaction with COMMIT (so PostgreSQL keeps the statements psycopg
prepared); one that wrote anything without committing it, or failed, is still rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text

from app.extensions import db
from app.models import AuditEvent, Site
from tests.databases import on_postgres, scratch_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with scratch_app(tmp_path_factory.mktemp("read_only"), "read_only") as app:
        app.config["PROPAGATE_EXCEPTIONS"] = False

        @app.get("/test/read")
        def read():
            return str(db.session.scalar(select(func.count(Site.id))))

        @app.get("/test/flushed-site")
        def flushed_site():
            db.session.add(Site(name="Flushed, never committed"))
            db.session.flush()
            return "flushed"

        @app.get("/test/pending-site")
        def pending_site():
            db.session.scalar(select(func.count(Site.id)))
            db.session.add(Site(name="Added, never flushed"))
            return "pending"

        @app.get("/test/audit-only")
        def audit_only():
            db.session.add(AuditEvent(action="test.uncommitted", entity_type="site"))
            db.session.flush()
            return "audited"

        @app.get("/test/textual-write")
        def textual_write():
            db.session.execute(text("UPDATE site SET city = 'Nowhere'"))
            return "updated"

        @app.get("/test/fails-after-flush")
        def fails_after_flush():
            db.session.add(Site(name="Flushed, then the view failed"))
            db.session.flush()
            raise RuntimeError("the view failed")

        with app.app_context():
            db.session.add(Site(name="Riverside"))
            db.session.commit()
            db.session.remove()
        yield app


@pytest.fixture
def endings(app):
    """The engine's transaction endings during the test, in order ("commit" or "rollback")."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listeners = {"commit": lambda conn: seen.append("commit"), "rollback": lambda conn: seen.append("rollback")}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    yield seen
    for name, listener in listeners.items():
        event.remove(engine, name, listener)


def stored(app, model, **where) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))
        finally:
            db.session.remove()


def test_a_request_that_only_read_commits(app, endings):
    assert app.test_client().get("/test/read").get_data(as_text=True) == "1"
    assert endings == ["commit"]


def test_objects_read_in_an_app_context_keep_their_values_after_it_ends(app, endings):
    """As after the rollback it replaces: the commit does not expire what was loaded, so code that returns
    rows out of an app context (the outbox tests, CLI commands) can still read them."""
    with app.app_context():
        site = db.session.scalars(select(Site)).one()
    assert endings == ["commit"]
    assert site.name == "Riverside"


@pytest.mark.parametrize("path", ["/test/flushed-site", "/test/pending-site", "/test/audit-only",
                                  "/test/textual-write", "/test/fails-after-flush"])
def test_a_request_that_wrote_without_committing_or_failed_is_rolled_back(app, endings, path):
    response = app.test_client().get(path)
    assert response.status_code == (500 if "fails" in path else 200)
    assert "commit" not in endings and "rollback" in endings
    assert stored(app, Site) == 1
    assert stored(app, AuditEvent, action="test.uncommitted") == 0
    assert stored(app, Site, city="Nowhere") == 0


@pytest.mark.skipif(not on_postgres(), reason="prepared statements are PostgreSQL's")
def test_statements_stay_prepared_from_one_request_to_the_next(app):
    client = app.test_client()
    for _ in range(8):  # psycopg prepares a statement a connection has run five times
        client.get("/test/read")
    with app.app_context():
        try:
            prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
        finally:
            db.session.remove()
    assert any("count(site.id)" in statement for statement in prepared), prepared
