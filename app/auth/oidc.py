"""Sign-in with the organization's identity provider (OpenID Connect, through Authlib's Flask client).

One provider, configured by OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; everything else comes
from its discovery document. The authorization code flow with PKCE (S256); Authlib keeps the state,
nonce and code verifier in the signed session and checks the state on the way back; the ID token's
signature (against the provider's JWKS), issuer, audience, expiry and nonce are checked before anyone is
signed in. An account is found by the token's e-mail, and only when the provider says it is verified.
"""

from __future__ import annotations

import logging

from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app
from sqlalchemy import select

from app.audit import record
from app.auth.services import AccountError, normalize_email
from app.extensions import db
from app.models import Role, User

log = logging.getLogger(__name__)

NAME = "oidc"
SCOPE = "openid email profile"


class SignInRefused(AccountError):
    """The provider vouched for someone this app does not let in, with a message saying why."""


def enabled() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER"))


def password_allowed(user: User) -> bool:
    """Whether this account may sign in with a password under PASSWORD_LOGIN."""
    policy = current_app.config.get("PASSWORD_LOGIN") or "on"
    if not enabled() or policy == "on":
        return True
    return policy == "admins" and user.role is Role.ADMIN


def password_form_shown() -> bool:
    return not enabled() or (current_app.config.get("PASSWORD_LOGIN") or "on") != "off"


_clients: dict[tuple, FlaskOAuth2App] = {}


def client() -> FlaskOAuth2App:
    """The Authlib client for the configured provider; one per configuration, so the discovery document
    and the JWKS are fetched once per process, not on every sign-in."""
    config = current_app.config
    key = (config["OIDC_ISSUER"], config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    if key not in _clients:
        _clients[key] = FlaskOAuth2App(
            FlaskIntegration(NAME), name=NAME,
            client_id=config["OIDC_CLIENT_ID"], client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256",
                           "default_timeout": config.get("OIDC_TIMEOUT", 5)},
        )
    return _clients[key]


def check_discovery(oauth: FlaskOAuth2App) -> None:
    """The discovery document must name the configured issuer (no mix-up with another provider)."""
    issuer = oauth.load_server_metadata().get("issuer", "").rstrip("/")
    if issuer != current_app.config["OIDC_ISSUER"]:
        raise SignInRefused("The identity provider's settings do not match this app's; ask IT to check OIDC_ISSUER.")


def account_for(claims: dict) -> User:
    """The active account the verified ID token's e-mail belongs to; with OIDC_CREATE_USERS a new staff
    account for an e-mail nobody has yet. Refused (SignInRefused) otherwise."""
    email = normalize_email(str(claims.get("email") or ""))
    if not email:
        raise SignInRefused("Your organization's account did not share an e-mail address, so we cannot tell "
                            "who you are. Ask IT to release the e-mail claim to this app.")
    if claims.get("email_verified") is not True:
        raise SignInRefused(f"Your identity provider has not verified {email}. Verify it there, then try again.")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        if not user.active:
            raise SignInRefused("This account is deactivated. Ask an administrator if you need access again.")
        return user
    if not current_app.config.get("OIDC_CREATE_USERS"):
        raise SignInRefused(f"No account here uses {email}. Ask HR or an administrator to invite you.")
    name = " ".join(str(claims.get("name") or "").split())[:120] or email.split("@")[0]
    user = User(email=email[:254], name=name, role=Role.STAFF)
    db.session.add(user)
    db.session.flush()
    record(db.session, "user.created_at_sign_in", user, email=user.email, subject=str(claims.get("sub", ""))[:255])
    log.info("user %s created at sign-in with the identity provider", user.id)
    return user
