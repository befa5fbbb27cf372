"""The public careers page: open postings and the application form (no sign-in)."""

from flask import Blueprint

bp = Blueprint("careers", __name__)

from app.careers import offer_routes, routes  # noqa: E402,F401
