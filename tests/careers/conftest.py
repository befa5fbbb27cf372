"""Careers fixtures: a throwaway résumé folder, postings with a rubric of values, small PDFs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.models import (
    Criterion,
    EmploymentType,
    Posting,
    PostingStatus,
    RoleFamily,
    Rubric,
    Site,
    Value,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def resume_dir(app, tmp_path, monkeypatch):
    """Every careers test stores résumés under its own tmp_path, never under instance/."""
    path = tmp_path / "resumes"
    monkeypatch.setitem(app.config, "RESUME_DIR", str(path))
    return path


@pytest.fixture
def values(db):
    rows = [
        Value(
            key="team-based-care",
            name="Team-Based Healing Relationships",
            position=1,
            summary="Patients see the same care team, and the team shares the work.",
        ),
        Value(
            key="patient-centered",
            name="Patient-Centered Interactions",
            position=2,
            summary="Patients and families are partners in their own care.",
        ),
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


@pytest.fixture
def rubric(db, values):
    rubric = Rubric(name="Medical assistant rubric", role_family=RoleFamily.MEDICAL_ASSISTANT)
    db.session.add(rubric)
    db.session.flush()
    for position, value in enumerate(values):
        db.session.add(
            Criterion(
                rubric_id=rubric.id,
                value_id=value.id,
                position=position,
                title=f"Shows {value.name}",
                weight=50,
                anchor_1="No example.",
                anchor_3="A general example.",
                anchor_5="A specific example.",
            )
        )
    db.session.flush()
    return rubric


@pytest.fixture
def make_site(db):
    def make(name: str = "Eastside Family Health", **fields) -> Site:
        defaults = {"street": "100 Main Street", "city": "Mobile", "region": "AL", "postal_code": "36602"}
        site = Site(name=name, **{**defaults, **fields})
        db.session.add(site)
        db.session.flush()
        return site

    return make


@pytest.fixture
def make_posting(db, rubric, make_site):
    """make_posting(title=..., status=..., site=...): an open posting by default."""
    sites: dict[str, Site] = {}

    def make(title: str = "Medical Assistant", *, site: Site | None = None, **fields) -> Posting:
        if site is None:
            site = sites.get("default") or sites.setdefault("default", make_site())
        defaults = {
            "department": "Family Medicine",
            "role_family": RoleFamily.MEDICAL_ASSISTANT,
            "employment_type": EmploymentType.FULL_TIME,
            "description": "Join our **care team**.\n\n- Daily huddles\n- Protected improvement time",
            "status": PostingStatus.OPEN,
            "opened_at": datetime(2025, 3, 1, 14, 30),
            "closing_date": date.today() + timedelta(days=30),
        }
        posting = Posting(title=title, site_id=site.id, rubric_id=rubric.id, **{**defaults, **fields})
        db.session.add(posting)
        db.session.flush()
        return posting

    return make


@pytest.fixture
def posting(make_posting):
    return make_posting()
