"""A small but real OpenID Connect provider for the tests, built from Authlib's server components.

It serves discovery, JWKS, authorize, token and userinfo on 127.0.0.1 and an ephemeral port, from a
werkzeug server in a thread. The authorize endpoint approves at once, as the person a test chose
(`provider.person`), and answers with a redirect whose Location the test follows into the app. ID
tokens are RS256-signed with an RSA key made here; `provider.nonce_override` makes the next ID tokens
carry another nonce, so a test can show the app refuses them.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, UserInfo
from authlib.oidc.core.grants import OpenIDCode
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "medical-home"
CLIENT_SECRET = "provider-test-secret"  # noqa: S105 (a test provider's client secret)
KID = "test-key-1"


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: dict
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class Provider:
    """The provider's state: its key, its registered client, codes and tokens it issued, who signs in."""

    def __init__(self, redirect_uri: str):
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())
        self.jwk = RSAKey.import_key(pem, {"kid": KID, "use": "sig", "alg": "RS256"})
        self.client = Client(CLIENT_ID, CLIENT_SECRET, [redirect_uri])
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, dict] = {}
        self.person: dict = {}
        self.nonce_override: str | None = None
        self.claims_override: dict = {}  # claims the next ID tokens carry instead (exp, aud, iss ...)
        self.forge = False  # sign the next ID tokens with a key that is not in the JWKS
        self.forged_jwk = RSAKey.generate_key(2048, {"kid": KID, "use": "sig", "alg": "RS256"})
        self.authorize_requests: list[dict] = []
        self.app = self._make_app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Provider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)

    def sign_in_as(self, email: str, *, verified: bool = True, name: str = "Pat Provider", sub: str | None = None):
        self.person = {"sub": sub or f"sub-{email}", "email": email, "email_verified": verified, "name": name}
        self.nonce_override, self.claims_override, self.forge = None, {}, False

    # The Authlib server pieces --------------------------------------------------------------------
    def _make_app(self) -> Flask:
        provider = self
        app = Flask("test_oidc_provider")

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                provider.codes[code] = Code(
                    code=code, client_id=request.client.client_id, redirect_uri=request.payload.redirect_uri,
                    scope=request.payload.scope, person=dict(request.user),
                    nonce=provider.nonce_override or request.payload.data.get("nonce"),
                    code_challenge=request.payload.data.get("code_challenge"),
                    code_challenge_method=request.payload.data.get("code_challenge_method"))

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.person

        class IDToken(OpenIDCode):
            def resolve_client_private_key(self, client):
                return provider.forged_jwk if provider.forge else provider.jwk

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": KID}

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [client.get_client_id()], **provider.claims_override}

            def exists_nonce(self, nonce, request):
                return any(code.nonce == nonce for code in provider.codes.values())

            def generate_user_info(self, user, scope):
                return UserInfo({key: value for key, value in user.items() if value is not None})

        def save_token(token, request):
            provider.tokens[token["access_token"]] = dict(request.user)

        server = AuthorizationServer(app, query_client=lambda cid: provider.client if cid == CLIENT_ID else None,
                                     save_token=save_token)
        server.register_grant(CodeGrant, [CodeChallenge(required=True), IDToken(require_nonce=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": provider.issuer,
                "authorization_endpoint": provider.issuer + "/authorize",
                "token_endpoint": provider.issuer + "/token",
                "userinfo_endpoint": provider.issuer + "/userinfo",
                "jwks_uri": provider.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            })

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [provider.jwk.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize():
            provider.authorize_requests.append(request.args.to_dict())
            try:
                grant = server.get_consent_grant(end_user=provider.person)
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            return server.create_authorization_response(grant=grant, grant_user=provider.person)

        @app.post("/token")
        def token():
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            person = provider.tokens.get(bearer)
            return (jsonify(person), 200) if person else (jsonify(error="invalid_token"), 401)

        return app
