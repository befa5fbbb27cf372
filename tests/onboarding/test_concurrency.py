"""Concurrent completions on PostgreSQL: twenty simultaneous attestations make one transcript line."""

from __future__ import annotations

import threading

import flask_migrate
import pytest
from sqlalchemy import func, select

from app import create_app
from app.audit import acting_as
from app.extensions import db
from app.models import Assignment, Completion, Method, Module, Progress, ProgressStatus, Role, Track, TrackKind, User
from app.onboarding import services
from config import TestingConfig, database_url
from tests.databases import on_postgres, scratch_database

THREADS = 20

pytestmark = pytest.mark.skipif(
    not on_postgres(), reason="row locks are only meaningful on PostgreSQL; set TEST_DATABASE_URL to run this"
)


def test_simultaneous_attestations_make_exactly_one_completion(tmp_path):
    with scratch_database(tmp_path, "concurrency") as url:
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = database_url(url)
        # A connection for every thread, so none waits for the pool instead of the row lock.
        config.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": THREADS + 2, "max_overflow": 0}
        app = create_app(config)
        try:
            with app.app_context():
                flask_migrate.upgrade()
                with acting_as(db.session, None):
                    employee = User(email="concurrent@example.org", name="Casey Concurrent", role=Role.STAFF)
                    track = Track(name="Concurrency", kind=TrackKind.ROLE, role_families=["medical-assistant"])
                    db.session.add_all([employee, track])
                    db.session.flush()
                    module = Module(track_id=track.id, title="Read the policy", position=0, due_offset_days=7,
                                    method=Method.ATTEST, minutes=10)
                    assignment = Assignment(employee_id=employee.id, track_id=track.id)
                    db.session.add_all([module, assignment])
                    db.session.flush()
                    progress = Progress(employee_id=employee.id, module_id=module.id, assignment_id=assignment.id)
                    db.session.add(progress)
                    db.session.commit()
                employee_id, module_id, progress_id = employee.id, module.id, progress.id
                db.session.remove()

            barrier = threading.Barrier(THREADS)
            results: list[bool] = []
            errors: list[Exception] = []
            lock = threading.Lock()

            def attest() -> None:
                with app.app_context():
                    try:
                        progress = db.session.get(Progress, progress_id)
                        actor = db.session.get(User, employee_id)
                        barrier.wait(timeout=30)
                        done = services.attest(progress, actor=actor, confirmed=True)
                        db.session.commit()
                        with lock:
                            results.append(done)
                    except Exception as error:  # every failure is reported below
                        db.session.rollback()
                        with lock:
                            errors.append(error)
                    finally:
                        db.session.remove()

            threads = [threading.Thread(target=attest) for _ in range(THREADS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert not any(thread.is_alive() for thread in threads), "a thread is still waiting"

            assert errors == []
            assert sorted(results) == [False] * (THREADS - 1) + [True]
            with app.app_context():
                rows = db.session.scalar(select(func.count()).select_from(Completion).where(
                    Completion.employee_id == employee_id, Completion.module_id == module_id))
                assert rows == 1
                assert db.session.get(Progress, progress_id).status is ProgressStatus.COMPLETED
                db.session.remove()
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
