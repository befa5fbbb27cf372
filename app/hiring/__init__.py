"""Hiring: the question bank, rubrics, postings and kits, pipeline, interviews, scorecards, hire."""

from flask import Blueprint

bp = Blueprint("hiring", __name__)

from app.hiring import (  # noqa: E402,F401
    hire,
    interviews,
    messages,
    offers,
    pipeline,
    postings,
    questions,
    resumes,
    rubrics,
    schedule_pages,
)
