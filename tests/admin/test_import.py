"""Bulk staff import: every check names its line and column, and a file imports everyone or no one."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.admin import import_services as services
from app.admin.import_services import apply_plan, example_csv, parse_staff_csv, plan_from_bytes
from app.audit import acting_as
from app.content.library import read_library
from app.content.services import apply_library
from app.models import (
    Assignment,
    AuditEvent,
    OutboxMessage,
    Progress,
    Role,
    RoleFamily,
    Track,
    TrackKind,
    User,
    utcnow,
)
from tests.factories import SiteFactory

TODAY = date(2026, 11, 23)
HEADER = "name,email,site,role_family,manager_email,start_date"
SITE = "Riverside Family Health"


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def row(name="Sam Carter", email="sam@example.org", site=SITE, family="medical-assistant", manager="",
        start="2024-02-01") -> str:
    return ",".join([name, email, site, family, manager, start])


def user_count(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def messages(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


def recent(days: int = 30) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


@pytest.fixture
def site(db):
    return SiteFactory(name=SITE)


@pytest.fixture
def library(app, db):
    with acting_as(db.session, None):
        apply_library(read_library(app.config["SEEDS_DIR"]))
    db.session.flush()


# Checks --------------------------------------------------------------------------------------
def test_a_clean_file_has_no_problems_and_matches_sites_and_families_loosely(db, site):
    plan = parse_staff_csv(csv_text(
        row(),
        row(name="Ann Lee", email="  Ann.Lee@Example.org ", site="riverside family health", family="Medical assistant"),
    ), today=TODAY)
    assert messages(plan) == []
    assert [r.email for r in plan.rows] == ["sam@example.org", "ann.lee@example.org"]
    assert all(r.site is site and r.role_family is RoleFamily.MEDICAL_ASSISTANT for r in plan.rows)
    assert plan.rows[0].start_date == date(2024, 2, 1)


@pytest.mark.parametrize(("cells", "expected"), [
    ({"name": ""}, "line 2, name: required; this cell is empty."),
    ({"email": ""}, "line 2, email: required; this cell is empty."),
    ({"site": ""}, "line 2, site: required; this cell is empty."),
    ({"family": ""}, "line 2, role_family: required; this cell is empty."),
    ({"start": ""}, "line 2, start_date: required; this cell is empty."),
    ({"name": "x" * 121}, "line 2, name: at most 120 characters (this one has 121)."),
    ({"email": "not-an-email"}, "line 2, email: 'not-an-email' is not a valid e-mail address."),
    ({"email": "two@@example.org"}, "line 2, email: 'two@@example.org' is not a valid e-mail address."),
    ({"email": "no-domain@localhost"}, "line 2, email: 'no-domain@localhost' is not a valid e-mail address."),
    ({"site": "Nowhere Clinic"}, "line 2, site: no site is named 'Nowhere Clinic'. Sites: Riverside Family Health."),
    ({"family": "surgeon"}, "line 2, role_family: 'surgeon' is not a role family. Use one of: medical-assistant,"),
    ({"start": "02/01/2024"}, "line 2, start_date: '02/01/2024' is not a date written YYYY-MM-DD."),
    ({"start": "2024-2-1"}, "line 2, start_date: '2024-2-1' is not a date written YYYY-MM-DD."),
    ({"start": "2024-02-30"}, "line 2, start_date: '2024-02-30' is not a date written YYYY-MM-DD."),
    ({"start": "2016-11-22"}, "line 2, start_date: 2016-11-22 is more than 10 years ago (before 2016-11-23)."),
    ({"start": "2027-11-24"}, "line 2, start_date: 2027-11-24 is more than a year ahead (after 2027-11-23)."),
    ({"manager": "ghost@example.org"},
     "line 2, manager_email: ghost@example.org is neither an existing manager's account nor a row in this file."),
    ({"manager": "sam@example.org"}, "line 2, manager_email: a person cannot be their own manager."),
])
def test_each_field_check_names_line_and_column(db, site, cells, expected):
    plan = parse_staff_csv(csv_text(row(**cells)), today=TODAY)
    assert len(plan.problems) == 1 and messages(plan)[0].startswith(expected), messages(plan)


def test_start_dates_on_the_limits_are_accepted(db, site):
    plan = parse_staff_csv(csv_text(row(start="2016-11-23"), row(email="b@example.org", start="2027-11-23")), today=TODAY)
    assert messages(plan) == []


def test_duplicate_email_in_the_file_points_at_the_first_line(db, site):
    plan = parse_staff_csv(csv_text(row(), row(name="Other", email="SAM@example.org")), today=TODAY)
    assert messages(plan) == ["line 3, email: sam@example.org appears more than once in this file (first on line 2)."]


def test_email_that_already_has_an_account_is_refused(db, site, make_user):
    make_user(email="taken@example.org")
    plan = parse_staff_csv(csv_text(row(email="Taken@example.org")), today=TODAY)
    assert messages(plan) == ["line 2, email: taken@example.org already has an account."]


def test_archived_site_is_refused(db, site):
    SiteFactory(name="Closed Clinic", archived_at=utcnow())
    db.session.flush()
    plan = parse_staff_csv(csv_text(row(site="closed clinic")), today=TODAY)
    assert messages(plan) == ["line 2, site: Closed Clinic is archived; choose an active site."]


def test_manager_must_be_an_active_manager_hr_or_admin(db, site, make_user):
    make_user(Role.STAFF, email="peer@example.org")
    gone = make_user(Role.MANAGER, email="gone@example.org")
    gone.active = False
    boss = make_user(Role.MANAGER, email="boss@example.org")
    make_user(Role.HR, email="hr@example.org")
    plan = parse_staff_csv(csv_text(
        row(email="a@example.org", manager="peer@example.org"),
        row(email="b@example.org", manager="gone@example.org"),
        row(email="c@example.org", manager="BOSS@example.org"),
        row(email="d@example.org", manager="hr@example.org"),
    ), today=TODAY)
    assert messages(plan) == [
        "line 2, manager_email: peer@example.org is a staff account; a manager must be a manager, HR or admin "
        "(or be a row in this file).",
        "line 3, manager_email: gone@example.org is deactivated; choose an active manager.",
    ]
    assert plan.rows[2].manager is boss


def test_manager_in_the_same_file_is_made_a_manager(db, site):
    plan = parse_staff_csv(csv_text(
        row(email="worker@example.org", manager="lead@example.org"),
        row(name="Lead", email="lead@example.org", family="practice-manager"),
    ), today=TODAY)
    assert messages(plan) == []
    worker, lead = plan.rows
    assert worker.manager_row is lead and lead.role is Role.MANAGER and worker.role is Role.STAFF


def test_managers_in_a_loop_are_refused(db, site):
    plan = parse_staff_csv(csv_text(
        row(email="a@example.org", manager="b@example.org"),
        row(email="b@example.org", manager="a@example.org"),
    ), today=TODAY)
    assert [p.line for p in plan.problems] == [2, 3]
    assert all(p.field == "manager_email" and "form a loop" in p.message for p in plan.problems)


@pytest.mark.parametrize(("text", "expected"), [
    ("", "The file is empty."),
    (HEADER + "\n", "The file has a header but no people to import."),
    (HEADER + "\n\n  \n,,,,,\n", "The file has a header but no people to import."),
    ("name,email,site,role_family,start_date\n" + row(), "line 1, header: missing column(s) manager_email."),
    (HEADER + ",phone\n" + row() + ",555", "line 1, header: unknown column(s) 'phone'; remove them."),
    (HEADER + ",email\n" + row() + ",x@example.org", "line 1, header: column(s) email appear more than once."),
    (csv_text(row() + ",extra"), "line 2: expected 6 values, found 7;"),
    (csv_text("Sam Carter,sam@example.org"), "line 2: expected 6 values, found 2;"),
    (csv_text('"Sam, unclosed,sam@example.org,x,y,,2024-01-01'), "line 2: the CSV cannot be read"),
])
def test_file_level_problems(db, site, text, expected):
    plan = parse_staff_csv(text, today=TODAY)
    assert messages(plan) and messages(plan)[0].startswith(expected), messages(plan)


def test_header_is_case_insensitive_in_any_order_and_a_bom_is_ignored(db, site):
    text = f"\ufeffStart_Date , EMAIL,Name,Site,Manager_Email,Role_Family\n2024-02-01,sam@example.org,Sam,{SITE},,front-desk\n"
    plan = plan_from_bytes(text.encode("utf-8"), today=TODAY)
    assert messages(plan) == []
    assert plan.rows[0].role_family is RoleFamily.FRONT_DESK and plan.rows[0].name == "Sam"


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(db, site):
    text = csv_text("", '"Sam\nCarter",sam@example.org,x,medical-assistant,,2024-02-01', row(email="bad"))
    plan = parse_staff_csv(text, today=TODAY)
    assert messages(plan) == [REFUSED.format(line=3, column="name", what="a line break (U+000A) at position 4"),
                              "line 3, site: no site is named 'x'. Sites: Riverside Family Health.",
                              "line 5, email: 'bad' is not a valid e-mail address."]


REFUSED = "line {line}, {column}: holds {what}; remove it and save the file again."
CELLS = {"name": "name", "email": "email", "site": "site", "family": "role_family", "manager": "manager_email",
         "start": "start_date"}


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(("value", "what"), [
    ('"Sam\r\nCarter"', "a line break (U+000D) at position 4"),
    ("Sam\tCarter", "a tab (U+0009) at position 4"),
    ("Sam\x1b[31mCarter", "an invisible control character (U+001B) at position 4"),
    ("Sam\u202eretraC", "a text-direction control character (U+202E) at position 4"),
])
def test_a_cell_with_a_character_no_form_accepts_is_refused_without_echoing_it(db, site, cell, value, what):
    plan = parse_staff_csv(csv_text(row(**{cell: value})), today=TODAY)
    assert messages(plan) == [REFUSED.format(line=2, column=CELLS[cell], what=what)]
    assert not plan.ok


def test_cli_refuses_a_file_with_one_disguised_name_and_imports_no_one(runner, db, site, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(csv_text(row(email="ok@example.org", start=recent()),
                             row(name="Ann\u202eeeL", email="ann@example.org", start=recent())), encoding="utf-8")
    before = user_count(db)
    result = runner.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 1
    assert "staff.csv was refused; nothing was imported." in result.output
    assert "  - " + REFUSED.format(line=3, column="name", what="a text-direction control character (U+202E) "
                                                               "at position 4") in result.output
    assert "\u202e" not in result.output
    assert user_count(db) == before


def test_non_utf8_and_oversized_files_are_refused(db, site):
    latin1 = csv_text(row(name="José")).encode("latin-1")
    assert messages(plan_from_bytes(latin1))[0].startswith("The file is not UTF-8 text")
    big = csv_text(row()).encode() + b"#" * services.MAX_BYTES
    assert messages(plan_from_bytes(big)) == ["The file is larger than 2 MB; split it into smaller files."]
    assert messages(parse_staff_csv(big.decode()))[0].startswith("The file is larger than 2 MB")


def test_more_than_5000_rows_are_refused(db, site):
    rows = [row(email=f"p{i}@example.org") for i in range(services.MAX_ROWS + 1)]
    plan = parse_staff_csv(csv_text(*rows), today=TODAY)
    assert messages(plan) == ["The file has more than 5,000 people; split it into smaller files."]
    assert plan.rows == []


def test_every_problem_in_the_file_is_reported_not_only_the_first(db, site):
    plan = parse_staff_csv(csv_text(row(email="bad", site="Nowhere"), row(email="ok@example.org", start="soon")),
                           today=TODAY)
    assert [(p.line, p.field) for p in plan.problems] == [(2, "email"), (2, "site"), (3, "start_date")]


def test_the_example_file_matches_the_format_and_passes(db, site):
    docs = Path(__file__).resolve().parents[2] / "docs" / "staff-import-example.csv"
    assert docs.read_text(encoding="utf-8") == example_csv()
    assert messages(parse_staff_csv(example_csv(), today=TODAY)) == []


# Applying ------------------------------------------------------------------------------------
def test_apply_creates_users_invitations_managers_and_onboarding(db, site, library, make_user):
    hr = make_user(Role.HR)
    boss = make_user(Role.MANAGER, email="boss@example.org")
    plan = parse_staff_csv(csv_text(
        row(name="Wes Worker", email="wes@example.org", manager="lead@example.org"),
        row(name="Lee Lead", email="lead@example.org", family="Practice manager / clinic leader",
            manager="boss@example.org", start="2020-06-01"),
        row(name="Fay Front", email="fay@example.org", family="front-desk"),
    ), today=TODAY)
    assert messages(plan) == []
    with acting_as(db.session, hr.id):
        users = apply_plan(plan, actor=hr, today=TODAY)
    wes, lead, fay = users
    assert [u.email for u in users] == ["wes@example.org", "lead@example.org", "fay@example.org"]
    assert lead.role is Role.MANAGER and wes.role is Role.STAFF and fay.role is Role.STAFF
    assert wes.manager is lead and lead.manager is boss and fay.manager is None
    assert wes.site is site and lead.start_date == date(2020, 6, 1) and not wes.has_password
    invited = set(db.session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.kind == "invitation")))
    assert invited == {"wes@example.org", "lead@example.org", "fay@example.org"}
    all_staff = db.session.scalars(select(Track.id).where(Track.kind == TrackKind.ALL_STAFF)).all()
    assert all_staff
    for user in users:
        tracks = set(db.session.scalars(select(Assignment.track_id).where(Assignment.employee_id == user.id)))
        assert set(all_staff) <= tracks
        assert db.session.scalar(select(func.count(Progress.id)).where(Progress.employee_id == user.id)) > 0
    wes_tracks = db.session.scalars(select(Track).join(Assignment).where(Assignment.employee_id == wes.id)).all()
    assert any("medical-assistant" in (t.role_families or []) for t in wes_tracks)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.imported"))
    assert event.actor_id == hr.id and event.after["count"] == 3


def test_apply_refuses_a_plan_with_problems(db, site):
    plan = parse_staff_csv(csv_text(row(email="bad")), today=TODAY)
    before = user_count(db)
    with pytest.raises(services.StaffImportError, match="1 problem"):
        apply_plan(plan, actor=None, today=TODAY)
    assert user_count(db) == before


def test_an_account_created_after_the_check_undoes_the_whole_import(db, site, make_user):
    plan = parse_staff_csv(csv_text(row(email="first@example.org"), row(email="late@example.org")), today=TODAY)
    make_user(email="late@example.org")
    before = user_count(db)
    with pytest.raises(services.StaffImportError, match="late@example.org already has an account. Nothing was imported."):
        apply_plan(plan, actor=None, today=TODAY)
    assert user_count(db) == before
    assert db.session.scalar(select(User).where(User.email == "first@example.org")) is None


def test_an_unexpected_error_rolls_back_every_row(db, site, monkeypatch):
    plan = parse_staff_csv(csv_text(row(email="one@example.org"), row(email="two@example.org")), today=TODAY)
    calls = []

    def failing(employee, **kwargs):
        calls.append(employee)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return []

    monkeypatch.setattr(services, "assign_on_hire", failing)
    before = user_count(db)
    with pytest.raises(RuntimeError):
        apply_plan(plan, actor=None, today=TODAY)
    assert user_count(db) == before
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_formula_looking_name_is_stored_as_text(db, site):
    plan = parse_staff_csv(csv_text(row(name="=1+1"), row(name='"=HYPERLINK(""http://x"")"', email="h@example.org")),
                           today=TODAY)
    users = apply_plan(plan, actor=None, today=TODAY)
    assert [u.name for u in users] == ["=1+1", '=HYPERLINK("http://x")']


# Pages ---------------------------------------------------------------------------------------
def upload(client, text: str | bytes, filename: str = "staff.csv"):
    data = text.encode() if isinstance(text, str) else text
    # Encoded here in memory: the test client spools big bodies to a temp file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(BytesIO(data), filename=filename)})
    return client.post("/admin/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def payload(html: str) -> str:
    match = re.search(r'name="payload" type="hidden" value="([^"]+)"', html) or \
        re.search(r'type="hidden" name="payload" value="([^"]+)"', html) or \
        re.search(r'id="payload" name="payload" type="hidden" value="([^"]+)"', html)
    assert match, "no payload on the page"
    return match.group(1)


def test_anonymous_users_are_sent_to_sign_in(client, db):
    response = client.get("/admin/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_upload_page_shows_the_format_and_links_the_example(client, login_as, role):
    login_as(role)
    html = client.get("/admin/import").get_data(as_text=True)
    assert HEADER in html and "Maria Lopez,maria.lopez@example.org" in html
    assert 'href="/admin/import/example.csv"' in html and 'enctype="multipart/form-data"' in html
    example = client.get("/admin/import/example.csv")
    assert example.mimetype == "text/csv" and example.get_data(as_text=True) == example_csv()


def test_preview_then_confirm_imports_everyone(client, login_as, db, site, library):
    hr = login_as(Role.HR)
    text = csv_text(row(name="Wes Worker", email="wes@example.org", manager="lead@example.org", start=recent()),
                    row(name="Lee Lead", email="lead@example.org", family="practice-manager", start=recent(400)))
    before = user_count(db)
    html = upload(client, text).get_data(as_text=True)
    assert "2 people in the file" in html and "no problems" in html and "Import 2 people" in html
    assert "Wes Worker" in html and "Lee Lead" in html and "(line 3)" in html and SITE in html
    assert user_count(db) == before, "the preview writes nothing"
    response = client.post("/admin/import/confirm", data={"payload": payload(html)}, follow_redirects=True)
    assert "Imported 2 people; invitations sent." in response.get_data(as_text=True)
    assert user_count(db) == before + 2
    wes = db.session.scalar(select(User).where(User.email == "wes@example.org"))
    assert wes.manager.email == "lead@example.org" and wes.manager.role is Role.MANAGER
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "invitation")) == 2
    assert db.session.scalar(select(func.count(Progress.id)).where(Progress.employee_id == wes.id)) > 0
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "staff.imported")) == hr.id


def test_a_file_with_one_bad_row_imports_nothing_from_the_page(client, login_as, db, site):
    login_as(Role.ADMIN)
    before = user_count(db)
    html = upload(client, csv_text(row(email="ok@example.org", start=recent()),
                                   row(email="oops", start=recent()))).get_data(as_text=True)
    assert "1 problem" in html and "line 3, email: &#39;oops&#39; is not a valid e-mail address." in html
    assert "Import 2 people" not in html and 'name="payload"' not in html
    assert user_count(db) == before


def test_a_refused_header_is_explained_on_the_preview(client, login_as, db, site):
    login_as(Role.HR)
    html = upload(client, "Name;Email\nSam;sam@example.org\n").get_data(as_text=True)
    assert "line 1, header: unknown column(s) &#39;name;email&#39;; remove them." in html
    assert "line 1, header: missing column(s) name, email, site, role_family, manager_email, start_date." in html
    assert "0 people in the file" in html and "<table" not in html


def test_confirm_checks_again_and_imports_nothing_if_the_file_went_bad(client, login_as, db, site, make_user):
    login_as(Role.HR)
    html = upload(client, csv_text(row(email="a@example.org", start=recent()),
                                   row(email="b@example.org", start=recent()))).get_data(as_text=True)
    make_user(email="b@example.org")  # someone invited b@ while the preview was open
    before = user_count(db)
    response = client.post("/admin/import/confirm", data={"payload": payload(html)})
    text = response.get_data(as_text=True)
    assert "Something changed since the preview" in text and "line 3, email: b@example.org already has an account." in text
    assert user_count(db) == before


def test_confirm_refuses_a_changed_or_someone_elses_payload(client, login_as, db, site, auth, make_user):
    login_as(Role.HR)
    html = upload(client, csv_text(row(start=recent()))).get_data(as_text=True)
    token = payload(html)
    other_admin = make_user(Role.ADMIN)
    before = user_count(db)
    response = client.post("/admin/import/confirm", data={"payload": token[:-2] + "xx"}, follow_redirects=True)
    assert "This preview has expired or was changed." in response.get_data(as_text=True)
    auth.logout()
    auth.login(other_admin)
    response = client.post("/admin/import/confirm", data={"payload": token}, follow_redirects=True)
    assert "This preview has expired or was changed." in response.get_data(as_text=True)
    assert user_count(db) == before


def test_upload_must_be_a_csv_of_at_most_2_mb(client, login_as, db, site):
    login_as(Role.HR)
    html = upload(client, csv_text(row()), filename="staff.xlsx").get_data(as_text=True)
    assert "Upload a .csv file" in html
    html = upload(client, b"x" * (services.MAX_BYTES + 1)).get_data(as_text=True)
    assert "The file must be at most 2 MB" in html
    html = client.post("/admin/import", data={}, content_type="multipart/form-data").get_data(as_text=True)
    assert "Choose a CSV file to upload." in html


def test_a_request_over_the_site_limit_is_explained_on_the_import_page(client, login_as, app, db):
    login_as(Role.HR)
    response = upload(client, b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The file must be at most 2 MB" in html and "Nothing was imported." in html


def test_a_line_break_in_a_name_is_explained_on_the_preview_and_nothing_can_be_confirmed(client, login_as, db, site):
    login_as(Role.HR)
    before = user_count(db)
    html = upload(client, csv_text(row(name='"Sam\r\nBcc: x@example.org"', start=recent()))).get_data(as_text=True)
    assert "1 problem" in html
    assert "line 2, name: holds a line break (U+000D) at position 4; remove it and save the file again." in html
    assert "Bcc: x@example.org" not in html and 'name="payload"' not in html
    assert user_count(db) == before


def test_formula_looking_and_markup_names_are_shown_escaped(client, login_as, db, site):
    login_as(Role.HR)
    html = upload(client, csv_text(row(name="=1+1", start=recent()),
                                   row(name="<b>Bold</b>", email="b@example.org", start=recent()))).get_data(as_text=True)
    assert "<td>=1+1</td>" in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html and "<b>Bold</b>" not in html
    client.post("/admin/import/confirm", data={"payload": payload(html)})
    assert db.session.scalar(select(User.name).where(User.email == "sam@example.org")) == "=1+1"


# Command -------------------------------------------------------------------------------------
def write(tmp_path, text: str) -> str:
    path = tmp_path / "staff.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_refuses_a_file_with_one_bad_row_and_lists_every_problem(runner, db, site, tmp_path):
    path = write(tmp_path, csv_text(row(email="ok@example.org", start=recent()),
                                    row(email="oops", site="Nowhere", start=recent())))
    before = user_count(db)
    result = runner.invoke(args=["import-staff", path])
    assert result.exit_code == 1
    assert "staff.csv was refused; nothing was imported." in result.output
    assert "  - line 3, email: 'oops' is not a valid e-mail address." in result.output
    assert "  - line 3, site: no site is named 'Nowhere'." in result.output
    assert user_count(db) == before


def test_cli_dry_run_writes_nothing(runner, db, site, tmp_path):
    path = write(tmp_path, csv_text(row(start=recent())))
    before = user_count(db)
    result = runner.invoke(args=["import-staff", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 people would be imported (dry run; nothing was written)" in result.output
    assert user_count(db) == before
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_cli_imports_a_good_file(runner, db, site, library, tmp_path, make_user):
    make_user(Role.MANAGER, email="boss@example.org")
    path = write(tmp_path, "\ufeff" + csv_text(
        row(email="wes@example.org", manager="lead@example.org", start=recent()),
        row(name="Lee Lead", email="lead@example.org", manager="boss@example.org", start=recent())))
    before = user_count(db)
    result = runner.invoke(args=["import-staff", path])
    assert result.exit_code == 0, result.output
    assert "Imported 2 people; invitations sent." in result.output
    assert user_count(db) == before + 2
    wes = db.session.scalar(select(User).where(User.email == "wes@example.org"))
    assert wes.manager.email == "lead@example.org" and wes.manager.manager.email == "boss@example.org"
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == wes.email)) == 1
    assert db.session.scalar(select(func.count(Progress.id)).where(Progress.employee_id == wes.id)) > 0
