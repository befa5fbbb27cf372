"""The careers pages over HTTP: listing, posting page and JSON-LD, applying, résumé downloads."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.models import Application, ApplicationResubmission, EmploymentType, PostingStatus, Role, Stage, StageChange
from tests.careers.conftest import PDF
from tests.conftest import csrf_token

WHY = "I want to know my patients over time and plan their care with a team."


def form(**fields):
    data = {"name": "Ana Applicant", "email": "ana@example.org", "phone": "(251) 555-0143", "why": WHY}
    data.update(fields)
    return data


def application_count(db) -> int:
    return db.session.scalar(select(func.count(Application.id)))


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


# The list --------------------------------------------------------------------------------------


def test_careers_lists_only_open_postings_by_site_with_links(client, db, make_posting, make_site):
    west = make_site("Westside Clinic", city="Prichard")
    east_open = make_posting("Medical Assistant")
    west_open = make_posting("Community Health Worker", site=west, closing_date=None)
    hidden = [
        make_posting("Draft job", status=PostingStatus.DRAFT, opened_at=None),
        make_posting("Closed job", status=PostingStatus.CLOSED),
        make_posting("Expired job", closing_date=date.today() - timedelta(days=1)),
    ]
    archived = make_posting("Archived job")
    archived.archive()
    db.session.flush()

    response = client.get("/careers")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "patient-centered medical home" in html
    assert f'href="/careers/{east_open.id}"' in html and f'href="/careers/{west_open.id}"' in html
    assert html.index("Eastside Family Health") < html.index("Medical Assistant") < html.index("Westside Clinic")
    assert html.index("Westside Clinic") < html.index("Community Health Worker")
    assert "Open until filled" in html
    for posting in [*hidden, archived]:
        assert posting.title not in html and f'/careers/{posting.id}"' not in html


def test_careers_says_so_when_nothing_is_open(client, db):
    html = client.get("/careers").get_data(as_text=True)
    assert "There are no open positions right now" in html


def test_careers_runs_a_fixed_number_of_queries(client, db, make_posting, make_site, count_queries):
    make_posting()
    with count_queries() as few:
        client.get("/careers")
    for index in range(5):
        make_posting(f"Job {index}", site=make_site(f"Clinic {index}"))
    with count_queries() as many:
        client.get("/careers")
    assert len(many) == len(few)


# One posting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"status": PostingStatus.DRAFT, "opened_at": None},
        {"status": PostingStatus.CLOSED},
        {"closing_date": date.today() - timedelta(days=1)},
        {"archived": True},
    ],
)
def test_posting_that_is_not_open_is_not_found(client, db, make_posting, fields):
    archived = fields.pop("archived", False)
    posting = make_posting("Hidden job", **fields)
    if archived:
        posting.archive()
        db.session.flush()
    for url in (f"/careers/{posting.id}", f"/careers/{posting.id}/thanks"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Hidden job" not in response.get_data(as_text=True)
    response = client.post(f"/careers/{posting.id}", data=form())
    assert response.status_code == 404 and application_count(db) == 0


def test_unknown_posting_is_not_found(client, db):
    assert client.get("/careers/999999").status_code == 404


def test_posting_page_shows_the_job_and_the_values_we_hire_for(client, db, make_posting, values):
    posting = make_posting(
        employment_type=EmploymentType.PER_DIEM,
        closing_date=date(2031, 1, 31),
        description="## The job\n\nYou **join a team**.\n\n<script>alert('x')</script>",
    )
    response = client.get(f"/careers/{posting.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in (
        "Medical Assistant",
        "Eastside Family Health",
        "Mobile",
        "Per diem",
        "Family Medicine",
        "Jan 31, 2031",
        "<strong>join a team</strong>",
        "The medical-home values we hire for",
    ):
        assert text in html
    for value in values:
        assert value.name in html and value.summary in html
    assert "alert(" not in html.replace("\\u003c", "")  # the description's script is gone
    assert 'name="website"' in html and 'enctype="multipart/form-data"' in html
    assert "Content-Security-Policy" in response.headers


def test_posting_page_has_no_script_but_the_json_ld(client, db, posting):
    html = client.get(f"/careers/{posting.id}").get_data(as_text=True)
    assert re.findall(r"<script\b[^>]*>", html) == ['<script type="application/ld+json">']


def test_json_ld_is_a_complete_job_posting(client, db, app, make_posting, make_site):
    site = make_site("Harbor Health", street="12 Water St", city="Mobile", region="AL", postal_code="36602")
    posting = make_posting(
        "RN Care Manager </script> & more",
        site=site,
        employment_type=EmploymentType.PART_TIME,
        closing_date=date(2031, 1, 31),
    )
    html = client.get(f"/careers/{posting.id}").get_data(as_text=True)
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "JobPosting"
    assert data["title"] == "RN Care Manager </script> & more"
    assert "<strong>care team</strong>" in data["description"]
    assert data["datePosted"] == "2025-03-01"
    assert data["validThrough"] == "2031-01-31"
    assert data["employmentType"] == "PART_TIME"
    assert data["hiringOrganization"] == {"@type": "Organization", "name": app.config["ORGANIZATION_NAME"]}
    assert data["jobLocation"] == {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "12 Water St",
            "addressLocality": "Mobile",
            "addressRegion": "AL",
            "postalCode": "36602",
            "addressCountry": "US",
        },
    }


# Applying --------------------------------------------------------------------------------------


def test_applying_stores_the_application_and_thanks_the_applicant(client, db, posting, resume_dir):
    response = client.post(
        f"/careers/{posting.id}", data=form(email="Ana@Example.org", resume=(io.BytesIO(PDF), "cv.pdf"))
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/careers/{posting.id}/thanks#main")
    application = db.session.scalar(select(Application))
    assert (application.name, application.email, application.phone) == (
        "Ana Applicant",
        "ana@example.org",
        "(251) 555-0143",
    )
    assert application.why_medical_home == WHY and application.stage is Stage.APPLIED
    assert (resume_dir / application.resume_path).read_bytes() == PDF
    assert db.session.scalar(select(func.count(StageChange.id))) == 1
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you for applying" in thanks and posting.title in thanks


def test_applying_again_keeps_the_first_application_and_thanks_the_same_way(client, db, posting, resume_dir):
    first = client.post(f"/careers/{posting.id}", data=form(resume=(io.BytesIO(PDF), "cv.pdf")))
    again = client.post(
        f"/careers/{posting.id}",
        data=form(email=" ANA@example.org ", name="Mallory Impostor", phone="(251) 555-0199",
                  why="Not Ana at all, but I know the address she applied with.",
                  resume=(io.BytesIO(PDF + b"%other"), "cv.pdf")),
    )
    fresh = client.post(f"/careers/{posting.id}", data=form(email="bo@example.org", name="Bo Newcomer"))

    assert first.headers["Location"] == again.headers["Location"] == fresh.headers["Location"]
    repeat_thanks = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Thank you for applying" in repeat_thanks and "already" not in repeat_thanks
    ana = db.session.scalar(select(Application).where(Application.email == "ana@example.org"))
    assert (ana.name, ana.phone, ana.why_medical_home) == ("Ana Applicant", "(251) 555-0143", WHY)
    assert (resume_dir / ana.resume_path).read_bytes() == PDF
    [extra] = db.session.scalars(select(ApplicationResubmission)).all()
    assert (extra.application_id, extra.name, extra.phone) == (ana.id, "Mallory Impostor", "(251) 555-0199")
    assert (resume_dir / extra.resume_path).read_bytes() == PDF + b"%other"
    assert application_count(db) == 2


def test_the_form_does_not_promise_that_applying_again_updates_the_application(client, db, posting):
    page = client.get(f"/careers/{posting.id}").get_data(as_text=True)
    assert "updates your application" not in page


def test_filled_honeypot_is_thanked_but_stores_nothing(client, db, posting, resume_dir):
    response = client.post(
        f"/careers/{posting.id}",
        data=form(website="http://spam.example", resume=(io.BytesIO(PDF), "cv.pdf")),
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Thank you for applying" in response.get_data(as_text=True)
    assert application_count(db) == 0
    assert not resume_dir.exists()


def test_honeypot_is_hidden_from_people(client, db, posting):
    html = client.get(f"/careers/{posting.id}").get_data(as_text=True)
    hidden = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', html, re.S)
    assert hidden and 'name="website"' in hidden.group(1)
    assert 'tabindex="-1"' in hidden.group(1) and 'autocomplete="off"' in hidden.group(1)


def test_missing_fields_are_named_on_the_form_and_nothing_is_stored(client, db, posting):
    response = client.post(f"/careers/{posting.id}", data={"name": " ", "email": "not-an-email", "why": "Short"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please enter your name." in html
    assert "Enter an e-mail address like name@example.org." in html
    assert "Write between 20 and 2,000 characters (you wrote 5)." in html
    assert application_count(db) == 0


def test_bad_phone_is_refused(client, db, posting):
    html = client.post(f"/careers/{posting.id}", data=form(phone="<b>call me</b>")).get_data(as_text=True)
    assert "Enter a phone number" in html and application_count(db) == 0


def test_renamed_executable_is_refused_on_the_form(client, db, posting, resume_dir):
    response = client.post(f"/careers/{posting.id}", data=form(resume=(io.BytesIO(b"MZ\x90\x00" * 64), "cv.pdf")))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That file is not a PDF" in html and "choose your résumé again" in html
    assert application_count(db) == 0 and not resume_dir.exists()


def test_request_over_the_upload_limit_gets_a_clear_page(client, db, app, posting):
    # A raw body: the test client would spool a multipart file this big to an unclosed temp file.
    body = b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(f"/careers/{posting.id}", data=body, content_type="multipart/form-data; boundary=x")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "at most 5 MB" in html and f"/careers/{posting.id}" in html
    assert application_count(db) == 0


def test_applications_are_rate_limited_per_address(client, db, posting):
    for index in range(5):
        assert client.post(f"/careers/{posting.id}", data=form(email=f"a{index}@example.org")).status_code == 302
    response = client.post(f"/careers/{posting.id}", data=form(email="late@example.org"))
    assert response.status_code == 429
    assert "try again in an hour" in response.get_data(as_text=True)
    assert application_count(db) == 5


def test_form_mistakes_do_not_use_up_the_rate_limit(client, db, posting):
    for _ in range(6):
        assert client.post(f"/careers/{posting.id}", data=form(why="too short")).status_code == 200
    assert client.post(f"/careers/{posting.id}", data=form()).status_code == 302


def test_application_needs_the_csrf_token(client, db, posting, csrf_on):
    response = client.post(f"/careers/{posting.id}", data=form())
    assert response.status_code == 400 and application_count(db) == 0
    token = csrf_token(client.get(f"/careers/{posting.id}"))
    response = client.post(f"/careers/{posting.id}", data=form(csrf_token=token))
    assert response.status_code == 302 and application_count(db) == 1


# Résumé downloads ------------------------------------------------------------------------------


@pytest.fixture
def application_with_resume(db, posting):
    from app.careers import services

    application, _ = services.submit_application(
        posting, name="Ana", email="ana@example.org", phone="", why=WHY, resume=PDF
    )
    return application


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_hr_and_admin_download_the_resume(client, login_as, application_with_resume, role):
    login_as(role)
    with client.get(f"/hiring/applications/{application_with_resume.id}/resume") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        assert response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f"resume-{application_with_resume.id}.pdf" in disposition
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_staff_and_managers_may_not_download_a_resume(client, login_as, application_with_resume, role):
    login_as(role)
    response = client.get(f"/hiring/applications/{application_with_resume.id}/resume")
    assert response.status_code == 403 and response.data != PDF


def test_anonymous_visitor_is_sent_to_sign_in_for_a_resume(client, application_with_resume):
    response = client.get(f"/hiring/applications/{application_with_resume.id}/resume")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_resume_download_is_not_found_without_a_file(
    client, db, login_as, posting, application_with_resume, resume_dir
):
    login_as(Role.HR)
    from app.careers import services

    without, _ = services.submit_application(posting, name="Bo", email="bo@example.org", phone="", why=WHY, resume=None)
    assert client.get(f"/hiring/applications/{without.id}/resume").status_code == 404
    (resume_dir / application_with_resume.resume_path).unlink()
    assert client.get(f"/hiring/applications/{application_with_resume.id}/resume").status_code == 404
    assert client.get("/hiring/applications/999999/resume").status_code == 404


@pytest.mark.parametrize("stored", ["../outside.pdf", "/etc/passwd", "..", ""])
def test_resume_download_never_leaves_the_resume_folder(
    client, db, login_as, application_with_resume, resume_dir, stored
):
    (resume_dir.parent / "outside.pdf").write_bytes(PDF)
    login_as(Role.ADMIN)
    application_with_resume.resume_path = stored
    db.session.flush()
    assert client.get(f"/hiring/applications/{application_with_resume.id}/resume").status_code == 404


# Later submissions, as HR sees them --------------------------------------------------------------


@pytest.fixture
def resubmitted(client, db, posting):
    """Ana applies with a résumé; someone then sends the form again with her address in capitals."""
    client.post(f"/careers/{posting.id}", data=form(resume=(io.BytesIO(PDF), "cv.pdf")))
    client.post(
        f"/careers/{posting.id}",
        data=form(email="ANA@EXAMPLE.ORG ", name="Mallory Impostor", phone="(251) 555-0199",
                  why="I am not Ana, but I know the address she applied with.",
                  resume=(io.BytesIO(PDF + b"%other"), "cv.pdf")),
    )
    application = db.session.scalar(select(Application))
    return application, db.session.scalar(select(ApplicationResubmission))


def test_hr_sees_a_later_submission_beside_the_application_marked_unverified(client, db, login_as, resubmitted):
    application, extra = resubmitted
    login_as(Role.HR)
    page = client.get(f"/hiring/applications/{application.id}").get_data(as_text=True)

    title = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert "Ana Applicant" in title and "Mallory" not in title
    first, later = page.split("Later submissions from the same e-mail address", 1)
    assert "(251) 555-0143" in first and WHY in first and "Mallory" not in first
    assert "Not verified" in later and "nobody has checked that Ana Applicant sent these" in later
    assert "The application above is unchanged" in later
    assert "Mallory Impostor" in later and "(251) 555-0199" in later
    assert "I am not Ana, but I know the address she applied with." in later
    link = f"/hiring/applications/{application.id}/resubmissions/{extra.id}/resume"
    assert f'href="{link}"' in later and "Download unverified résumé" in later
    assert f'href="/hiring/applications/{application.id}/resume"' in first

    with client.get(link) as download:
        assert download.status_code == 200 and download.data == PDF + b"%other"
    assert "unverified" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    with client.get(f"/hiring/applications/{application.id}/resume") as original:
        assert original.data == PDF


def test_an_application_sent_once_shows_no_later_submissions(client, db, login_as, posting):
    client.post(f"/careers/{posting.id}", data=form())
    login_as(Role.HR)
    page = client.get(f"/hiring/applications/{db.session.scalar(select(Application.id))}").get_data(as_text=True)
    assert "Ana Applicant" in page and "Later submissions" not in page


def test_the_candidate_page_costs_the_same_whatever_the_number_of_later_submissions(
    client, db, login_as, resubmitted, count_queries
):
    application, _ = resubmitted
    login_as(Role.HR)
    db.session.expire_all()
    with count_queries() as few:
        client.get(f"/hiring/applications/{application.id}")
    for index in range(4):
        db.session.add(ApplicationResubmission(application_id=application.id, name=f"Again {index}"))
    db.session.flush()
    db.session.expire_all()
    with count_queries() as many:
        page = client.get(f"/hiring/applications/{application.id}").get_data(as_text=True)
    assert "Again 3" in page and len(many) == len(few)


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_staff_and_managers_may_not_download_a_later_submissions_resume(client, login_as, resubmitted, role):
    application, extra = resubmitted
    login_as(role, is_interviewer=True)
    response = client.get(f"/hiring/applications/{application.id}/resubmissions/{extra.id}/resume")
    assert response.status_code == 403 and PDF not in response.data


def test_a_later_submissions_resume_is_found_only_under_its_own_application(
    client, db, login_as, posting, resubmitted, resume_dir
):
    application, extra = resubmitted
    client.post(f"/careers/{posting.id}", data=form(email="bo@example.org", name="Bo"))
    bo = db.session.scalar(select(Application).where(Application.email == "bo@example.org"))
    login_as(Role.ADMIN)
    assert client.get(f"/hiring/applications/{bo.id}/resubmissions/{extra.id}/resume").status_code == 404
    assert client.get(f"/hiring/applications/{application.id}/resubmissions/999999/resume").status_code == 404
    (resume_dir / extra.resume_path).unlink()
    assert client.get(f"/hiring/applications/{application.id}/resubmissions/{extra.id}/resume").status_code == 404
