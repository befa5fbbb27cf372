"""Team status: a manager's reports and their training."""

from flask import Blueprint

bp = Blueprint("team", __name__)

from app.team import check_in_routes, routes  # noqa: E402,F401
