"""Sign-in with the organization's identity provider: the redirect there and the way back."""

from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user
from joserfc.errors import JoseError

from app import mail
from app.audit import record
from app.auth import bp, oidc
from app.auth.routes import _login_limit, _safe_next
from app.extensions import db, limiter

log = logging.getLogger(__name__)

NEXT_KEY = "oidc_next"
# What can go wrong between the provider and us: its answer, its keys, the token's claims, the network.
PROVIDER_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError, TypeError)


def _provider_failed(response) -> bool:
    return g.pop("oidc_failed", False)


def _provider_name() -> str:
    return current_app.config["OIDC_PROVIDER_NAME"]


@bp.get("/login/oidc")
def oidc_login():
    """Send the browser to the identity provider to sign in (authorization code flow with PKCE)."""
    if not oidc.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    try:
        client = oidc.client()
        oidc.check_discovery(client)
        session[NEXT_KEY] = _safe_next(request.args.get("next"))
        return client.authorize_redirect(mail.external_url("auth.oidc_callback"))
    except oidc.SignInRefused as problem:
        flash(str(problem), "danger")
    except PROVIDER_ERRORS as error:
        log.warning("identity provider unreachable or misconfigured: %s", error.__class__.__name__)
        flash(f"Sign-in with {_provider_name()} is not answering right now. Try again in a few minutes.", "danger")
    return redirect(url_for("auth.login"))


@bp.get("/login/oidc/callback")
@limiter.limit(_login_limit, deduct_when=_provider_failed)  # like failed password sign-ins from one address
def oidc_callback():
    """The provider sends the browser back here: check the answer and the ID token, then sign in."""
    if not oidc.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    target = session.pop(NEXT_KEY, None)
    try:
        token = oidc.client().authorize_access_token()
        claims = token.get("userinfo")  # the ID token's claims, verified: signature, iss, aud, exp, nonce
        if not claims:
            raise oidc.SignInRefused(f"{_provider_name()} did not send an ID token. Ask IT to check the settings.")
        user = oidc.account_for(dict(claims))
    except oidc.SignInRefused as problem:
        return _refused(str(problem), type(problem).__name__)
    except PROVIDER_ERRORS as error:
        log.warning("sign-in with the identity provider failed: %s %s", error.__class__.__name__,
                    getattr(error, "error", ""))
        return _refused(f"Sign-in with {_provider_name()} did not complete, so you are not signed in. "
                        "Start again from this page.", error.__class__.__name__)
    session.clear()  # a fresh session at sign-in, as with a password
    login_user(user)
    record(db.session, "user.signed_in", user, method="oidc")
    db.session.commit()
    return redirect(_safe_next(target))


def _refused(message: str, reason: str):
    db.session.rollback()  # nothing an account lookup or creation did is kept
    g.oidc_failed = True
    record(db.session, "user.sign_in_refused", None, method="oidc", reason=reason[:80])
    db.session.commit()
    flash(message, "danger")
    return redirect(url_for("auth.login"))
