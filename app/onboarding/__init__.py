"""Onboarding: tracks and modules, My onboarding, quizzes, attestations, sign-offs, tasks."""

from flask import Blueprint

bp = Blueprint("onboarding", __name__)

from app.onboarding import authoring, check_in_routes, preferences, routes  # noqa: E402,F401
