"""Sign-in, sign-out and invitations."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import oidc_routes, routes  # noqa: E402,F401
