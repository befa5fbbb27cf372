"""Throwaway databases for tests that need their own (migrations, the browser's live server)."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from config import database_url


def test_database_url() -> str:
    return database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")


def on_postgres() -> bool:
    return test_database_url().startswith("postgresql")


@contextmanager
def scratch_database(tmp_path: Path, purpose: str):
    """A new empty database beside the test database, dropped afterwards."""
    if not on_postgres():
        yield f"sqlite:///{tmp_path / (purpose + '.db')}"
        return
    base = make_url(test_database_url())
    name = f"{base.database}_{purpose}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
            ), {"name": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@contextmanager
def scratch_app(tmp_path: Path, purpose: str, *, migrate: bool = True, pool_size: int | None = None, **settings):
    """An app on its own empty database (migrated unless told not to), disposed of afterwards.

    pool_size gives concurrency tests a connection per thread, so threads wait on row locks
    rather than on the pool."""
    import flask_migrate

    from app import create_app
    from app.extensions import db
    from config import TestingConfig

    with scratch_database(tmp_path, purpose) as url:
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = database_url(url)
        if pool_size:
            config.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": pool_size, "max_overflow": 0}
        for name, value in settings.items():
            setattr(config, name, value)
        app = create_app(config)
        try:
            if migrate:
                with app.app_context():
                    flask_migrate.upgrade()
                    db.session.remove()
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def run_together(app, count: int, work, *, timeout: float = 120) -> tuple[list, list[Exception]]:
    """Run work(index, start) in count threads, each in its own app context and session.

    work loads what it needs, calls start() to wait until every thread is ready, then acts and
    commits; its return value is collected. Returns (results, errors)."""
    import threading

    from app.extensions import db

    barrier = threading.Barrier(count)
    results: list = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        with app.app_context():
            try:
                result = work(index, lambda: barrier.wait(timeout=30))
                with lock:
                    results.append(result)
            except Exception as error:  # every failure is returned to the test
                db.session.rollback()
                with lock:
                    errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting"
    return results, errors
