"""Error pages in the app's own look; JSON for API clients; a calm 503 while the database is away."""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, SecurityError

from app.extensions import db, login_manager
from app.read_only import end_read_only

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 15
SQLITE_OUTAGES = ("unable to open database", "database is locked", "disk I/O error")
MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Page not found", "The page you asked for does not exist or was archived."),
    405: ("Not allowed", "That action is not available here."),
    413: ("Too large", "The upload is larger than this site accepts."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong", "The error has been logged. Please try again in a moment."),
    503: ("Temporarily unavailable", "The service cannot reach its database right now. Please try again in a "
          "minute. If you were sending a form, check whether it was saved before sending it again."),
}


def render_error(code: int, detail: str | None = None):
    """The error page (or JSON); a 503 says when to try again."""
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.path.startswith("/api/"):  # RFC 9457 problem details, as the API's own errors are
        response = jsonify(type="about:blank", title=HTTPStatus(code).phrase, status=code, detail=detail or message)
        response.mimetype = "application/problem+json"
    elif request.accept_mimetypes.best == "application/json":
        response = jsonify(error=title, message=detail or message)
    else:
        response = render_template("errors/error.html", code=code, title=title, message=detail or message)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if code == 503 else {}
    return response, code, headers


def is_database_outage(error: BaseException) -> bool:
    """Errors that mean the database cannot be reached or its connection broke, not a bad statement.

    PostgreSQL drivers raise OperationalError only for the server and the connection; SQLite's also
    covers statement mistakes such as a missing column, so for SQLite only file-level failures count."""
    if isinstance(error, (InterfaceError, PoolTimeout)):
        return True
    if isinstance(error, OperationalError):
        if type(error.orig).__module__ == "sqlite3":
            return any(sign in str(error.orig) for sign in SQLITE_OUTAGES)
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def discard_session() -> None:
    """Roll back and drop the request's session; its connection may already be gone."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (a dead connection may refuse even the rollback)
        log.warning("rollback failed on a lost database connection")
    db.session.remove()


def end_session_quietly(error: BaseException | None = None) -> None:
    """End the request's session (runs before Flask-SQLAlchemy's own teardown, which then has
    nothing left to do). A read-only page leaves a transaction open; if the server cut the connection
    meanwhile, the rollback fails, and that must not turn a finished page into a 500. The broken
    connection has already been invalidated: the pool replaces it on the next checkout.
    A request that wrote nothing commits instead (app.read_only: PostgreSQL keeps its prepared
    statements); one that failed is rolled back."""
    try:
        if error is None:
            end_read_only(db.session())
        db.session.remove()
    except SQLAlchemyError as problem:
        if not is_database_outage(problem):
            raise
        log.warning("session ended on a lost database connection: %s", type(problem).__name__)
        db.session.registry.clear()


def forget_user() -> None:
    """Treat this request as anonymous, so rendering a page (its navigation, Flask-Login's template
    context) does not call the user loader, which reads the database."""
    login_manager._update_request_context_with_user()  # noqa: SLF001 (what logout_user does, without the session)


def init_error_handlers(app: Flask) -> None:
    app.teardown_appcontext(end_session_quietly)  # registered after db.init_app, so it runs first

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, "The form expired or was not sent from this site. Reload the page and try again.")

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        """A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page in the app's layout."""
        log.warning("request for an untrusted host refused on %s", request.path)
        return "400 Bad request: this server does not answer to that host name.\n", 400, {
            "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_error(error: Exception):
        if not is_database_outage(error):
            return server_error(error)
        discard_session()
        forget_user()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
        log.error("database unavailable on %s %s: %s", request.method, request.path, reason)
        return render_error(503)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s", request.path)
        return render_error(500)
