"""Credential status by date: the 60- and 30-day windows and the boundary days."""

import datetime as dt

import pytest

from app.credentials.status import CredentialStatus, badges, classify

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


def labels(days_left: int | None, verified: bool) -> list[str]:
    expires_on = None if days_left is None else TODAY + dt.timedelta(days=days_left)
    return [badge.label for badge in badges(expires_on, verified, TODAY)]


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (61, ["unverified"]),
        (60, ["unverified", "expires in 60 days"]),
        (12, ["unverified", "expires in 12 days"]),
        (1, ["unverified", "expires tomorrow"]),
        (0, ["unverified", "expires today"]),
        (-1, ["unverified", "expired"]),
        (None, ["unverified"]),
    ],
)
def test_an_unverified_credential_also_shows_how_soon_it_expires(days_left, expected):
    assert labels(days_left, False) == expected


def test_the_expiry_badge_takes_the_tone_of_its_window():
    tones = [badge.tone for badge in badges(TODAY + dt.timedelta(days=12), False, TODAY)]
    assert tones == ["secondary", "warning"]
    assert badges(TODAY - dt.timedelta(days=3), False, TODAY)[1].tone == "danger"


def test_a_verified_credential_shows_only_its_status():
    assert labels(12, True) == ["expiring within 30 days"]
    assert labels(-1, True) == ["expired"]
