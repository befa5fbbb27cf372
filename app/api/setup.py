"""Attach the API to an app: flask-smorest's Api (without its CDN documentation pages and without
its app-wide error handlers, which would replace the app's own error pages), CSRF exemption, and the
locally served OpenAPI document and documentation page."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from app.extensions import csrf
from app.forms import BoundedIntConverter

API_PREFIX = "/api/v1"


class LocalApi(Api):
    """flask-smorest's Api, leaving error handling to the app and the API blueprint (problem details)."""

    DEFAULT_ERROR_RESPONSE_NAME = None  # errors are documented per operation, as problem details

    def _register_error_handlers(self):
        pass


def init_api(app: Flask) -> Api:
    from app.api import bp
    from app.api.docs import docs_bp

    api = LocalApi(spec_kwargs={
        "title": "Medical Home Hiring & Onboarding API", "version": "1", "openapi_version": "3.0.3",
        "info": {"description": "Employees, training and hiring for the systems around the app. "
                                "Authenticate with an API token an administrator issues, sent as "
                                "Authorization: Bearer <token>. Errors are RFC 9457 problem details."},
    })
    api.init_app(app)
    api.register_converter(BoundedIntConverter, lambda converter: {"type": "integer", "minimum": 1,
                                                                  "maximum": converter.max})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                       "description": "An API token with scopes"})
    csrf.exempt(bp)  # no cookie authenticates an API call, so there is no cross-site request to forge
    api.register_blueprint(bp, url_prefix=API_PREFIX)
    app.register_blueprint(docs_bp, url_prefix=API_PREFIX)
    app.extensions["medical_home_api"] = api
    return api
