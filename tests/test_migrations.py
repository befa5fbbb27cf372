"""The migration chain: upgrade from empty, downgrade to base, and no drift from the models."""

import flask_migrate
import pytest
from alembic import command
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.databases import scratch_database


@pytest.fixture
def scratch_app(tmp_path):
    with scratch_database(tmp_path, "migrations") as url:
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = url
        app = create_app(config)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def test_upgrade_from_empty_then_downgrade_to_base_then_check(scratch_app):
    flask_migrate.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"user", "value", "rubric", "criterion", "posting", "scorecard", "progress", "audit_event",
            "outbox_message"} <= tables
    command.check(scratch_app.extensions["migrate"].migrate.get_config())  # raises on drift

    flask_migrate.downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

    flask_migrate.upgrade()
    assert "progress" in inspect(db.engine).get_table_names()
