"""Candidate-letter fixtures: an open posting at a named site, applications at Applied, an HR user."""

from __future__ import annotations

import pytest

from app.models import Application, Role
from tests import factories


@pytest.fixture
def posting(db):
    return factories.open_posting("Riverside")


@pytest.fixture
def apply(db, posting):
    """apply(name=...): an application at Applied, with the history row the careers page writes."""
    made = iter(range(1000))

    def make(name: str = "Rosa Diaz", **fields) -> Application:
        return factories.applied(posting, name=name, email=f"applicant{next(made)}@example.org", **fields)

    return make


@pytest.fixture
def hr_user(make_user):
    return make_user(Role.HR, name="Harper Reyes")
