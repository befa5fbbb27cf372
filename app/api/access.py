"""Who may call the API: a bearer token (never the session cookie), its scopes, and the call log."""

from __future__ import annotations

import logging
from functools import wraps

from flask import request
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import SQLAlchemyError

from app.api import bp
from app.api.problems import ApiProblem
from app.api.tokens import find_token, log_call
from app.audit import acting_as
from app.extensions import db
from app.models import ApiToken, Scope, utcnow

log = logging.getLogger(__name__)

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}
SECURITY_SCHEME = "bearerAuth"
TOKEN_KEY = "medical_home.api_token"  # noqa: S105 (a WSGI environ key, not a secret)


def presented_secret() -> str | None:
    """The secret of an `Authorization: Bearer …` header; None when there is none."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def current_token() -> ApiToken | None:
    """The token the request presents, looked up once per request (usable or not)."""
    if TOKEN_KEY not in request.environ:  # the request's own storage (tests share one `g` across requests)
        secret = presented_secret()
        request.environ[TOKEN_KEY] = find_token(secret) if secret else None
    return request.environ[TOKEN_KEY]


def rate_key() -> str:
    """Flask-Limiter's key: the token's id; requests without a known token count by address."""
    token = current_token()
    return f"api-token:{token.id}" if token is not None else f"api-address:{get_remote_address()}"


def authenticated() -> ApiToken:
    """The request's usable token, or a 401 saying what is wrong with the credentials."""
    if presented_secret() is None:
        raise ApiProblem(401, "Send the integration's API token as 'Authorization: Bearer <token>'. "
                              "Signing in to the web app does not authorize API calls.", headers=CHALLENGE)
    token = current_token()
    if token is None:
        raise ApiProblem(401, "This API token is not valid. Check it was copied whole, or ask an "
                              "administrator for a new one.", headers=CHALLENGE)
    if token.revoked_at is not None:
        raise ApiProblem(401, f"This API token was revoked on {token.revoked_at:%Y-%m-%d}.", headers=CHALLENGE)
    if token.expires_at <= utcnow():
        raise ApiProblem(401, f"This API token expired on {token.expires_at:%Y-%m-%d}; ask an administrator "
                              "for a new one.", headers=CHALLENGE)
    if not token.issuer_is_admin:  # else it would act as a manager's or a departed person's token
        raise ApiProblem(401, "The person who issued this API token is no longer an active administrator; ask "
                              "an administrator for a new one.", headers=CHALLENGE)
    return token


def has_scope(token: ApiToken | None, scope: Scope) -> bool:
    return token is not None and scope.value in token.scopes


def requires(scope: Scope):
    """An operation for tokens holding `scope`; its changes are audited as the token's creator's."""

    def decorator(view):
        view = bp.doc(security=[{SECURITY_SCHEME: [scope.value]}])(view)

        @wraps(view)
        def wrapped(*args, **kwargs):
            token = authenticated()
            if not has_scope(token, scope):
                raise ApiProblem(403, f"This operation needs the {scope.value} scope; this token has "
                                      f"{', '.join(token.scopes)}.")
            # A savepoint, so a refused call undoes only its own changes and its log entry is still kept.
            savepoint = db.session.begin_nested()
            try:
                with acting_as(db.session, token.created_by_id):
                    return view(*args, **kwargs)
            except Exception:
                if savepoint.is_active:
                    savepoint.rollback()
                raise

        wrapped.api_scope = scope
        return wrapped

    return decorator


def public(view):
    """An operation anyone may call; a token, if sent, must be valid (it may widen what is shown)."""
    view = bp.doc(security=[{}, {SECURITY_SCHEME: []}])(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        if presented_secret() is not None:
            authenticated()
        return view(*args, **kwargs)

    wrapped.api_scope = None
    return wrapped


@bp.after_request
def log_the_call(response):
    """Keep API answers out of caches, and log every call made with a known token (even a refused one)."""
    response.headers["Cache-Control"] = "no-store"
    token = request.environ.get(TOKEN_KEY)
    if token is None:
        return response
    token_id = token.id
    try:
        log_call(token_id, method=request.method, path=request.full_path.rstrip("?"), status=response.status_code)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("api call of token %s could not be logged", token_id)
    return response
