"""Errors of the API as RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from http import HTTPStatus

from flask import jsonify
from werkzeug.exceptions import HTTPException

from app.api import bp
from app.extensions import db

PROBLEM_TYPE = "about:blank"  # the title is then the HTTP status phrase, as RFC 9457 section 4.2.1 asks
MEDIA_TYPE = "application/problem+json"


class ApiProblem(Exception):
    """A refusal with a message an integrator can act on; field errors for 422."""

    def __init__(self, status: int, detail: str, *, errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers or {}


def found(row, noun: str, record_id: int):
    """`row`, or a 404 naming what was looked for: "There is no open posting with id 7."."""
    if row is None:
        raise ApiProblem(404, f"There is no {noun} with id {record_id}.")
    return row


def get_or_404(model, record_id: int, noun: str):
    """The `model` row with this id, or a 404 naming the noun."""
    return found(db.session.get(model, record_id), noun, record_id)


def field_problem(field: str, message: str) -> ApiProblem:
    """A 422 for one field of the body, worded like webargs' own field errors."""
    return ApiProblem(422, DETAILS[422], errors={field: [message]})


def problem(status: int, detail: str, *, errors: dict | None = None, headers: dict | None = None):
    """A problem+json response."""
    body = {"type": PROBLEM_TYPE, "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    response.headers.update(headers or {})
    return response


def field_errors(messages: dict) -> dict[str, list[str]]:
    """webargs' {location: {field: [messages]}} as {field: [messages]}, nested fields dotted."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        else:
            flat.setdefault(prefix or "body", []).extend(value if isinstance(value, list) else [str(value)])

    for location_errors in messages.values():
        walk("", location_errors)
    return flat


DETAILS = {
    400: "The request could not be read; send JSON with Content-Type: application/json.",
    404: "There is no such record, or it is not visible to this token.",
    405: "This operation does not take that method.",
    415: "Send the body as JSON with Content-Type: application/json.",
    422: "Some fields are missing or invalid; see errors.",
    429: "This token has made too many calls; wait and try again.",
}


def problems(*codes: int, public: bool = False):
    """Document the problem responses an operation may give: 400 (an unreadable request: the app refuses
    control characters in every address), 401, 403 where a scope is needed, 429, and `codes`."""
    from app.api.schemas import Problem

    def decorator(view):
        for code in sorted({400, 401, 429, *(() if public else (403,)), *codes}):
            view = bp.alt_response(code, schema=Problem, content_type=MEDIA_TYPE,
                                   description=HTTPStatus(code).phrase)(view)
        return view

    return decorator


@bp.errorhandler(ApiProblem)
def api_problem(error: ApiProblem):
    return problem(error.status, error.detail, errors=error.errors, headers=error.headers)


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = field_errors(data["messages"]) if "messages" in data else None
    headers = dict(error.get_headers()) if status in (405, 429) else {}
    headers.pop("Content-Type", None)
    return problem(status, DETAILS.get(status, error.description or HTTPStatus(status).phrase), errors=errors,
                   headers=headers)
