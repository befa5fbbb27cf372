"""Fixtures for the bad-input tests: the world, and a client signed in as a case's user."""

import pytest

from tests.bad_input.world import build_world


@pytest.fixture
def world(db, make_user):
    return build_world(db, make_user)


@pytest.fixture
def sign_in(world, auth, login_as):
    """Sign in as whoever the case says may use the form."""

    def sign_in(case):
        if case.user:
            assert auth.login(getattr(world, case.user)).status_code == 302
        elif case.role is not None:
            login_as(case.role, is_interviewer=True)

    return sign_in
