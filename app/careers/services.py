"""Careers: which postings are public, the JobPosting JSON-LD, résumé checks and applications."""

from __future__ import annotations

import logging
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

from flask import current_app
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage

from app import uploads
from app.audit import record
from app.extensions import db
from app.hiring import candidate_messages as messages
from app.models import (
    Application,
    ApplicationResubmission,
    Criterion,
    Posting,
    PostingStatus,
    Site,
    Stage,
    StageChange,
    Value,
)
from app.templating import render_markdown

log = logging.getLogger(__name__)

size_label = uploads.size_label


class ApplicationError(Exception):
    """A problem with an application that the applicant can fix, in words they can act on."""


class ResumeRejected(ApplicationError):
    """The uploaded résumé is not a PDF or is too large."""


# Which postings are public -------------------------------------------------------------------


def _is_public(today: date):
    """The SQL condition for a posting anyone may see and apply to."""
    return (
        (Posting.status == PostingStatus.OPEN)
        & Posting.archived_at.is_(None)
        & Site.archived_at.is_(None)
        & or_(Posting.closing_date.is_(None), Posting.closing_date >= today)
    )


def open_postings_by_site(today: date | None = None) -> list[tuple[Site, list[Posting]]]:
    """Open postings grouped by site (sites and titles alphabetical), in one query."""
    today = today or date.today()
    postings = db.session.scalars(
        select(Posting)
        .join(Posting.site)
        .options(joinedload(Posting.site))
        .where(_is_public(today))
        .order_by(Site.name, Site.id, Posting.title, Posting.id)
    ).all()
    return [(site, list(group)) for site, group in groupby(postings, key=lambda posting: posting.site)]


def open_posting(posting_id: int, today: date | None = None) -> Posting | None:
    """The posting when it is open to applicants, else None."""
    today = today or date.today()
    return db.session.scalar(
        select(Posting)
        .join(Posting.site)
        .options(joinedload(Posting.site))
        .where(Posting.id == posting_id, _is_public(today))
    )


def is_open(posting: Posting, today: date | None = None) -> bool:
    today = today or date.today()
    return (
        posting.status is PostingStatus.OPEN
        and posting.archived_at is None
        and posting.site.archived_at is None
        and (posting.closing_date is None or posting.closing_date >= today)
    )


def posting_values(posting: Posting) -> list[Value]:
    """The values the posting's rubric assesses, in rubric order, each once."""
    rows = db.session.execute(
        select(Value, Criterion.position)
        .join(Criterion, Criterion.value_id == Value.id)
        .where(Criterion.rubric_id == posting.rubric_id, Criterion.archived_at.is_(None), Value.archived_at.is_(None))
        .order_by(Criterion.position, Criterion.id)
    ).all()
    seen: dict[int, Value] = {}
    for value, _position in rows:
        seen.setdefault(value.id, value)
    return list(seen.values())


# schema.org JobPosting -----------------------------------------------------------------------


def job_posting_data(posting: Posting, *, organization: str) -> dict[str, Any]:
    """The posting as a schema.org JobPosting (https://schema.org/JobPosting)."""
    site = posting.site
    posted = posting.opened_at or posting.created_at
    address: dict[str, Any] = {"@type": "PostalAddress"}
    for key, field in (
        ("streetAddress", site.street),
        ("addressLocality", site.city),
        ("addressRegion", site.region),
        ("postalCode", site.postal_code),
    ):
        if field:
            address[key] = field
    address["addressCountry"] = "US"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": posting.title,
        "description": str(render_markdown(posting.description)),
        "datePosted": posted.date().isoformat(),
        "employmentType": posting.employment_type.value,
        "hiringOrganization": {"@type": "Organization", "name": organization},
        "jobLocation": {"@type": "Place", "address": address},
    }
    if posting.closing_date:
        data["validThrough"] = posting.closing_date.isoformat()
    return data


def script_json(data: Any) -> Markup:
    """JSON safe inside a <script> element: Jinja's tojson escaping ("<", ">", "&", "'" and every
    non-ASCII character become \\u escapes), so "</script>" cannot end it."""
    return htmlsafe_json_dumps(data)


# Résumés -------------------------------------------------------------------------------------


