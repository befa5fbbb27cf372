"""Properties of the onboarding rules: due dates, renewals and the status a module shows.

The rules (DESIGN.md, app/onboarding/services.py): a module is due its offset in days after the
employee's start date (after the assignment day when there is none); a module with a renewal
period comes due again that many calendar months after completion, on the same day of the month
or the month's last day; a module is complete when completed or waived, otherwise overdue once its
due date has passed, due soon within seven days, and on track before that or without a due date.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.models import ProgressStatus
from app.onboarding.services import DONE, DUE_SOON_DAYS, add_months, classify, due_date_for

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
offsets = st.integers(0, 730)  # what the module form accepts
months = st.integers(1, 120)   # the renewal periods the module form accepts
OPEN = [s for s in ProgressStatus if s not in DONE]
SEVERITY = {"on track": 0, "due soon": 1, "overdue": 2}


# Due dates -------------------------------------------------------------------------------------
@given(days, offsets, days)
def test_due_date_is_offset_days_after_the_start(start, offset, today):
    assert (due_date_for(start, offset, today) - start).days == offset


@given(offsets, days)
def test_without_a_start_date_the_offset_counts_from_today(offset, today):
    assert due_date_for(None, offset, today) == due_date_for(today, offset, date(1999, 1, 1))


@given(days, offsets, offsets, days)
def test_a_later_offset_is_never_due_earlier(start, a, b, today):
    low, high = sorted((a, b))
    assert due_date_for(start, low, today) <= due_date_for(start, high, today)


@given(days, days, offsets)
def test_the_start_date_alone_decides_the_due_date(start, today, offset):
    assert due_date_for(start, offset, today) == due_date_for(start, offset, today + timedelta(days=99))


# Renewals ----------------------------------------------------------------------------------------
@given(days, months)
def test_renewal_falls_that_many_calendar_months_later(completed, period):
    renew = add_months(completed, period)
    assert (renew.year - completed.year) * 12 + renew.month - completed.month == period


@given(days, months)
def test_renewal_keeps_the_day_of_month_or_takes_the_months_last_day(completed, period):
    renew = add_months(completed, period)
    last_day = calendar.monthrange(renew.year, renew.month)[1]
    assert renew.day == min(completed.day, last_day)


@given(days, months)
def test_renewal_is_between_28_and_31_days_a_month_away(completed, period):
    gap = (add_months(completed, period) - completed).days
    assert 28 * period - 3 <= gap <= 31 * period
    assert gap > 0


@given(days, months, months)
def test_a_longer_renewal_period_never_comes_due_sooner(completed, a, b):
    low, high = sorted((a, b))
    assert add_months(completed, low) <= add_months(completed, high)


# Status -------------------------------------------------------------------------------------------
@given(st.sampled_from(DONE), st.none() | days, days)
def test_completed_or_waived_is_complete_whatever_the_due_date(status, due, today):
    assert classify(status, due, today) == "complete"


@given(st.sampled_from(OPEN), days, days)
def test_an_open_module_is_overdue_exactly_when_its_due_date_has_passed(status, due, today):
    label = classify(status, due, today)
    assert (label == "overdue") == (due < today)
    if due >= today:
        assert label == ("due soon" if (due - today).days <= DUE_SOON_DAYS else "on track")


@given(st.sampled_from(OPEN), days)
def test_an_open_module_without_a_due_date_is_on_track(status, today):
    assert classify(status, None, today) == "on track"


@given(st.sampled_from(OPEN), days, days, st.integers(0, 400))
def test_time_passing_never_makes_an_open_module_look_better(status, due, today, wait):
    before = SEVERITY[classify(status, due, today)]
    after = SEVERITY[classify(status, due, today + timedelta(days=wait))]
    assert after >= before


@given(st.sampled_from(OPEN), days, offsets)
def test_a_module_due_from_a_start_date_is_never_overdue_on_that_date(status, start, offset):
    due = due_date_for(start, offset, start)
    assert classify(status, due, start) in {"on track", "due soon"}
