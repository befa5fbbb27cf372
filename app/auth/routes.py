"""Sign-in, sign-out, invitations, and changing or resetting a password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from app import mail
from app.audit import record
from app.auth import bp, oidc, services
from app.auth.forms import ChangePasswordForm, EmptyForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from app.extensions import db, limiter

SMALL_FORM_BYTES = 16 * 1024  # an e-mail, two passwords and a token; far more than a person types


@bp.before_request
def refuse_large_requests() -> None:
    """Every form here is small: refuse a larger body (413) before anything reads or hashes it."""
    request.max_content_length = SMALL_FORM_BYTES


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _submitted_account() -> str:
    """The rate-limit key of the e-mail a form names, whether or not an account has it."""
    return "account:" + services.normalize_email(request.form.get("email", ""))[:254]


def _submitted_account_here() -> str:
    """The rate-limit key of the e-mail a form names together with the address it comes from."""
    return f"{_submitted_account()}@{get_remote_address()}"


def _failed(response) -> bool:
    return response.status_code != 302  # a successful sign-in redirects; anything else counts


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)  # a clinic's staff may share one address
@limiter.limit(_account_limit, key_func=_submitted_account_here, methods=["POST"], deduct_when=_failed)
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = None if not oidc.password_form_shown() else services.authenticate(form.email.data, form.password.data)
        if not oidc.password_form_shown():
            flash(f"Sign in with {current_app.config['OIDC_PROVIDER_NAME']}: password sign-in is turned off here.",
                  "danger")
        elif user is None:
            services.note_failed_sign_in(form.email.data, address=get_remote_address())
            db.session.commit()
            flash("That e-mail and password do not match an active account.", "danger")
        elif not oidc.password_allowed(user):
            record(db.session, "user.sign_in_refused", user, method="password", reason="password sign-in is for admins")
            db.session.commit()
            flash(f"Use “Sign in with {current_app.config['OIDC_PROVIDER_NAME']}”: password sign-in is kept for "
                  "administrators here.", "danger")
        else:
            session.clear()  # a fresh session at sign-in
            login_user(user, remember=form.remember.data)
            record(db.session, "user.signed_in", user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, oidc_enabled=oidc.enabled(),
                           password_form=oidc.password_form_shown())


@bp.post("/logout")
@login_required
def logout():
    """Sign out: ends this session and every remember-me cookie for the account."""
    form = EmptyForm()
    if form.validate_on_submit():
        services.sign_out_everywhere(current_user)
        record(db.session, "user.signed_out", current_user)
        db.session.commit()
        session.clear()
        logout_user()  # after clear(): it leaves the note that deletes the remember-me cookie
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def accept_invite(token: str):
    """Set a password from a single-use invitation link."""
    return _set_password_from_link(token, services.INVITE, services.accept_invite,
                                   lambda user: f"Welcome, {user.name}. Your password is set.")


def _current_password_limit() -> str:
    return current_app.config["CURRENT_PASSWORD_RATE_LIMIT"]


def _signed_in_account() -> str:
    return f"current-password:{current_user.get_id()}"


def _wrong_current_password(response) -> bool:
    return g.pop("wrong_current_password", False)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_current_password_limit, key_func=_signed_in_account, methods=["POST"],
               deduct_when=_wrong_current_password)  # whoever holds a session cannot guess the password
def change_password():
    """Change your own password; other devices are signed out, this one stays signed in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except services.WrongPassword as problem:
            g.wrong_current_password = True
            form.current.errors.append(str(problem))
        except services.AccountError as problem:
            form.password.errors.append(str(problem))
        else:
            user = current_user._get_current_object()
            db.session.commit()
            login_user(user)  # the session token changed; carry this session over to the new one
            flash("Your password is changed. Other devices where you were signed in are signed out, and your "
                  "calendar link is renewed: subscribe again from My onboarding.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, key_func=_submitted_account, methods=["POST"])
def forgot_password():
    """Ask for a reset link by e-mail; the answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        message = services.request_password_reset(form.email.data)
        db.session.commit()
        hours = current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600
        flash("If that e-mail belongs to an active account, a reset link is on its way. It works once and "
              f"expires in {hours} hours.", "info")
        return mail.deliver_after_response(redirect(url_for("auth.login")), message)
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a single-use reset link; every session of the account ends."""
    return _set_password_from_link(
        token, services.RESET, services.reset_password,
        lambda user: "Your password is set. Any other device signed in to your account is signed out.")


def _set_password_from_link(token: str, purpose: str, use_link, welcome):
    """The set-password page behind a single-use link: use_link(token, password) sets it, then the
    person is signed in here with a fresh session."""
    try:
        user = services.user_for_link(token, purpose)
    except services.InvalidLink as problem:
        return render_template("auth/invite_invalid.html", message=str(problem)), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            use_link(token, form.password.data)
        except services.AccountError as problem:
            form.password.errors.append(str(problem))
        else:
            db.session.commit()
            logout_user()
            session.clear()
            login_user(user)
            flash(welcome(user), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/set_password.html", form=form, user=user, reset=purpose == services.RESET)


@bp.after_app_request
def deliver_queued_mail(response):
    """Send e-mail that a request queued, once its transaction has committed."""
    mail.deliver_committed()
    return response
