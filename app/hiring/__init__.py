"""Hiring: the question bank, rubrics, postings and kits, pipeline, interviews, scorecards, hire."""

from flask import Blueprint

bp = Blueprint("hiring", __name__)

from app.hiring import hire, interviews, offers, pipeline, postings, questions, resumes, rubrics  # noqa: E402,F401
