"""Organization-wide reports for HR and leaders: completion, hiring, exports, PCMH evidence."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from app.reports import compliance_routes, routes  # noqa: E402,F401
