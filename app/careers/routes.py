"""Careers routes (being written)."""

from app.careers import bp  # noqa: F401
