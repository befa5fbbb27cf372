"""The migration chain: upgrade from empty, downgrade to base, and no drift from the models."""

import flask_migrate
import pytest
from alembic import command
from sqlalchemy import inspect

from app.extensions import db
from tests.databases import scratch_app


@pytest.fixture
def empty_app(tmp_path):
    with scratch_app(tmp_path, "migrations", migrate=False) as app, app.app_context():
        yield app
        db.session.remove()


def test_upgrade_from_empty_then_downgrade_to_base_then_check(empty_app):
    flask_migrate.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"user", "value", "rubric", "criterion", "posting", "scorecard", "progress", "audit_event",
            "outbox_message"} <= tables
    command.check(empty_app.extensions["migrate"].migrate.get_config())  # raises on drift

    flask_migrate.downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

    flask_migrate.upgrade()
    assert "progress" in inspect(db.engine).get_table_names()
