"""Credentials: the licences, registrations and certifications HR records and verifies for each employee."""

from flask import Blueprint

bp = Blueprint("credentials", __name__)

from app.credentials import credentialing_routes, routes, type_routes  # noqa: E402,F401