def check_resume(file_storage: FileStorage) -> bytes:
    """The uploaded résumé's bytes when it is a PDF within the size limit; ResumeRejected otherwise."""
    limit = current_app.config["RESUME_MAX_BYTES"]
    filename = (file_storage.filename or "").strip()
    if not filename.lower().endswith(".pdf"):
        raise ResumeRejected("Your résumé must be a PDF file (its name ends in .pdf).")
    data = uploads.read_limited(file_storage, limit)
    if data is None:
        raise ResumeRejected(
            f"Your résumé is larger than {size_label(limit)}. Save a smaller PDF (for example without "
            "photos) and try again."
        )
    if not data:
        raise ResumeRejected("The résumé file is empty. Choose the PDF again.")
    if uploads.kind_of(data, [uploads.PDF]) is None:
        raise ResumeRejected(
            "That file is not a PDF, even though its name ends in .pdf. Save or export your résumé "
            "as a PDF and try again."
        )
    return data


def resume_dir() -> Path:
    return Path(current_app.config["RESUME_DIR"])


def store_resume(data: bytes) -> str:
    """Write a checked résumé under RESUME_DIR with a random name; return the stored name."""
    return uploads.store(resume_dir(), data, uploads.PDF.extension)


# Applications --------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _existing(posting: Posting, email: str) -> Application | None:
    return db.session.scalar(
        select(Application).where(Application.posting_id == posting.id, func.lower(Application.email) == email)
    )


def _keep_beside(
    application: Application, *, name: str, phone: str, why: str, resume_name: str | None
) -> ApplicationResubmission:
    """Keep a repeat submission in its own row; the application itself is never changed from the public form."""
    resubmission = ApplicationResubmission(
        application_id=application.id, name=name, phone=phone, why_medical_home=why, resume_path=resume_name
    )
    db.session.add(resubmission)
    db.session.flush()
    record(db.session, "application.resubmitted", application, resubmission_id=resubmission.id,
           resume=resume_name is not None)
    db.session.flush()
    return resubmission


def queue_confirmation(application: Application, posting: Posting) -> None:
    """Queue the once-only e-mail telling a new applicant their application arrived."""
    organization = current_app.config["ORGANIZATION_NAME"]
    messages.queue_candidate_message(
        application,
        kind=messages.CONFIRMATION,
        subject=f"We received your application: {posting.title}",
        body=(
            f"Hello {application.name},\n\nThank you for applying for {posting.title} at {organization}. "
            "Our hiring team reads every application and will write to you at this address.\n"
        ),
    )


def submit_application(
    posting: Posting, *, name: str, email: str, phone: str, why: str, resume: bytes | None
) -> tuple[Application, bool]:
    """Add an application at Stage.APPLIED; (application, repeat).

    When this e-mail already applied to the posting, the submission is kept beside that application
    as an unverified resubmission and repeat is True: anyone may type any address into the public
    form, so it never changes what the candidate sent first. The caller shows the same thanks either way."""
    if not is_open(posting):
        raise ApplicationError("This posting is no longer taking applications.")
    email = normalize_email(email)
    name, phone, why = name.strip(), (phone or "").strip(), why.strip()
    resume_name = store_resume(resume) if resume is not None else None

    existing = _existing(posting, email)
    if existing is None:
        application = Application(
            posting_id=posting.id,
            name=name,
            email=email,
            phone=phone,
            why_medical_home=why,
            resume_path=resume_name,
            stage=Stage.APPLIED,
        )
        try:
            with db.session.begin_nested():
                db.session.add(application)
                db.session.flush()
        except IntegrityError:
            # The same e-mail arrived in a concurrent request: keep this one beside the row it made.
            existing = _existing(posting, email)
            if existing is None:
                raise
        else:
            db.session.add(StageChange(application_id=application.id, from_stage=None, to_stage=Stage.APPLIED))
            db.session.flush()
            log.info("application %s received for posting %s", application.id, posting.id)
            queue_confirmation(application, posting)
            return application, False

    resubmission = _keep_beside(existing, name=name, phone=phone, why=why, resume_name=resume_name)
    log.info("resubmission %s kept beside application %s for posting %s", resubmission.id, existing.id, posting.id)
    return existing, True
