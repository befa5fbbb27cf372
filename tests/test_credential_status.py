"""Credential status by date, re-credentialing due dates and which reminder falls due."""

import datetime as dt

import pytest

from app.credentials.status import CredentialStatus, classify, recredential_due, reminder_reason

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


def test_recredentialing_falls_due_two_years_after_the_last():
    assert recredential_due(dt.date(2025, 3, 15)) == dt.date(2027, 3, 15)
    assert recredential_due(dt.date(2024, 2, 29)) == dt.date(2026, 2, 28)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (60, "expires-in-60"),
        (30, "expires-in-30"),
        (7, "expires-in-7"),
        (0, "expires-today"),
        (59, None),
        (8, None),
        (-1, None),
    ],
)
def test_reminders_fall_on_60_30_7_days_before_and_the_day(days_left, expected):
    assert reminder_reason(TODAY + dt.timedelta(days=days_left), TODAY) == expected
