"""Team roll-up: one status per person, numbers over active training, the reporting line, CSV."""

from __future__ import annotations

import csv
import io

from app.models import Role
from app.team import services
from app.team.services import TeamFilters
from tests.team.conftest import TODAY, days


def names(page_or_rows) -> list[str]:
    rows = page_or_rows.items if hasattr(page_or_rows, "items") else page_or_rows
    return [row.name for row in rows]


def page_of(*args, **kwargs):
    page, _ = services.team_page(*args, **kwargs)
    return page


def by_name(team, filters=None, **kwargs):
    page = page_of(team["mona"], filters or TeamFilters(), today=TODAY, **kwargs)
    return {row.name.split()[0].lower(): row for row in page.items}


def test_each_person_gets_one_status_from_their_modules(team):
    rows = by_name(team)
    assert {key: row.status for key, row in rows.items()} == {
        "ann": "complete", "ben": "overdue", "cal": "due soon", "dee": "on track", "sam": "no training",
    }


def test_rollup_counts_completed_and_waived_over_active_tracks_and_current_modules(team):
    rows = by_name(team)
    ann, ben, cal, dee = rows["ann"], rows["ben"], rows["cal"], rows["dee"]
    # Ann's archived module and Ben's unassigned track are left out.
    assert (ann.done, ann.assigned, ann.percent, ann.overdue, ann.next_due) == (4, 4, 100, 0, None)
    assert (ben.done, ben.assigned, ben.percent, ben.overdue, ben.next_due) == (1, 4, 25, 1, days(-3))
    assert (cal.done, cal.assigned, cal.percent, cal.overdue, cal.next_due) == (2, 4, 50, 0, days(5))
    assert (dee.percent, dee.overdue, dee.next_due, dee.days_since_start) == (0, 0, days(20), 10)
    assert (rows["sam"].assigned, rows["sam"].percent) == (0, 0)
    assert ann.site == "Riverside Family Health"


def test_summary_counts_the_whole_team_whatever_the_filters(team):
    summary = services.team_summary(team["mona"], indirect=False, today=TODAY)
    assert (summary.people, summary.complete, summary.overdue, summary.due_soon, summary.on_track,
            summary.no_training, summary.first_days) == (5, 1, 1, 2, 1, 1, 1)
    wider = services.team_summary(team["mona"], indirect=True, today=TODAY)
    assert (wider.people, wider.overdue, wider.first_days) == (6, 2, 2)


def test_indirect_reports_appear_only_with_the_toggle(team):
    assert "Eve Evans" not in names(page_of(team["mona"], TeamFilters(), today=TODAY))
    everyone = names(page_of(team["mona"], TeamFilters(indirect=True), today=TODAY))
    assert everyone == ["Ann Alvarez", "Ben Brooks", "Cal Chen", "Dee Diaz", "Eve Evans", "Sam Sub"]


def test_deactivated_people_are_left_off_the_team(team):
    assert "Ina Inactive" not in names(page_of(team["mona"], TeamFilters(indirect=True), today=TODAY))


def test_first_90_days_filter_keeps_recent_starters(team):
    page = page_of(team["mona"], TeamFilters(first_days=True, indirect=True), today=TODAY)
    assert names(page) == ["Dee Diaz", "Eve Evans"]


def test_filters_pick_overdue_due_soon_and_complete_people(team):
    def shown(**kwargs):
        return names(page_of(team["mona"], TeamFilters(**kwargs), today=TODAY))

    assert shown(show="overdue") == ["Ben Brooks"]
    assert shown(show="due-soon") == ["Ben Brooks", "Cal Chen"]  # Ben also has a module due in 3 days
    assert shown(show="complete") == ["Ann Alvarez"]
    assert shown(show="on-track") == ["Dee Diaz"]
    assert shown(show="nonsense") == shown()


def test_search_matches_name_or_email_and_treats_wildcards_literally(team):
    def shown(q):
        return names(page_of(team["mona"], TeamFilters(q=q), today=TODAY))

    assert shown("brooks") == ["Ben Brooks"]
    assert shown("CAL@EXAMPLE") == ["Cal Chen"]
    assert shown("%") == []
    assert shown("xena") == []


