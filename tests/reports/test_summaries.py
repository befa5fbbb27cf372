"""The per-employee training summaries stay equal to a count made from scratch over progress rows,
whatever changes the training, and whichever day a report is for."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event, select, update

from app.credentials import standing
from app.models import Assignment, Progress, ProgressStatus, Role, TrainingSummary, Value, ValueSummary, ValueTotal
from app.onboarding import catalog, services, summaries
from app.reports import services as reports
from app.reports.services import ReportFilters
from tests.databases import on_postgres, run_together, scratch_app
from tests.helpers import counted_from_scratch, kept, totals_of, value_totals
from tests.reports.conftest import TODAY, days


def assert_current(session, today: date = TODAY) -> None:
    summaries.bring_up_to_date(session, today)
    assert kept(session) == counted_from_scratch(session, today)
    assert_totals(session, today)


def assert_totals(session, today: date = TODAY) -> None:
    """value_total holds the sums, per value, of what value_summary should hold."""
    assert value_totals(session) == totals_of(counted_from_scratch(session, today)[1])


def test_summaries_follow_completions_unassignment_archiving_and_module_values(org, db):
    session = db.session
    session.commit()
    assert_current(session)
    ben = org.people["ben"]
    overdue = session.scalar(select(Progress).where(Progress.employee_id == ben.id, Progress.due_date == days(-3)))
    assert kept(session)[0][ben.id][:3] == (3, 1, 1)

    services.complete(overdue, actor=ben)
    session.commit()
    assert kept(session)[0][ben.id][:3] == (3, 2, 0)  # recomputed when the completion committed
    assert_current(session)

    dee_assignment = session.scalar(select(Assignment).where(Assignment.employee_id == org.people["dee"].id))
    services.unassign(dee_assignment, actor=org.people["mona"])
    session.commit()
    assert org.people["dee"].id not in kept(session)[0]
    assert_current(session)

    catalog.archive(org.modules[2], actor=org.people["mona"])
    session.commit()
    assert kept(session)[0][org.people["ann"].id][:2] == (2, 2)
    assert_current(session)

    catalog.save_module(org.modules[0], actor=org.people["mona"], fields={}, value_ids=[org.values["emp"].id])
    session.commit()
    assert (org.people["ann"].id, org.values["emp"].id) in kept(session)[1]
    assert_current(session)


def test_a_report_for_another_day_recomputes_the_rows_a_due_date_separates(org, db):
    db.session.commit()
    later = days(15)  # Ben's third module (due in 10 days) and Cal's first (due in 20) straddle this
    result = reports.completion(ReportFilters(), today=later)
    assert result.total.overdue == 4  # Ben 2, Dee 2; Cal's first module is not due until day 20
    assert kept(db.session) == counted_from_scratch(db.session, later)
    assert reports.completion(ReportFilters(), today=days(25)).total.overdue == 5
    assert reports.completion(ReportFilters(), today=TODAY).total.overdue == 3  # and back again
    assert_current(db.session)


def test_rows_marked_stale_by_the_migration_are_recomputed_by_the_first_report(org, db):
    session = db.session
    session.commit()
    session.execute(update(TrainingSummary).values(assigned=0, done=0, overdue=0, oldest_overdue=None,
                                                   latest_overdue=None, next_due=date(1, 1, 1)))
    session.execute(update(ValueSummary).values(assigned=0, done=0, overdue=0))
    session.execute(update(ValueTotal).values(assigned=0, done=0, overdue=0))  # the migration sums the zeros
    assert reports.completion(ReportFilters(), today=TODAY).total.assigned == 12
    assert kept(session) == counted_from_scratch(session, TODAY)
    assert_totals(session)


def test_a_change_noted_but_not_yet_committed_is_counted_by_a_report_in_the_same_transaction(org, db):
    db.session.commit()
    assert reports.completion(ReportFilters(), today=TODAY).total.done == 6
    cal_open = db.session.scalar(select(Progress).where(Progress.employee_id == org.people["cal"].id,
                                                        Progress.status == ProgressStatus.NOT_STARTED))
    services.complete(cal_open, actor=org.people["cal"])
    assert reports.completion(ReportFilters(), today=TODAY).total.done == 7


def test_refreshing_everyone_repairs_rows_that_drifted(org, db):
    session = db.session
    session.commit()
    session.execute(update(TrainingSummary).values(done=99))
    session.execute(update(ValueTotal).values(assigned=7))
    assert summaries.refresh_everyone(session, today=TODAY) == 5
    assert kept(session) == counted_from_scratch(session, TODAY)
    assert_totals(session)


def test_a_module_due_today_is_overdue_in_tomorrows_report(org, db):
    cal_first = db.session.scalar(select(Progress).where(Progress.employee_id == org.people["cal"].id,
                                                         Progress.due_date == days(20)))
    cal_first.due_date = TODAY
    db.session.commit()
    assert reports.completion(ReportFilters(), today=TODAY).total.overdue == 3
    assert reports.completion(ReportFilters(), today=days(1)).total.overdue == 4
    assert kept(db.session) == counted_from_scratch(db.session, days(1))


def test_deactivating_someone_zeroes_their_figures_and_reactivating_restores_them(org, db):
    dee = org.people["dee"]
    db.session.commit()
    assert kept(db.session)[0][dee.id][:3] == (3, 1, 2)
    dee.active = False
    db.session.commit()
    assert dee.id not in kept(db.session)[0]
    assert reports.completion(ReportFilters(), today=TODAY).total.assigned == 9
    dee.active = True
    db.session.commit()
    assert kept(db.session)[0][dee.id][:3] == (3, 1, 2)
    assert_current(db.session)


def test_the_rebuild_command_repairs_every_row(org, db, runner):
    db.session.commit()
    db.session.execute(update(ValueSummary).values(done=42))
    db.session.execute(update(ValueTotal).values(done=42))
    result = runner.invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0 and "recomputed for 5 employees" in result.output
    assert kept(db.session) == counted_from_scratch(db.session, TODAY)
    assert_totals(db.session)


def test_moving_someone_to_another_site_moves_their_figures(org, db):
    db.session.commit()
    before = {share.label: share.assigned for share in reports.completion(ReportFilters(), today=TODAY).by_site}
    assert before == {"North Clinic": 6, "South Clinic": 6}
    ben = org.people["ben"]
    ben.site_id, ben.department, ben.start_date = org.sites["south"].id, "Care management", days(-500)
    db.session.commit()
    result = reports.completion(ReportFilters(), today=TODAY)
    assert {share.label: share.assigned for share in result.by_site} == {"North Clinic": 3, "South Clinic": 9}
    assert {share.label: share.assigned for share in result.by_department} == {
        "Adult medicine": 3, "Care management": 9}
    recent = reports.completion(ReportFilters(start=days(-100), end=TODAY), today=TODAY)
    assert recent.total.assigned == 3  # Ben no longer started in the range; Cal did
    summary = db.session.get(TrainingSummary, ben.id)
    assert (summary.site_id, summary.department, summary.start_date) == (org.sites["south"].id, "Care management",
                                                                          days(-500))


def test_the_first_report_of_a_day_keeps_its_recomputation_for_the_next_request(org, db, login_as, client):
    db.session.commit()
    summaries.refresh_everyone(db.session, today=days(-30))  # as last computed a month ago
    db.session.commit()
    assert kept(db.session) != counted_from_scratch(db.session, TODAY)
    login_as(Role.HR)

    assert client.get("/reports").status_code == 200

    db.session.rollback()  # read what the request committed, not this session's cached state
    assert kept(db.session) == counted_from_scratch(db.session, TODAY)
    assert summaries.bring_up_to_date(db.session, TODAY) == 0  # nothing left for the next report to redo


def test_the_data_token_is_the_last_write_of_a_commit(org, db):
    """The data_version row is locked last, after the summary rows, so two writers never take the
    two in opposite orders (app.page_cache relies on its commit hook running after this module's)."""
    db.session.commit()
    writes: list[str] = []

    def record(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(" ".join(statement.split()[:3]).lower())

    cal_open = db.session.scalar(select(Progress).where(Progress.employee_id == org.people["cal"].id,
                                                        Progress.status == ProgressStatus.NOT_STARTED))
    services.complete(cal_open, actor=org.people["cal"])
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert any("training_summary" in statement for statement in writes), writes
    assert "data_version" in writes[-1] and all("data_version" not in s for s in writes[:-1]), writes
    assert "value_total" in writes[-2], writes  # the value totals just before it, after every summary row


def test_a_recomputation_in_several_chunks_locks_every_summary_row_before_any_total(org, db, monkeypatch):
    """The totals are hot rows: a recomputation of many people (the first report of a day) takes them
    only after it holds every summary row it recomputes, as a single completion does, so neither can
    hold what the other waits for."""
    db.session.commit()
    monkeypatch.setattr(summaries, "CHUNK", 2)
    writes: list[str] = []

    def record(conn, cursor, statement, *args):
        written = re.match(r"\s*(?:INSERT INTO|UPDATE)\s+\"?(\w+)", statement, re.IGNORECASE)
        if written:
            writes.append(written.group(1).lower())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        summaries.refresh(db.session, [person.id for person in org.people.values()], today=days(30))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert writes.count("value_total") == 1 and writes[-1] == "value_total", writes
    locks = [index for index, table in enumerate(writes) if table == "training_summary"]
    assert writes[:locks[5] + 1].count("training_summary") == 6  # 3 chunks: insert and lock each chunk first
    assert "value_summary" not in writes[:locks[5]], writes
    assert_totals(db.session, days(30))


def test_totals_changed_in_a_savepoint_rolled_back_are_undone_with_it(org, db):
    db.session.commit()
    cal_open = db.session.scalar(select(Progress).where(Progress.employee_id == org.people["cal"].id,
                                                        Progress.status == ProgressStatus.NOT_STARTED))
    savepoint = db.session.begin_nested()
    services.complete(cal_open, actor=org.people["cal"])
    summaries.bring_up_to_date(db.session, TODAY)
    assert value_totals(db.session) == totals_of(counted_from_scratch(db.session, TODAY)[1])  # counted inside it
    savepoint.rollback()
    db.session.commit()
    assert_current(db.session)


def test_the_whole_staffs_by_value_figures_read_the_totals_and_a_site_sums_its_people(org, db):
    db.session.commit()
    everyone = {share.label: (share.done, share.assigned, share.overdue)
                for share in reports.completion(ReportFilters(), today=TODAY).by_value}
    assert everyone == {"Care Coordination": (3, 8, 3), "Engaged Leadership": (4, 8, 2), "Empanelment": (0, 0, 0)}
    north = {share.label: (share.done, share.assigned, share.overdue) for share in reports.completion(
        ReportFilters(site_id=org.sites["north"].id), today=TODAY).by_value}
    assert north == {"Care Coordination": (3, 4, 1), "Engaged Leadership": (2, 4, 1), "Empanelment": (0, 0, 0)}
    db.session.execute(update(ValueTotal).values(done=0))
    assert all(share.done == 0 for share in reports.completion(ReportFilters(), today=TODAY).by_value)


def test_the_migration_fills_the_totals_from_the_rows_already_summed(tmp_path):
    import flask_migrate

    from app.audit import acting_as
    from app.extensions import db as appdb
    from tests import factories

    with scratch_app(tmp_path, "value_total_migration", migrate=False) as app, app.app_context():
        flask_migrate.upgrade(revision="e5b8c3d1f947")  # the revision before value_total
        with acting_as(appdb.session, None):
            people = [factories.UserFactory(role=Role.STAFF) for _ in range(3)]
            values = [Value(key=f"test-{n}", name=f"Value {n}", position=200 + n) for n in range(2)]
            appdb.session.add_all(values)
            appdb.session.flush()
            rows = [{"employee_id": person.id, "value_id": value.id, "assigned": 3 + n, "done": n, "overdue": 1}
                    for n, person in enumerate(people) for value in values]
            appdb.session.execute(ValueSummary.__table__.insert(), rows)
            appdb.session.info.pop(standing.EMPLOYEES_KEY, None)  # noted by its listener
            appdb.session.commit()
        ids = [value.id for value in values]
        appdb.session.remove()

        flask_migrate.upgrade()
        assert value_totals(appdb.session) == {value_id: (12, 3, 3) for value_id in ids}
        appdb.session.remove()


@pytest.mark.skipif(not on_postgres(), reason="row locks are only meaningful on PostgreSQL; set TEST_DATABASE_URL to run this")
def test_simultaneous_completions_by_different_people_keep_the_totals_exact(tmp_path):
    """Each completion adds its change to the same value rows; the additions take turns on those rows
    instead of one overwriting another's."""
    people = 6
    with scratch_app(tmp_path, "value_total_concurrency", pool_size=people + 2) as app:
        with app.app_context():
            from app.audit import acting_as
            from app.extensions import db as appdb
            from app.models import Module, Track, TrackKind
            from tests import factories

            with acting_as(appdb.session, None):
                value = Value(key="test-together", name="Together", position=300)
                track = Track(name="Together", kind=TrackKind.ALL_STAFF)
                appdb.session.add_all([value, track])
                appdb.session.flush()
                module = Module(track_id=track.id, position=0, title="Shared module")
                module.values = [value]
                appdb.session.add(module)
                staff = [factories.UserFactory(role=Role.STAFF) for _ in range(people)]
                appdb.session.flush()
                for person in staff:
                    assignment = Assignment(employee_id=person.id, track_id=track.id)
                    appdb.session.add(assignment)
                    appdb.session.flush()
                    appdb.session.add(Progress(employee_id=person.id, module_id=module.id, assignment_id=assignment.id,
                                               status=ProgressStatus.NOT_STARTED, due_date=days(10)))
                appdb.session.commit()
            ids = {"value": value.id, "module": module.id, "people": [person.id for person in staff]}
            assert value_totals(appdb.session)[ids["value"]] == (people, 0, 0)
            appdb.session.remove()

        def complete(index: int, start) -> None:
            from app.extensions import db as appdb
            from app.models import User

            person = appdb.session.get(User, ids["people"][index])
            progress = appdb.session.scalar(select(Progress).where(Progress.employee_id == person.id))
            start()
            services.complete(progress, actor=person)
            appdb.session.commit()

        results, errors = run_together(app, people, complete)
        assert errors == []
        with app.app_context():
            from app.extensions import db as appdb

            assert value_totals(appdb.session)[ids["value"]] == (people, people, 0)
            assert_totals(appdb.session)
            appdb.session.remove()
