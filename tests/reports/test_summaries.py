"""The per-employee training summaries stay equal to a count made from scratch over progress rows,
whatever changes the training, and whichever day a report is for."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event, select, update

from app.models import Assignment, Progress, ProgressStatus, Role, TrainingSummary, ValueSummary
from app.onboarding import catalog, services, summaries
from app.reports import services as reports
from app.reports.services import ReportFilters
from tests.helpers import counted_from_scratch, kept
from tests.reports.conftest import TODAY, days


def assert_current(session, today: date = TODAY) -> None:
    summaries.bring_up_to_date(session, today)
    assert kept(session) == counted_from_scratch(session, today)


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
    assert reports.completion(ReportFilters(), today=TODAY).total.assigned == 12
    assert kept(session) == counted_from_scratch(session, TODAY)


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
    assert summaries.refresh_everyone(session, today=TODAY) == 5
    assert kept(session) == counted_from_scratch(session, TODAY)


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
    result = runner.invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0 and "recomputed for 5 employees" in result.output
    assert kept(db.session) == counted_from_scratch(db.session, TODAY)


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
