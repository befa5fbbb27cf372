"""Concurrent completions on PostgreSQL: twenty simultaneous attestations make one transcript line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit import acting_as
from app.extensions import db
from app.models import (
    Assignment,
    Completion,
    Method,
    Module,
    Progress,
    ProgressStatus,
    Role,
    Track,
    TrackKind,
    TrainingSummary,
    User,
)
from app.onboarding import services
from tests.databases import on_postgres, run_together, scratch_app

THREADS = 20

pytestmark = pytest.mark.skipif(
    not on_postgres(), reason="row locks are only meaningful on PostgreSQL; set TEST_DATABASE_URL to run this"
)


def test_simultaneous_attestations_make_exactly_one_completion(tmp_path):
    with scratch_app(tmp_path, "concurrency", pool_size=THREADS + 2) as app:
        with app.app_context():
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

        def attest(index: int, start) -> bool:
            progress = db.session.get(Progress, progress_id)
            actor = db.session.get(User, employee_id)
            start()
            done = services.attest(progress, actor=actor, confirmed=True)
            db.session.commit()
            return done

        results, errors = run_together(app, THREADS, attest)
        assert errors == []
        assert sorted(results) == [False] * (THREADS - 1) + [True]
        with app.app_context():
            rows = db.session.scalar(select(func.count()).select_from(Completion).where(
                Completion.employee_id == employee_id, Completion.module_id == module_id))
            assert rows == 1
            assert db.session.get(Progress, progress_id).status is ProgressStatus.COMPLETED
            db.session.remove()


def test_simultaneous_completions_of_one_persons_modules_keep_the_training_summary_exact(tmp_path):
    """Each completion recomputes the employee's summary before committing; the recomputations wait
    for each other, so none overwrites the other's count with a stale one."""
    modules = 8
    with scratch_app(tmp_path, "summary", pool_size=modules + 2) as app:
        with app.app_context():
            with acting_as(db.session, None):
                employee = User(email="busy@example.org", name="Bo Busy", role=Role.STAFF)
                track = Track(name="Many modules", kind=TrackKind.ROLE, role_families=["medical-assistant"])
                db.session.add_all([employee, track])
                db.session.flush()
                assignment = Assignment(employee_id=employee.id, track_id=track.id)
                db.session.add(assignment)
                db.session.flush()
                for position in range(modules):
                    module = Module(track_id=track.id, title=f"Policy {position}", position=position,
                                    due_offset_days=7, method=Method.ATTEST, minutes=5)
                    db.session.add(module)
                    db.session.flush()
                    db.session.add(Progress(employee_id=employee.id, module_id=module.id, assignment_id=assignment.id))
                db.session.commit()
            employee_id = employee.id
            progress_ids = list(db.session.scalars(select(Progress.id).where(Progress.employee_id == employee_id)))
            assert db.session.get(TrainingSummary, employee_id).done == 0
            db.session.remove()

        def attest(index: int, start) -> bool:
            progress = db.session.get(Progress, progress_ids[index])
            actor = db.session.get(User, employee_id)
            start()
            done = services.attest(progress, actor=actor, confirmed=True)
            db.session.commit()
            return done

        results, errors = run_together(app, modules, attest)
        assert errors == []
        assert results == [True] * modules
        with app.app_context():
            summary = db.session.get(TrainingSummary, employee_id)
            assert (summary.assigned, summary.done) == (modules, modules)
            db.session.remove()
