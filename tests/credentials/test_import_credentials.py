"""flask import-staff --credentials: a credentials CSV checked row by row with the staff file, imported with it
or not at all."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.admin.credential_import import parse_credentials
from app.audit import acting_as
from app.content.library import read_library
from app.content.services import apply_library
from app.models import AuditEvent, CredentialType, EmployeeCredential, Role, User, VerificationMethod
from tests.factories import SiteFactory

SITE = "Riverside Family Health"
STAFF_HEADER = "name,email,site,role_family,manager_email,start_date"
HEADER = "email,credential,number,issuer,issued_on,expires_on,verification,verification_source"
RECENT = (date.today() - timedelta(days=30)).isoformat()
EXPIRES = (date.today() + timedelta(days=400)).isoformat()


@pytest.fixture
def kinds(db):
    bls = CredentialType(name="BLS card", role_families=["medical-assistant"], renewal_months=24)
    rn = CredentialType(name="RN licence", role_families=["nurse-care-manager"], primary_source_required=True,
                        renewal_months=24)
    board = CredentialType(name="Board certification", role_families=[], primary_source_required=True)
    db.session.add_all([bls, rn, board])
    db.session.flush()
    return {"bls": bls, "rn": rn, "board": board}


@pytest.fixture
def files(tmp_path, db):
    SiteFactory(name=SITE)

    def write(staff_rows: list[str], credential_rows: list[str]) -> tuple[str, str]:
        staff, held = tmp_path / "staff.csv", tmp_path / "credentials.csv"
        staff.write_text("\n".join([STAFF_HEADER, *staff_rows]) + "\n", encoding="utf-8")
        held.write_text("\n".join([HEADER, *credential_rows]) + "\n", encoding="utf-8")
        return str(staff), str(held)

    return write


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def problems(data: str, staff: set[str] = frozenset({"sam@example.org"})) -> list[str]:
    return [str(problem) for problem in parse_credentials(data.encode(), set(staff)).problems]


def test_staff_and_their_credentials_import_together(runner, db, kinds, files):
    staff, held = files([f"Sam Carter,sam@example.org,{SITE},medical-assistant,,{RECENT}"], [
        f"sam@example.org,BLS card,B-1,American Heart Association,,{EXPIRES},copy-seen,",
        "SAM@example.org,bls card,B-0,American Heart Association,2020-01-01,2022-01-01,,",
    ])
    result = runner.invoke(args=["import-staff", staff, "--credentials", held])
    assert result.exit_code == 0, result.output
    assert "Imported 1 people and 2 credentials; invitations sent." in result.output
    sam = db.session.scalar(select(User).where(User.email == "sam@example.org"))
    held_rows = db.session.scalars(select(EmployeeCredential).where(EmployeeCredential.employee_id == sam.id)
                                   .order_by(EmployeeCredential.number)).all()
    assert [(c.number, c.verified, c.verification_method) for c in held_rows] == [
        ("B-0", False, None), ("B-1", True, VerificationMethod.COPY_SEEN)]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "credential.imported")) == 2


def test_one_bad_credential_row_refuses_staff_and_credentials_alike(runner, db, kinds, files):
    staff, held = files([f"Sam Carter,sam@example.org,{SITE},medical-assistant,,{RECENT}"], [
        f"sam@example.org,BLS card,B-1,AHA,,{EXPIRES},,",
        "sam@example.org,BLS card,B-2,AHA,,2027-02-30,,",
    ])
    users, credentials = count(db, User), count(db, EmployeeCredential)
    result = runner.invoke(args=["import-staff", staff, "--credentials", held])
    assert result.exit_code == 1
    assert "staff.csv with credentials.csv was refused; nothing was imported." in result.output
    assert "  - line 3, credentials file expires_on: '2027-02-30' is not a date written YYYY-MM-DD." in result.output
    assert (count(db, User), count(db, EmployeeCredential)) == (users, credentials)


def test_credentials_of_an_existing_employee_and_a_dry_run(runner, db, kinds, files, make_user):
    make_user(Role.STAFF, email="old@example.org")
    staff, held = files([f"Sam Carter,sam@example.org,{SITE},medical-assistant,,{RECENT}"],
                        [f"old@example.org,BLS card,B-9,AHA,,{EXPIRES},,"])
    before = count(db, EmployeeCredential)
    dry = runner.invoke(args=["import-staff", staff, "--credentials", held, "--dry-run"])
    assert dry.exit_code == 0 and "1 people would be imported with 1 credentials (dry run" in dry.output
    assert count(db, EmployeeCredential) == before
    assert runner.invoke(args=["import-staff", staff, "--credentials", held]).exit_code == 0
    old = db.session.scalar(select(User).where(User.email == "old@example.org"))
    assert db.session.scalar(select(EmployeeCredential.number).where(EmployeeCredential.employee_id == old.id)) == "B-9"


@pytest.mark.parametrize(("row", "message"), [
    (f"ghost@example.org,BLS card,B,AHA,,{EXPIRES},,",
     "line 2, credentials file email: ghost@example.org is neither a row of the staff file nor an existing account."),
    (f"sam@example.org,Pilot licence,B,AHA,,{EXPIRES},,",
     "line 2, credentials file credential: 'Pilot licence' is not a credential type in use."),
    ("sam@example.org,BLS card,B,AHA,,,,", "line 2, credentials file expires_on: BLS card expires; give its expiry date."),
    ("sam@example.org,BLS card,B,AHA,2027-01-01,2026-01-01,,",
     "line 2, credentials file expires_on: the expiry date is before the issue date; check both dates."),
    (f"sam@example.org,RN licence,RN-1,Board,,{EXPIRES},copy-seen,",
     "line 2, credentials file verification: RN licence must be verified with the primary source, not a copy."),
    (f"sam@example.org,RN licence,RN-1,Board,,{EXPIRES},primary-source,",
     "line 2, credentials file verification_source: name the primary source you checked."),
    (f"sam@example.org,BLS card,B,AHA,,{EXPIRES},looked at it,",
     "line 2, credentials file verification: 'looked at it' is not a way of verifying"),
    (f"sam@example.org,BLS card,,AHA,,{EXPIRES},,", "line 2, credentials file number: required; this cell is empty."),
    (f"sam@example.org,BLS card,B\u202e1,AHA,,{EXPIRES},,",
     "line 2, credentials file number: holds a text-direction control character"),
    (f"sam@example.org,BLS card,B,AHA,{EXPIRES}", "line 2, credentials file: expected 8 values, found 5"),
])
def test_each_bad_row_is_named_by_line_and_column(db, kinds, row, message):
    found = problems(f"{HEADER}\n{row}\n")
    assert len(found) == 1 and found[0].startswith(message), found


def test_a_repeated_credential_a_wrong_header_and_an_empty_file_are_refused(db, kinds):
    repeated = f"sam@example.org,BLS card,B,AHA,,{EXPIRES},,"
    assert problems(f"{HEADER}\n{repeated}\n{repeated}\n") == [
        "line 3, credentials file number: the same credential appears on line 2 too."]
    assert problems("email,kind\nsam@example.org,BLS\n")[0].startswith(
        "line 1, credentials file header: the header must name these columns once each")
    assert problems(f"{HEADER}\n") == ["credentials file: The file has a header but no credentials."]
    assert problems("")[0].startswith("credentials file: The file is empty.")


def test_the_example_files_in_docs_import_together(app, runner, db):
    with acting_as(db.session, None):
        apply_library(read_library(app.config["SEEDS_DIR"]))
    SiteFactory(name=SITE)
    docs = Path(app.root_path).parent / "docs"
    result = runner.invoke(args=["import-staff", str(docs / "staff-import-example.csv"),
                                 "--credentials", str(docs / "staff-credentials-example.csv")])
    assert result.exit_code == 0, result.output
    sam = db.session.scalar(select(User).where(User.email == "sam.carter@example.org"))
    assert db.session.scalar(select(func.count()).select_from(EmployeeCredential)
                             .where(EmployeeCredential.employee_id == sam.id)) == 2
