"""Onboarding: tracks and modules, My onboarding, quizzes, attestations, sign-offs, tasks, check-in schedule."""

from flask import Blueprint

bp = Blueprint("onboarding", __name__)

from app.onboarding import authoring, check_in_routes, check_in_schedule, preferences, routes  # noqa: E402,F401
