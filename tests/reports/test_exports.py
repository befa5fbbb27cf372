"""The training CSV: exact columns, one row per employee and module, filters, formula-safe cells."""

from __future__ import annotations

import csv
import io

from app.reports.exports import HEADER, safe_cell, training_csv
from app.reports.services import ReportFilters
from tests.reports.conftest import TODAY, days


def rows(filters=None) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(training_csv(filters or ReportFilters(), today=TODAY)))))


def test_header_is_exact():
    assert HEADER == ["Employee", "E-mail", "Site", "Role family", "Manager", "Track", "Module", "Values", "Status",
                      "Due", "Completed at", "Version", "Signed off by"]


def test_one_row_per_active_employee_and_module(org):
    lines = rows()
    assert lines[0] == HEADER
    body = lines[1:]
    assert len(body) == 12  # 4 active employees x 3 modules; Ina is deactivated
    assert sorted({(row[0], row[6]) for row in body}) == sorted(
        (name, f"Module {i}") for name in ("Ann Alvarez", "Ben Brooks", "Cal Chen", "Dee Diaz") for i in (1, 2, 3))
    ann3 = next(row for row in body if row[0] == "Ann Alvarez" and row[6] == "Module 3")
    assert ann3 == ["Ann Alvarez", "ann@example.org", "North Clinic", "Medical assistant", "Mona Manager",
                    "Foundations", "Module 3", "Engaged Leadership", "completed", days(-160).isoformat(),
                    f"{days(-150).isoformat()} 10:00", "1", "Mona Manager"]
    ben2 = next(row for row in body if row[0] == "Ben Brooks" and row[6] == "Module 2")
    assert (ben2[7], ben2[8], ben2[10], ben2[11], ben2[12]) == ("Care Coordination; Engaged Leadership", "overdue",
                                                                "", "", "")
    statuses = {(row[0], row[6]): row[8] for row in body}
    assert statuses["Dee Diaz", "Module 3"] == "waived"
    assert statuses["Cal Chen", "Module 1"] == "not started"


def test_filters_match_the_report(org):
    south = rows(ReportFilters(site_id=org.sites["south"].id))[1:]
    assert {row[0] for row in south} == {"Cal Chen", "Dee Diaz"} and len(south) == 6
    recent = rows(ReportFilters(start=days(-100)))[1:]
    assert {row[0] for row in recent} == {"Ben Brooks", "Cal Chen"}


def test_cells_that_a_spreadsheet_would_run_are_escaped(org, db):
    org.people["ben"].name = "=cmd()"
    org.people["cal"].name = "@SUM(A1)"
    db.session.flush()
    names = {row[0] for row in rows()[1:]}
    assert {"'=cmd()", "'@SUM(A1)"} <= names
    assert [safe_cell(v) for v in ("+1", "-1", "\tx", "\rx", "plain", None, 3)] == [
        "'+1", "'-1", "'\tx", "'\rx", "plain", "", "3"]
