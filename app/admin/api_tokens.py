"""API tokens for integrations: issued, listed and revoked by administrators only."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.access import role_required
from app.actions import carry_out
from app.admin import bp
from app.admin.api_token_forms import ApiTokenForm
from app.api.tokens import TokenError, issue_token, revoke_token
from app.auth.forms import EmptyForm
from app.extensions import db
from app.models import ApiCall, ApiToken, Role, Scope, utcnow

CALLS_SHOWN = 50


@bp.get("/api-tokens")
@role_required(Role.ADMIN)
def api_tokens():
    """Every token ever issued, active first; revoked and expired ones stay listed."""
    tokens = db.session.scalars(
        select(ApiToken).options(selectinload(ApiToken.created_by))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.expires_at.desc(), ApiToken.id.desc())
    ).all()
    return render_template("admin/api_tokens.html", tokens=tokens, now=utcnow())


@bp.route("/api-tokens/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_api_token():
    """Issue a token; its secret is shown on the answering page once and never again."""
    form = ApiTokenForm()
    if not form.is_submitted():
        form.expires_on.data = date.today() + timedelta(days=90)
    if form.validate_on_submit():
        try:
            token, secret = issue_token(actor=current_user, name=form.name.data, scopes=form.scopes.data,
                                        expires_on=form.expires_on.data)
        except TokenError as problem:
            form.name.errors.append(str(problem))
        else:
            db.session.commit()
            # Not a redirect: the secret must not travel in the session cookie or a URL.
            return render_template("admin/api_token_issued.html", token=token, secret=secret,
                                   scopes=[Scope(value) for value in token.scopes])
    return render_template("admin/api_token_form.html", form=form)


@bp.get("/api-tokens/<int:token_id>")
@role_required(Role.ADMIN)
def api_token(token_id: int):
    """One token: its scopes, state, last use and its latest calls."""
    token = db.get_or_404(ApiToken, token_id)
    calls = db.session.scalars(select(ApiCall).where(ApiCall.token_id == token.id)
                               .order_by(ApiCall.at.desc(), ApiCall.id.desc()).limit(CALLS_SHOWN)).all()
    return render_template("admin/api_token.html", token=token, calls=calls, now=utcnow(),
                           scopes=[Scope(value) for value in token.scopes], shown=CALLS_SHOWN)


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def revoke_api_token(token_id: int):
    """Confirm, then revoke: the token stops working at once; it and its call log are kept."""
    token = db.get_or_404(ApiToken, token_id)
    form = EmptyForm()
    if form.validate_on_submit():
        carry_out(lambda: revoke_token(token, actor=current_user), TokenError,
                  f"The token for {token.name} is revoked; calls with it are refused from now on.")
        return redirect(url_for(".api_token", token_id=token.id))
    if token.revoked_at is not None:
        flash(f"The token for {token.name} is already revoked.", "info")
        return redirect(url_for(".api_token", token_id=token.id))
    return render_template("admin/confirm.html", form=form, title=f"Revoke the token for {token.name}?",
                           message="Calls with it are refused from now on; the integration needs a new token. "
                                   "The token stays listed with its call log.",
                           confirm_label="Revoke", cancel_url=url_for(".api_token", token_id=token.id))
