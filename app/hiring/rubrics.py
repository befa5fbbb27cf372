"""Hiring routes (being written)."""

from app.hiring import bp  # noqa: F401
