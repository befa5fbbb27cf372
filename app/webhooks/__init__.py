"""Webhooks: admins register URLs that receive signed POSTs when people are hired, finish training,
move through the pipeline or have a credential about to expire."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from app.webhooks import commands, routes  # noqa: E402,F401
from app.webhooks.delivery import emit  # noqa: E402,F401
