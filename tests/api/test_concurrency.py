"""Overlapping LMS pushes on PostgreSQL: the same completion sent at once by several workers with one
Idempotency-Key makes one completion; every answer is the first one replayed, or a 409 to retry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.api.tokens import issue_token
from app.audit import acting_as
from app.extensions import db
from app.models import Completion, IdempotentRequest, Method, Module, Role, Track, TrackKind, User
from app.onboarding.services import assign_track
from tests.databases import on_postgres, run_together, scratch_app

THREADS = 8

pytestmark = pytest.mark.skipif(
    not on_postgres(), reason="row locks are only meaningful on PostgreSQL; set TEST_DATABASE_URL to run this"
)


def test_simultaneous_pushes_with_one_key_make_one_completion(tmp_path):
    with scratch_app(tmp_path, "api_concurrency", pool_size=THREADS + 2) as app:
        with app.app_context():
            with acting_as(db.session, None):
                admin = User(email="ada@example.org", name="Ada Admin", role=Role.ADMIN)
                employee = User(email="casey@example.org", name="Casey Concurrent", role=Role.STAFF)
                track = Track(name="Concurrency", kind=TrackKind.ALL_STAFF)
                db.session.add_all([admin, employee, track])
                db.session.flush()
                module = Module(track_id=track.id, title="Read the policy", position=0, method=Method.ATTEST)
                db.session.add(module)
                db.session.flush()
                assign_track(employee, track, actor=admin, today=date.today())
                _, secret = issue_token(actor=admin, name="LMS", scopes=["write:completions"],
                                        expires_on=date.today() + timedelta(days=5))
                db.session.commit()
            body = {"employee_id": employee.id, "module_id": module.id, "module_version": 1,
                    "completed_on": date.today().isoformat()}
            employee_id = employee.id
            db.session.remove()

        def push(index: int, start):
            client = app.test_client()
            start()
            response = client.post("/api/v1/completions", json=body, headers={
                "Authorization": f"Bearer {secret}", "Idempotency-Key": "lms-overlap-1"})
            return response.status_code, response.headers.get("Idempotent-Replayed"), response.get_json()

        results, errors = run_together(app, THREADS, push)
        assert errors == []
        first = [answer for status, replayed, answer in results if status == 201 and not replayed]
        assert len(first) == 1, results
        for status, _replayed, answer in results:
            assert status == 409 or (status, answer) == (201, first[0]), (status, answer)
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(Completion)
                                     .where(Completion.employee_id == employee_id)) == 1
            assert db.session.scalar(select(func.count()).select_from(IdempotentRequest)) == 1
            db.session.remove()
