"""Two HR users booking one interviewer at the same time (PostgreSQL): exactly one interview is kept, the others
are refused with the conflict, whatever the timing."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from app.extensions import db as _db
from app.hiring import scheduling
from app.hiring.scheduling import ScheduleError, Slot
from app.models import (
    Application,
    Interview,
    InterviewPanelist,
    Posting,
    PostingStatus,
    Role,
    RoleFamily,
    Rubric,
    Site,
    Stage,
    User,
)
from tests.databases import on_postgres, run_together, scratch_app

THREADS = 6


@pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL; set TEST_DATABASE_URL to run this")
def test_simultaneous_bookings_of_one_interviewer_keep_exactly_one(tmp_path):
    with scratch_app(tmp_path, "schedule", pool_size=THREADS + 2) as app:
        with app.app_context():
            site = Site(name="Concurrent Clinic", time_zone="America/Chicago")
            rubric = Rubric(name="Rubric", role_family=RoleFamily.MEDICAL_ASSISTANT)
            hr = User(email="hr@example.org", name="Hana Hiring", role=Role.HR)
            ivy = User(email="ivy@example.org", name="Ivy Interviewer", is_interviewer=True)
            _db.session.add_all([site, rubric, hr, ivy])
            _db.session.flush()
            posting = Posting(title="Medical assistant", site_id=site.id, rubric_id=rubric.id,
                              role_family=RoleFamily.MEDICAL_ASSISTANT, status=PostingStatus.OPEN)
            _db.session.add(posting)
            _db.session.flush()
            applications = [Application(posting_id=posting.id, name=f"Candidate {i}", email=f"c{i}@example.org",
                                        stage=Stage.INTERVIEW) for i in range(THREADS)]
            _db.session.add_all(applications)
            _db.session.commit()
            ids = [a.id for a in applications]
            hr_id, ivy_id = hr.id, ivy.id
            _db.session.remove()

        def book(index: int, start) -> int:
            application = _db.session.get(Application, ids[index])
            actor, interviewer = _db.session.get(User, hr_id), _db.session.get(User, ivy_id)
            _ = application.posting.site.time_zone
            start()
            interview = scheduling.schedule_interview(
                application, Slot(day=date(2031, 3, 4), start=time(9, 0 + index), minutes=60,
                                  location="Room 1", video_url="", interviewers=(interviewer,)), actor=actor)
            _db.session.commit()
            return interview.id

        results, errors = run_together(app, THREADS, book)
        assert len(results) == 1
        assert len(errors) == THREADS - 1
        assert all(isinstance(e, ScheduleError) and "Ivy Interviewer already has an interview then" in str(e)
                   for e in errors)
        with app.app_context():
            assert _db.session.scalar(select(func.count(Interview.id))) == 1
            assert _db.session.scalar(select(func.count(InterviewPanelist.id))) == 1
            _db.session.remove()
