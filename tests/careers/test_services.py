"""Careers services: which postings are public, JSON-LD, résumé checks and storage, applications."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.careers import services
from app.extensions import db as _db
from app.models import (
    Application,
    ApplicationResubmission,
    AuditEvent,
    EmploymentType,
    Posting,
    PostingStatus,
    RoleFamily,
    Rubric,
    Site,
    Stage,
    StageChange,
)
from tests.careers.conftest import PDF
from tests.databases import on_postgres, run_together, scratch_app


def upload(data: bytes, filename: str = "resume.pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type="application/pdf")


def apply(posting, **fields):
    answers = {
        "name": "Ana Applicant",
        "email": "ana@example.org",
        "phone": "251-555-0100",
        "why": "I want to know my patients over time and share the work with a team.",
        "resume": None,
    }
    return services.submit_application(posting, **{**answers, **fields})


# Résumés ---------------------------------------------------------------------------------------


def test_renamed_executable_is_refused(app, db):
    with pytest.raises(services.ApplicationError, match="not a PDF"):
        services.check_resume(upload(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "resume.pdf"))


def test_pdf_with_another_extension_is_refused(app, db):
    with pytest.raises(services.ApplicationError, match=r"\.pdf"):
        services.check_resume(upload(PDF, "resume.docx"))


def test_empty_file_is_refused(app, db):
    with pytest.raises(services.ApplicationError, match="empty"):
        services.check_resume(upload(b"", "resume.pdf"))


def test_resume_over_the_size_limit_is_refused_with_the_limit_named(app, db):
    limit = app.config["RESUME_MAX_BYTES"]
    assert limit == 5 * 1024 * 1024
    data = b"%PDF-1.7\n" + b"0" * (limit + 1 - len(b"%PDF-1.7\n"))
    assert len(data) == limit + 1
    with pytest.raises(services.ApplicationError, match="larger than 5 MB"):
        services.check_resume(upload(data))


def test_resume_of_exactly_the_limit_is_accepted(app, db):
    limit = app.config["RESUME_MAX_BYTES"]
    data = PDF + b"0" * (limit - len(PDF))
    assert services.check_resume(upload(data)) == data


def test_small_pdf_is_accepted_and_stored_outside_the_web_root(app, db, resume_dir):
    data = services.check_resume(upload(PDF, "My Résumé (final).PDF"))
    assert data == PDF
    name = services.store_resume(data)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", name)  # random, never the applicant's file name
    stored = (resume_dir / name).resolve()
    assert stored.read_bytes() == PDF
    assert stored.is_relative_to(Path(app.config["RESUME_DIR"]).resolve())
    assert not stored.is_relative_to(Path(app.static_folder).resolve())
    assert not stored.is_relative_to(Path(app.root_path).resolve())


def test_store_resume_creates_the_folder_and_never_reuses_a_name(app, db, resume_dir):
    assert not resume_dir.exists()
    names = {services.store_resume(PDF) for _ in range(3)}
    assert resume_dir.is_dir() and len(names) == 3
    assert sorted(p.name for p in resume_dir.iterdir()) == sorted(names)


# Applications ----------------------------------------------------------------------------------


def test_new_application_starts_applied_with_a_stage_change(db, posting):
    application, repeat = apply(posting, email="  Ana@Example.ORG ")
    assert repeat is False
    assert application.stage is Stage.APPLIED
    assert application.email == "ana@example.org"
    changes = db.session.scalars(select(StageChange).where(StageChange.application_id == application.id)).all()
    assert [(c.from_stage, c.to_stage, c.actor_id) for c in changes] == [(None, Stage.APPLIED, None)]


def test_application_with_resume_records_the_stored_name(db, posting, resume_dir):
    application, _ = apply(posting, resume=PDF)
    assert (resume_dir / application.resume_path).read_bytes() == PDF


def application_row(db, application_id: int) -> tuple:
    """What the application holds, read back from the database."""
    db.session.expire_all()
    row = db.session.get(Application, application_id)
    return (row.name, row.email, row.phone, row.why_medical_home, row.resume_path, row.stage)


@pytest.mark.parametrize("stage", [Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER])
def test_repeat_submission_never_changes_the_application_and_is_kept_beside_it(db, posting, resume_dir, stage):
    first, _ = apply(posting, email="ana@example.org", resume=PDF)
    first.stage = stage
    db.session.flush()
    before = application_row(db, first.id)

    application, repeat = apply(
        posting,
        email="  ANA@Example.org ",
        name="Mallory Impostor",
        phone="251-555-0199",
        why="Not Ana: whoever knows her address can send this form.",
        resume=PDF + b"%other",
    )

    assert repeat is True and application.id == first.id
    assert application_row(db, first.id) == before
    assert (resume_dir / before[4]).read_bytes() == PDF
    rows = db.session.scalars(select(Application).where(Application.posting_id == posting.id)).all()
    assert len(rows) == 1
    [extra] = db.session.scalars(
        select(ApplicationResubmission).where(ApplicationResubmission.application_id == first.id)
    ).all()
    assert (extra.name, extra.phone, extra.why_medical_home) == (
        "Mallory Impostor",
        "251-555-0199",
        "Not Ana: whoever knows her address can send this form.",
    )
    assert extra.resume_path != before[4] and (resume_dir / extra.resume_path).read_bytes() == PDF + b"%other"
    assert extra.received_at is not None
    assert db.session.scalar(select(func.count(StageChange.id)).where(StageChange.application_id == first.id)) == 1


def test_repeat_submission_is_audited_as_a_resubmission_not_a_merge(db, posting):
    first, _ = apply(posting)
    apply(posting, email="Ana@Example.org ", name="Ana B.", resume=PDF)
    extra = db.session.scalar(select(ApplicationResubmission))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == first.id)).all()
    actions = [e.action for e in events if e.entity_type == "application"]
    assert "application.merged" not in actions and "application.updated" not in actions
    [event] = [e for e in events if e.action == "application.resubmitted"]
    assert (event.entity_type, event.actor_id) == ("application", None)
    assert event.after == {"resubmission_id": extra.id, "resume": True}


def test_repeat_submission_without_a_resume_keeps_none_beside_the_first(db, posting):
    first, _ = apply(posting, resume=PDF)
    apply(posting, resume=None)
    extra = db.session.scalar(select(ApplicationResubmission))
    assert extra.resume_path is None and application_row(db, first.id)[4] == first.resume_path


def test_a_concurrent_duplicate_is_kept_as_a_resubmission_and_leaves_the_row_alone(db, posting, monkeypatch):
    """The insert loses to a row the same e-mail made a moment earlier (the IntegrityError path)."""
    first, _ = apply(posting, name="Ana Applicant")
    before = application_row(db, first.id)
    real, looked = services._existing, []

    def not_there_yet(posting, email):
        looked.append(email)
        return None if len(looked) == 1 else real(posting, email)

    monkeypatch.setattr(services, "_existing", not_there_yet)
    application, repeat = apply(posting, email="ANA@example.org", name="Racing Request", phone="251-555-0111")

    assert looked == ["ana@example.org", "ana@example.org"]
    assert repeat is True and application.id == first.id
    assert application_row(db, first.id) == before
    [extra] = db.session.scalars(select(ApplicationResubmission)).all()
    assert (extra.application_id, extra.name, extra.phone) == (first.id, "Racing Request", "251-555-0111")
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_resubmissions_are_never_deleted(db, posting):
    apply(posting)
    apply(posting, name="Again")
    extra = db.session.scalar(select(ApplicationResubmission))
    db.session.delete(extra)
    with pytest.raises(RuntimeError, match="never deleted"):
        db.session.flush()


def test_same_email_on_another_posting_is_a_separate_application(db, posting, make_posting):
    other = make_posting("Front Desk Associate")
    apply(posting)
    _, repeat = apply(other)
    assert repeat is False
    assert db.session.scalar(select(func.count(Application.id))) == 2
    assert db.session.scalar(select(func.count(ApplicationResubmission.id))) == 0


def test_closed_posting_takes_no_application(db, make_posting):
    closed = make_posting(status=PostingStatus.CLOSED)
    with pytest.raises(services.ApplicationError, match="no longer"):
        apply(closed)
    assert db.session.scalar(select(func.count(Application.id))) == 0


# Which postings are public ---------------------------------------------------------------------


def test_only_open_unarchived_unexpired_postings_are_public(db, make_posting, make_site):
    today = date.today()
    west = make_site("Westside Clinic")
    shown = [
        make_posting("Open, closes today", closing_date=today),
        make_posting("Open, no closing date", closing_date=None),
        make_posting("Open at the west site", site=west),
    ]
    make_posting("Draft", status=PostingStatus.DRAFT, opened_at=None)
    make_posting("Closed", status=PostingStatus.CLOSED)
    make_posting("Expired", closing_date=today - timedelta(days=1))
    archived = make_posting("Archived")
    archived.archive()
    db.session.flush()

    groups = services.open_postings_by_site(today)
    assert [(site.name, [p.title for p in postings]) for site, postings in groups] == [
        ("Eastside Family Health", ["Open, closes today", "Open, no closing date"]),
        ("Westside Clinic", ["Open at the west site"]),
    ]
    assert {p.id for p in shown} == {p.id for _, postings in groups for p in postings}
    assert services.open_posting(archived.id) is None


def test_posting_values_follow_the_rubric_order(db, posting, values):
    assert [v.name for v in services.posting_values(posting)] == [v.name for v in values]


# JSON-LD ---------------------------------------------------------------------------------------


def test_job_posting_data_has_the_schema_org_properties(db, make_posting):
    posting = make_posting(employment_type=EmploymentType.PART_TIME, closing_date=date(2031, 1, 31))
    data = services.job_posting_data(posting, organization="Bayou Health")
    assert data["@type"] == "JobPosting" and data["employmentType"] == "PART_TIME"
    assert data["datePosted"] == "2025-03-01" and data["validThrough"] == "2031-01-31"
    assert data["hiringOrganization"] == {"@type": "Organization", "name": "Bayou Health"}
    assert "<strong>care team</strong>" in data["description"]


def test_job_posting_without_closing_date_has_no_valid_through(db, make_posting):
    data = services.job_posting_data(make_posting(closing_date=None), organization="Bayou Health")
    assert "validThrough" not in data


def test_script_json_cannot_end_the_script_element():
    data = {"title": "</script><script>alert(1)</script>", "note": "a & b <!-- c", "site": "Clínica\u2028Sur"}
    text = str(services.script_json(data))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == data


# Concurrency (PostgreSQL) ----------------------------------------------------------------------

THREADS = 10


@pytest.mark.skipif(not on_postgres(), reason="needs PostgreSQL; set TEST_DATABASE_URL to run this")
def test_simultaneous_submissions_of_one_email_make_one_application_and_keep_the_rest_beside_it(tmp_path):
    with scratch_app(tmp_path, "careers", pool_size=THREADS + 2, RESUME_DIR=str(tmp_path / "resumes")) as app:
        with app.app_context():
            site = Site(name="Concurrent Clinic", city="Mobile", region="AL")
            rubric = Rubric(name="Rubric", role_family=RoleFamily.MEDICAL_ASSISTANT)
            _db.session.add_all([site, rubric])
            _db.session.flush()
            posting = Posting(title="Medical Assistant", site_id=site.id, rubric_id=rubric.id,
                              role_family=RoleFamily.MEDICAL_ASSISTANT, status=PostingStatus.OPEN,
                              opened_at=datetime(2025, 3, 1))
            _db.session.add(posting)
            _db.session.commit()
            posting_id = posting.id
            _db.session.remove()

        def submit(index: int, start) -> bool:
            posting = _db.session.get(Posting, posting_id)
            start()
            _, repeat = services.submit_application(
                posting, name=f"Ana {index}", email="Ana@Example.org", phone="",
                why="I want to know my patients over time.", resume=None,
            )
            _db.session.commit()
            return index, repeat

        results, errors = run_together(app, THREADS, submit)
        assert errors == []
        assert sorted(repeat for _, repeat in results) == [False] + [True] * (THREADS - 1)
        [first] = [index for index, repeat in results if not repeat]
        with app.app_context():
            [application] = _db.session.scalars(select(Application)).all()
            assert application.name == f"Ana {first}"  # the first one in, never overwritten
            extra = _db.session.scalars(select(ApplicationResubmission.name)).all()
            assert sorted(extra) == sorted(f"Ana {index}" for index, repeat in results if repeat)
            assert _db.session.scalar(select(func.count(StageChange.id))) == 1
            _db.session.remove()