def test_sorts_by_percent_overdue_next_due_and_start_date(team):
    def order(sort):
        return names(page_of(team["mona"], TeamFilters(sort=sort), today=TODAY))

    assert order("percent") == ["Dee Diaz", "Sam Sub", "Ben Brooks", "Cal Chen", "Ann Alvarez"]
    assert order("overdue")[0] == "Ben Brooks"
    assert order("next-due") == ["Ben Brooks", "Cal Chen", "Dee Diaz", "Ann Alvarez", "Sam Sub"]
    assert order("start") == ["Dee Diaz", "Cal Chen", "Ben Brooks", "Ann Alvarez", "Sam Sub"]


def test_pages_hold_per_page_people_and_count_them_all(team):
    first = page_of(team["mona"], TeamFilters(), today=TODAY, per_page=2)
    last = page_of(team["mona"], TeamFilters(), today=TODAY, per_page=2, page=99)
    assert (first.total, first.pages, names(first)) == (5, 3, ["Ann Alvarez", "Ben Brooks"])
    assert (last.page, names(last), last.has_next, last.has_prev) == (3, ["Sam Sub"], False, True)


def test_a_manager_of_another_team_sees_nobody_of_this_team(team):
    olga = team["olga"]
    assert names(page_of(olga, TeamFilters(indirect=True), today=TODAY)) == ["Xena Xu"]
    assert names(services.team_rows(olga, TeamFilters(indirect=True), today=TODAY)) == ["Xena Xu"]
    assert services.team_summary(olga, indirect=True, today=TODAY).people == 1
    assert not services.in_line(olga, team["ben"].id)
    assert services.in_line(team["mona"], team["eve"].id)  # through Sam
    assert not services.in_line(team["mona"], team["xena"].id)
    assert not services.in_line(team["sam"], team["ben"].id)  # a peer, not a report


def test_a_loop_in_the_reporting_line_ends(db, make_user):
    first = make_user(Role.MANAGER, name="Loop One")
    second = make_user(Role.MANAGER, name="Loop Two", manager=first)
    first.manager_id = second.id
    db.session.flush()
    assert names(page_of(first, TeamFilters(indirect=True), today=TODAY)) == ["Loop Two"]


def test_person_modules_list_every_current_module_with_its_signer(team, db):
    ann = team["ann"]
    progress = services.person_modules(ann)[3].progress
    progress.signed_off_by_id = team["mona"].id
    db.session.flush()
    lines = services.person_modules(ann)
    assert [line.module.title for line in lines] == ["Module 1", "Module 2", "Module 3", "Module 4"]
    assert lines[3].signed_off_by == "Mona Manager"
    assert services.person_row(ann, today=TODAY).status == "complete"


def test_person_row_works_for_a_deactivated_person(team):
    assert services.person_row(team["ina"], today=TODAY).overdue == 1


def test_csv_cells_that_look_like_formulas_are_escaped(db, make_user):
    manager = make_user(Role.MANAGER)
    make_user(Role.STAFF, name='=HYPERLINK("http://evil.example","x")', manager=manager, email="evil@example.org")
    make_user(Role.STAFF, name="+1 Plus", manager=manager, email="plus@example.org")
    make_user(Role.STAFF, name="@SUM(A1)", manager=manager, email="at@example.org")
    make_user(Role.STAFF, name="-2 Minus", manager=manager, email="minus@example.org")
    rows = services.team_rows(manager, TeamFilters(), today=TODAY)
    table = list(csv.reader(io.StringIO(services.to_csv(rows))))
    assert table[0][:2] == ["Name", "E-mail"]
    assert sorted(row[0] for row in table[1:]) == ["'+1 Plus", "'-2 Minus", "'=HYPERLINK(\"http://evil.example\",\"x\")",
                                                   "'@SUM(A1)"]
    assert services.safe_cell("Ann") == "Ann" and services.safe_cell(None) == ""


def test_csv_holds_the_status_columns(team):
    rows = services.team_rows(team["mona"], TeamFilters(show="overdue"), today=TODAY)
    table = list(csv.reader(io.StringIO(services.to_csv(rows))))
    assert table == [services.CSV_HEADER, [
        "Ben Brooks", "ben@example.org", "Riverside Family Health", "", days(-200).isoformat(),
        "25", "1", days(-3).isoformat(), "Overdue",
    ]]


def test_the_roll_up_columns_come_in_the_order_team_rows_are_built_from():
    for active_only in (True, False):  # the team from its summary rows, one person from progress
        query = services._team_query(services._team_ids(False), active_only=active_only)
        assert list(query.selected_columns.keys()) == [*services.ROW_FIELDS, "stale"]
