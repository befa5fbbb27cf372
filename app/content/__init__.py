"""The PCMH content library: seed loading, the content check and the content browser."""

from flask import Blueprint

bp = Blueprint("content", __name__)

from app.content import routes  # noqa: E402,F401
