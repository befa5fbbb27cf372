"""Medical Home Hiring & Onboarding: the application factory."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request, session
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_environment, engine_options


def create_app(config: type[Config] | Config | None = None) -> Flask:
    """Make the app; with no argument the configuration comes from APP_ENV."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    config = config or config_from_environment()
    app.config.from_object(config() if isinstance(config, type) else config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS"))

    configure_logging(app)
    trust_proxies(app)
    register_extensions(app)
    register_input_rules(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_cli(app)
    register_health_check(app)
    return app


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    else:
        logging.basicConfig(level=logging.INFO)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address (for rate limits), the
    scheme and the host (for links in e-mail) from their X-Forwarded-* headers."""
    trusted = app.config.get("TRUSTED_PROXIES", 0)
    if trusted:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted, x_port=trusted)


def register_extensions(app: Flask) -> None:
    from app.audit import init_audit
    from app.credentials.standing import init_standing
    from app.extensions import bootstrap, cache, csrf, db, limiter, login_manager, migrate
    from app.onboarding.summaries import init_summaries
    from app.page_cache import init_page_cache
    from app.read_only import init_read_only

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    cache.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    init_audit()
    init_summaries()
    init_standing()
    init_page_cache()  # after the summaries and credential standing: its commit hook must run after theirs
    init_read_only()

    from app.models import User

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        """Sessions carry id:token; a rotated token ends every session of that user."""
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_token != token or not user.active:
            return None
        return user


def register_input_rules(app: Flask) -> None:
    from app.forms import init_input_rules

    init_input_rules(app)


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.careers import bp as careers_bp
    from app.content import bp as content_bp
    from app.credentials import bp as credentials_bp
    from app.hiring import bp as hiring_bp
    from app.main import bp as main_bp
    from app.onboarding import bp as onboarding_bp
    from app.reports import bp as reports_bp
    from app.team import bp as team_bp
    from app.webhooks import bp as webhooks_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(content_bp, url_prefix="/content")
    app.register_blueprint(onboarding_bp, url_prefix="/onboarding")
    app.register_blueprint(hiring_bp, url_prefix="/hiring")
    app.register_blueprint(careers_bp, url_prefix="/careers")
    app.register_blueprint(team_bp, url_prefix="/team")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(credentials_bp, url_prefix="/credentials")
    app.register_blueprint(webhooks_bp, url_prefix="/admin/webhooks")

    from app.api.setup import init_api

    init_api(app)


def register_error_handlers(app: Flask) -> None:
    from app.errors import init_error_handlers

    init_error_handlers(app)


def keep_out_of_browser_caches() -> bool:
    """Pages for a signed-in person and the private calendar feed must not be kept by the browser (on a
    shared clinic workstation, Back would show them after sign-out); static files and the public
    careers pages may be. A session holding a user id is a signed-in browser: no database read needed."""
    if request.endpoint in PRIVATE_WITHOUT_SIGN_IN:
        return True
    return "_user_id" in session and request.endpoint not in CACHEABLE_FOR_EVERYONE


PRIVATE_WITHOUT_SIGN_IN = {"onboarding.calendar_feed", "auth.accept_invite", "auth.reset_password"}
CACHEABLE_FOR_EVERYONE = {"static", "bootstrap.static"}


def register_security_headers(app: Flask) -> None:
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )

    @app.after_request
    def set_security_headers(response):
        if keep_out_of_browser_caches() and "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def register_template_helpers(app: Flask) -> None:
    from app.templating import init_templating

    init_templating(app)


def register_cli(app: Flask) -> None:
    from app.cli import init_cli

    init_cli(app)


def register_health_check(app: Flask) -> None:
    from app.errors import RETRY_AFTER_SECONDS, discard_session, is_database_outage
    from app.extensions import db, limiter

    @app.get("/healthz")
    @limiter.exempt
    def healthz():
        """200 when the app and its database answer; 503 (and the database's state) otherwise."""
        try:
            db.session.execute(select(text("1")))
        except SQLAlchemyError as error:
            if not is_database_outage(error):
                raise
            discard_session()
            return jsonify(status="unavailable", database="unreachable"), 503, {
                "Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        return jsonify(status="ok", database="ok"), 200, {"Cache-Control": "no-store"}
