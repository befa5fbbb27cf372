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


def test_the_summaries_migration_marks_existing_employees_for_recomputing(empty_app):
    from datetime import date

    from app import page_cache
    from app.audit import acting_as
    from app.credentials import standing
    from app.models import Assignment, Module, Progress, Role, Track, TrackKind, TrainingSummary, User
    from app.onboarding import summaries

    flask_migrate.upgrade(revision="a43221623588")  # the revision before the summary tables
    with acting_as(db.session, None):
        employee = User(email="before@example.org", name="Early Employee", role=Role.STAFF)
        track = Track(name="Before", kind=TrackKind.ALL_STAFF)
        db.session.add_all([employee, track])
        db.session.flush()
        module = Module(track_id=track.id, title="Older module", position=0)
        assignment = Assignment(employee_id=employee.id, track_id=track.id)
        db.session.add_all([module, assignment])
        db.session.flush()
        db.session.add(Progress(employee_id=employee.id, module_id=module.id, assignment_id=assignment.id,
                                due_date=date(2020, 1, 1)))
        db.session.flush()
        # Noted by the listeners; the old schema has no tables for the summaries or the data token.
        db.session.info.pop(summaries.EMPLOYEES_KEY)
        db.session.info.pop(standing.EMPLOYEES_KEY)
        db.session.connection().info.pop(page_cache.WROTE)
        db.session.commit()
    employee_id = employee.id
    db.session.remove()

    flask_migrate.upgrade()
    placeholder = db.session.get(TrainingSummary, employee_id)
    assert (placeholder.assigned, placeholder.next_due) == (0, date(1, 1, 1))
    summaries.bring_up_to_date(db.session, date(2026, 1, 1))
    db.session.refresh(placeholder)
    assert (placeholder.assigned, placeholder.overdue, placeholder.oldest_overdue) == (1, 1, date(2020, 1, 1))
