"""Credential status by date: the 60- and 30-day windows and the boundary days."""

import datetime as dt

import pytest

from app.credentials.status import CredentialStatus, classify

TODAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (61, CredentialStatus.ACTIVE),
        (60, CredentialStatus.EXPIRING_60),
        (31, CredentialStatus.EXPIRING_60),
        (30, CredentialStatus.EXPIRING_30),
        (0, CredentialStatus.EXPIRING_30),
        (-1, CredentialStatus.EXPIRED),
    ],
)
def test_status_changes_on_the_boundary_days(days_left, expected):
    assert classify(TODAY + dt.timedelta(days=days_left), True, TODAY) is expected


def test_an_unverified_credential_is_unverified_whatever_its_date():
    assert classify(TODAY - dt.timedelta(days=5), False, TODAY) is CredentialStatus.UNVERIFIED


def test_a_credential_without_expiry_stays_active():
    assert classify(None, True, TODAY) is CredentialStatus.ACTIVE
