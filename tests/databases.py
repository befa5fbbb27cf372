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
