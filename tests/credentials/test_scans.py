"""Scanned copies: checked by their first bytes and size, stored outside the web root under a random name,
replaced by archiving the old record, and downloadable only by HR, admins and the person."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.credentials.scans import attach_scan, check_scan, current_scan
from app.credentials.services import CredentialError, archive_credential
from app.models import AuditEvent, CredentialScan, EmployeeCredential, Role
from tests.access_world import ADMIN, ANON, HR, INTERVIEWER, MANAGER, OTHER_MANAGER, PNG, STAFF, Browsers, make_world
from tests.helpers import text

PDF = b"%PDF-1.7\n% a scanned licence\n"
JPEG = b"\xff\xd8\xff\xe0" + bytes(32)


def upload(data: bytes, name: str = "licence.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.fixture
def scan_dir(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "scans"
    monkeypatch.setitem(app.config, "CREDENTIAL_SCAN_DIR", str(folder))
    return folder


# Checks ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "mimetype"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_a_pdf_png_or_jpeg_is_recognised_by_its_first_bytes_whatever_its_name(db, data, mimetype):
    assert check_scan(upload(data, "scan.txt")).kind.mimetype == mimetype


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 a program", "must be a PDF, PNG or JPEG"),
        (b"GIF89a" + bytes(20), "must be a PDF, PNG or JPEG"),
        (b"<html><script>alert(1)</script>", "must be a PDF, PNG or JPEG"),
        (b"", "empty"),
    ],
)
def test_anything_else_is_refused_with_the_reason(db, data, message):
    with pytest.raises(CredentialError, match=message):
        check_scan(upload(data))


def test_a_scan_over_the_configured_limit_is_refused(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "CREDENTIAL_SCAN_MAX_BYTES", 1024)
    check_scan(upload(PDF + bytes(1024 - len(PDF))))  # exactly the limit is fine
    with pytest.raises(CredentialError, match="larger than"):
        check_scan(upload(PDF + bytes(1025 - len(PDF))))


# Storing and replacing -----------------------------------------------------------------------------
def test_a_scan_is_stored_outside_static_under_a_random_name_and_audited(app, db, kinds, hold, make_user, scan_dir):
    hr = make_user(Role.HR)
    credential = hold(make_user(Role.STAFF), kinds["rn"], actor=hr)
    scan = attach_scan(credential, check_scan(upload(PDF, "../../etc/passwd.pdf")), actor=hr)
    stored = scan_dir / scan.stored_name
    assert stored.read_bytes() == PDF
    assert "passwd" not in scan.stored_name and len(scan.stored_name) == 32 + len(".pdf")
    assert not stored.resolve().is_relative_to(Path(app.static_folder).resolve())
    assert (scan.mimetype, scan.size, scan.uploaded_by_id) == ("application/pdf", len(PDF), hr.id)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action.like("credential.scan%"))) == (
        "credential.scan_added"
    )


def test_replacing_a_scan_archives_the_old_record_and_keeps_its_file(db, kinds, hold, make_user, scan_dir):
    hr = make_user(Role.HR)
    credential = hold(make_user(Role.STAFF), kinds["rn"], actor=hr)
    first = attach_scan(credential, check_scan(upload(PDF)), actor=hr)
    second = attach_scan(credential, check_scan(upload(PNG, "new.png")), actor=hr)
    db.session.expire_all()
    assert current_scan(credential) == second
    assert db.session.get(CredentialScan, first.id).archived_at is not None
    assert (scan_dir / first.stored_name).exists() and (scan_dir / second.stored_name).exists()
    assert db.session.get(EmployeeCredential, credential.id).archived_at is None
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("credential.scan%"))))
    assert actions == ["credential.scan_added", "credential.scan_replaced"]


def test_a_scan_is_never_hard_deleted_and_an_archived_credential_takes_no_new_one(db, kinds, hold, make_user, scan_dir):
    hr = make_user(Role.HR)
    credential = hold(make_user(Role.STAFF), kinds["rn"], actor=hr)
    scan = attach_scan(credential, check_scan(upload(PDF)), actor=hr)
    archive_credential(credential, actor=hr)
    with pytest.raises(CredentialError, match="archived"):
        attach_scan(credential, check_scan(upload(PDF)), actor=hr)
    db.session.delete(scan)
    with pytest.raises(RuntimeError, match="never deleted"):
        db.session.flush()


# HR's pages ----------------------------------------------------------------------------------------
def test_hr_adds_a_licence_with_its_scan_in_one_step(client, db, login_as, kinds, make_user, scan_dir):
    login_as(Role.HR)
    nurse = make_user(Role.STAFF, name="Nora Nurse")
    page = text(client.post(f"/credentials/people/{nurse.id}", data={
        "credential_type_id": str(kinds["rn"].id), "number": "RN-9", "issuer": "Oregon board",
        "expires_on": "2028-01-31", "scan": (io.BytesIO(PDF), "licence.pdf")},
        content_type="multipart/form-data", follow_redirects=True))
    assert "RN licence added for Nora Nurse" in page and "Download" in page
    credential = db.session.scalar(select(EmployeeCredential).where(EmployeeCredential.employee_id == nurse.id))
    assert (scan_dir / current_scan(credential).stored_name).read_bytes() == PDF


def test_a_bad_scan_refuses_the_whole_credential_and_stores_nothing(client, db, login_as, kinds, make_user, scan_dir):
    login_as(Role.HR)
    nurse = make_user(Role.STAFF)
    page = text(client.post(f"/credentials/people/{nurse.id}", data={
        "credential_type_id": str(kinds["rn"].id), "number": "RN-9", "issuer": "Oregon board",
        "expires_on": "2028-01-31", "scan": (io.BytesIO(b"MZ not a scan"), "licence.pdf")},
        content_type="multipart/form-data", follow_redirects=True))
    assert "must be a PDF, PNG or JPEG" in page
    assert db.session.scalar(select(EmployeeCredential)) is None and db.session.scalar(select(CredentialScan)) is None
    assert not scan_dir.exists() or not any(scan_dir.iterdir())


def test_hr_replaces_a_scan_from_its_page(client, db, login_as, kinds, hold, scan_dir):
    hr = login_as(Role.HR)
    credential = hold(hr, kinds["bls"], actor=hr)
    attach_scan(credential, check_scan(upload(PDF)), actor=hr)
    db.session.commit()
    form = text(client.get(f"/credentials/{credential.id}/scan"))
    assert "Replace the scan of BLS" in form and "the old one is kept in the history" in form
    page = text(client.post(f"/credentials/{credential.id}/scan", data={"scan": (io.BytesIO(JPEG), "new.jpg")},
                            content_type="multipart/form-data", follow_redirects=True))
    assert "Scan of BLS saved" in page
    db.session.expire_all()
    assert current_scan(credential).mimetype == "image/jpeg"
    assert len(list(db.session.scalars(select(CredentialScan)))) == 2


# Who may download it: object-level, over HTTP with the access world --------------------------------
@pytest.fixture
def world(app, db, make_user, tmp_path, monkeypatch):
    return make_world(app, db, make_user, tmp_path, monkeypatch)


@pytest.fixture
def browsers(app, world):
    return Browsers(app, world)


def test_hr_admin_and_the_person_get_the_scan_as_an_attachment_that_is_never_sniffed(world, browsers):
    for actor in (HR, ADMIN, STAFF):  # STAFF is Sam, whose card it is
        response = browsers.call(actor, "GET", f"/credentials/{world.sam_credential_id}/scan/file")
        assert response.status_code == 200, actor
        assert response.data == PNG and response.mimetype == "image/png"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]


def test_everyone_else_finds_nothing_as_if_there_were_no_such_scan(world, browsers):
    own = f"/credentials/{world.sam_credential_id}/scan/file"
    for actor in (INTERVIEWER, MANAGER, OTHER_MANAGER):  # MANAGER is Mona, Sam's own manager
        response = browsers.call(actor, "GET", own)
        assert response.status_code == 404 and response.data != PNG, actor
        assert browsers.call(actor, "GET", "/credentials/999999/scan/file").status_code == 404
    anonymous = browsers.call(ANON, "GET", own)
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")


def test_tess_cannot_fetch_sams_scan_and_a_credential_without_one_gives_404(db, world, browsers, make_user):
    browsers.restart(STAFF, account="tess")
    assert browsers.call(STAFF, "GET", f"/credentials/{world.sam_credential_id}/scan/file").status_code == 404
    browsers.restart(HR)
    assert browsers.call(HR, "GET", f"/credentials/{world.credential_id}/scan/file").status_code == 404


def test_the_person_finds_the_link_to_their_scan_on_my_onboarding(world, browsers):
    page = browsers.call(STAFF, "GET", "/onboarding").get_data(as_text=True)
    assert f'href="/credentials/{world.sam_credential_id}/scan/file"' in page
