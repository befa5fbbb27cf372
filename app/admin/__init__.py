"""Administration: users, sites and the audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import api_tokens, imports, routes  # noqa: E402,F401
