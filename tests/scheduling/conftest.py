"""A site in New York with an open posting, a candidate at the interview stage, HR and three interviewers."""

from __future__ import annotations

from datetime import date, time
from types import SimpleNamespace

import pytest

from app.hiring.scheduling import Slot
from app.models import Role, Stage
from tests.factories import SiteFactory
from tests.hiring.test_scoring import make_application, make_posting


@pytest.fixture
def org(db, make_user):
    site = SiteFactory(name="Bronx Family Health", time_zone="America/New_York")
    posting = make_posting(db, site=site)
    w = SimpleNamespace(site=site, posting=posting)
    w.hr = make_user(Role.HR, name="Hana Hiring", email="hana@clinic.example")
    w.ivy = make_user(Role.STAFF, name="Ivy Interviewer", email="ivy@clinic.example", is_interviewer=True)
    w.ian = make_user(Role.STAFF, name="Ian Panelist", email="ian@clinic.example", is_interviewer=True)
    w.paz = make_user(Role.STAFF, name="Paz Spare", email="paz@clinic.example", is_interviewer=True)
    w.rosa = make_application(db, posting, name="Rosa Diaz", email="rosa@applicant.example", stage=Stage.INTERVIEW)
    w.bo = make_application(db, posting, name="Bo Bradley", email="bo@applicant.example", stage=Stage.INTERVIEW)
    return w


def slot(*people, day=date(2027, 3, 16), at=time(9, 0), minutes=60, location="Room 2, 100 Grand Concourse",
         video_url="") -> Slot:
    return Slot(day=day, start=at, minutes=minutes, location=location, video_url=video_url, interviewers=tuple(people))
