"""Candidate-letter fixtures: an open posting at a named site, applications at Applied, an HR user."""

from __future__ import annotations

import pytest

from app.models import Application, Posting, PostingStatus, Role, RoleFamily, Rubric, Stage, StageChange
from tests.factories import SiteFactory


@pytest.fixture
def posting(db):
    rubric = Rubric(name="Medical assistant", role_family=RoleFamily.MEDICAL_ASSISTANT)
    db.session.add(rubric)
    db.session.flush()
    row = Posting(title="Medical assistant", site_id=SiteFactory(name="Riverside").id,
                  role_family=RoleFamily.MEDICAL_ASSISTANT, rubric_id=rubric.id, status=PostingStatus.OPEN)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def apply(db, posting):
    """apply(name=...): an application at Applied, with the history row the careers page writes."""
    made = iter(range(1000))

    def make(name: str = "Rosa Diaz", **fields) -> Application:
        application = Application(posting_id=posting.id, name=name, email=f"applicant{next(made)}@example.org",
                                  **fields)
        db.session.add(application)
        db.session.flush()
        db.session.add(StageChange(application_id=application.id, from_stage=None, to_stage=Stage.APPLIED))
        db.session.flush()
        return application

    return make


@pytest.fixture
def hr_user(make_user):
    return make_user(Role.HR, name="Harper Reyes")
