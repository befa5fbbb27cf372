"""The REST API under /api/v1: flask-smorest views with marshmallow schemas, bearer tokens with
scopes, per-token rate limits, a call log per token, and errors as RFC 9457 problem details."""

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from app.extensions import limiter


class StrictParser(FlaskParser):
    """A misspelt query parameter is reported (422), not ignored: a filter that silently did nothing
    would hand an integration every record."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE, "querystring": RAISE}


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = StrictParser()


bp = ApiBlueprint("api", __name__, description="Medical Home Hiring & Onboarding REST API, version 1")


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _rate_key() -> str:
    from app.api.access import rate_key

    return rate_key()


limiter.limit(rate_limit, key_func=_rate_key)(bp)

from app.api import employees, hiring, problems, training  # noqa: E402,F401
