"""The team's figures come from training_summary: they must equal the figures counted from progress
on every day, whatever day the rows were last computed for, and after every kind of change."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.models import Module, Progress, ProgressStatus, TrainingSummary, User
from app.team import services
from app.team.services import TeamFilters
from tests.team.conftest import TODAY, days

COMPARED = ("assigned", "done", "overdue", "next_due", "status", "percent", "next_check_in")


def team_rows(manager, today):
    page, _ = services.team_page(manager, TeamFilters(indirect=True), today=today)
    return page.items


def _user(db, user_id):
    return db.session.get(User, user_id)


def assert_same_as_progress(db, manager, today):
    rows = team_rows(manager, today)
    assert rows, "the team has rows"
    for row in rows:
        reference = services.person_row(_user(db, row.id), today=today)
        assert {name: getattr(row, name) for name in COMPARED} == \
            {name: getattr(reference, name) for name in COMPARED}, row.name
        assert (row.due_soon > 0) == (reference.due_soon > 0), row.name
    return rows


@pytest.mark.parametrize("offset", [-400, -61, -30, -4, -3, -1, 0, 1, 3, 4, 5, 6, 12, 29, 31, 45, 400])
def test_the_team_matches_progress_on_any_day_the_rows_were_not_computed_for(db, team, offset):
    db.session.commit()  # the summary rows are computed for today
    assert_same_as_progress(db, team["mona"], days(offset))


def test_a_day_that_moves_a_module_to_overdue_recomputes_those_rows_for_that_day(db, team):
    db.session.commit()
    ben = {row.name: row for row in team_rows(team["mona"], days(4))}["Ben Brooks"]
    assert (ben.overdue, ben.status) == (2, "overdue")  # the module due in 3 days is now late too
    row = db.session.get(TrainingSummary, team["ben"].id)
    assert (row.overdue, row.latest_overdue) == (2, days(3))


def test_changes_not_yet_committed_show_in_the_same_transaction(db, team):
    db.session.commit()
    cal = team["cal"]
    for progress in db.session.scalars(db.select(Progress).where(Progress.employee_id == cal.id)):
        progress.status, progress.completed_at = ProgressStatus.COMPLETED, datetime(2026, 1, 2)
    db.session.flush()
    by_name = {row.name: row for row in assert_same_as_progress(db, team["mona"], TODAY)}
    assert (by_name["Cal Chen"].status, by_name["Cal Chen"].percent) == ("complete", 100)


def test_archiving_a_module_and_deactivating_a_person_show_at_once(db, team, track):
    db.session.commit()
    module = db.session.get(Module, track.test_modules[1].id)
    module.archived_at = datetime(2026, 1, 3)
    team["dee"].active = False
    db.session.flush()
    by_name = {row.name: row for row in assert_same_as_progress(db, team["mona"], TODAY)}
    assert "Dee Diaz" not in by_name
    assert (by_name["Ben Brooks"].assigned, by_name["Ben Brooks"].overdue) == (3, 0)


def test_head_counts_and_the_csv_read_rows_brought_up_to_date(db, team):
    db.session.commit()
    later = days(6)  # Ben's and Cal's next modules are then overdue
    summary = services.team_summary(team["mona"], indirect=False, today=later)
    assert (summary.overdue, summary.due_soon, summary.on_track) == (2, 0, 1)
    rows = services.team_rows(team["mona"], TeamFilters(show="overdue"), today=later)
    assert [row.name for row in rows] == ["Ben Brooks", "Cal Chen"]


def test_a_view_that_finds_rows_to_bring_up_to_date_says_so(db, team):
    db.session.commit()
    services.team_page(team["mona"], TeamFilters(), today=TODAY)
    assert not services.summaries_caught_up()
    services.team_page(team["mona"], TeamFilters(), today=days(10))
    assert services.summaries_caught_up()
    assert not services.summaries_caught_up()  # said once, for the view to commit
