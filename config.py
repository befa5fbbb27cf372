"""Configuration classes, chosen by the APP_ENV environment variable."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver that requirements.txt installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {value!r}") from None


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return value in {"1", "true", "yes", "on"} if value else default


PASSWORD_LOGIN_CHOICES = ("on", "admins", "off")


def password_login(value: str, oidc_issuer: str) -> str:
    """Who may sign in with a password; "off" only makes sense when the provider signs people in."""
    value = (value or "").strip().lower() or ("admins" if oidc_issuer else "on")
    if value not in PASSWORD_LOGIN_CHOICES:
        raise RuntimeError(f"PASSWORD_LOGIN must be one of {', '.join(PASSWORD_LOGIN_CHOICES)}, not {value!r}")
    if value != "on" and not oidc_issuer:
        raise RuntimeError(f"PASSWORD_LOGIN={value} needs OIDC_ISSUER: nobody else could sign in")
    return value


def public_host(base_url: str) -> str:
    """The host name of the public address, refusing one that is not an absolute http(s) URL."""
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise RuntimeError(f"BASE_URL must be the app's public address, like https://hr.clinic.org, not {base_url!r}")
    return parts.hostname


def engine_options(uri: str, options: dict | None = None) -> dict:
    """The engine options for a database URL: always a ping before a pooled connection is reused (so
    a restarted server costs no failed request), and for PostgreSQL a bounded pool that gives up
    quickly instead of holding a request while the server is away. Options set explicitly win.

    Sizes suit gunicorn gthread workers with up to DATABASE_POOL_SIZE threads each: every thread
    holds at most one connection, so a worker never waits on its own pool."""
    merged = {"pool_pre_ping": True, **(options or {})}
    if uri.startswith("postgresql"):
        merged.setdefault("pool_size", _env_int("DATABASE_POOL_SIZE", 5))
        merged.setdefault("max_overflow", _env_int("DATABASE_MAX_OVERFLOW", 5))
        merged.setdefault("pool_timeout", 10)  # seconds to wait for a free connection, then 503
        merged.setdefault("pool_recycle", 30 * 60)  # reconnect before firewalls drop idle connections
        connect_args = dict(merged.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", _env_int("DATABASE_CONNECT_TIMEOUT", 5))
        merged["connect_args"] = connect_args
    return merged


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'medical_home.db'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 14  # "remember me" keeps a person signed in for two weeks
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"  # failed sign-ins from one address (successful ones never count)
    # Failed sign-ins for one e-mail from one address: a back-off in steps (a minute, then an hour, then a
    # day). Failures from elsewhere never hold up the account's owner, so nobody can lock an account out.
    LOGIN_ACCOUNT_RATE_LIMIT = "5 per minute;20 per hour;50 per day"
    LOGIN_ALERT_THRESHOLD = "10 per 15 minutes"  # failures for one account from anywhere: then its owner is e-mailed
    RESET_RATE_LIMIT = "5 per hour"  # reset-link requests, per address and per e-mail
    # Wrong current passwords when someone changes the password, per account.
    CURRENT_PASSWORD_RATE_LIMIT = "5 per 15 minutes"  # noqa: S105 (a rate, not a secret)
    API_RATE_LIMIT = "300 per minute"  # REST API calls per token (or per address without a known token)

    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port headers are believed
    # (0: none, so a client cannot fake its address; 1: one TLS-terminating proxy, and so on).
    TRUSTED_PROXIES = 0
    # Host names the app answers to; a request for any other host gets 400. None (development and tests):
    # any host. Production: the host of BASE_URL, or the comma-separated TRUSTED_HOSTS.
    TRUSTED_HOSTS: list[str] | None = None

    # Rendered parts of /team and /reports, per worker process, keyed by a data token (app.page_cache).
    CACHE_TYPE = "SimpleCache"  # "NullCache" turns the cache off
    CACHE_NO_NULL_WARNING = True
    CACHE_DEFAULT_TIMEOUT = 600
    CACHE_THRESHOLD = 300  # parts kept per worker; a /reports part is about 100 kB
    PAGE_CACHE_COUNT_SEEN = False  # count cache hits and builds in app.page_cache.SEEN (the bench's mix only)

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_STYLE = "primary"

    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_USE_TLS = False
    MAIL_DEFAULT_SENDER = "onboarding@localhost"

    INVITE_MAX_AGE = 60 * 60 * 24 * 7
    PASSWORD_RESET_MAX_AGE = 60 * 60 * 2
    CANDIDATE_LINK_MAX_AGE = 60 * 60 * 24 * 180  # a withdraw link works while a search can last
    CANDIDATE_RETENTION_DAYS = 730  # then `flask candidates anonymize` removes a not-hired candidate's details
    OFFER_APPROVAL = True  # an offer is approved by a second HR user or an admin before it is sent
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a hash method name, not a secret)
    ORGANIZATION_NAME = "Demo Community Health Center"
    SEEDS_DIR = str(BASE_DIR / "seeds")
    ITEMS_PER_PAGE = 25
    BASE_URL = "http://127.0.0.1:5000"  # the public address every link that leaves the app is built from
    RESUME_DIR = str(INSTANCE_DIR / "resumes")  # outside the web root; served only to HR
    RESUME_MAX_BYTES = 5 * 1024 * 1024
    CREDENTIAL_SCAN_DIR = str(INSTANCE_DIR / "credential-scans")  # outside the web root; HR and the person only
    CREDENTIAL_SCAN_MAX_BYTES = 5 * 1024 * 1024
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # the largest request: a 5 MB résumé plus the form

    # Sign-in with the organization's identity provider (OpenID Connect); off while OIDC_ISSUER is empty.
    OIDC_ISSUER = ""
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    OIDC_PROVIDER_NAME = "your organization's account"  # the button reads "Sign in with ..."
    OIDC_CREATE_USERS = False  # an unknown but verified e-mail gets a staff account (audited)
    OIDC_TIMEOUT = 5  # seconds for each call to the provider
    # Who may sign in with a password: "on" (everyone), "admins" (admins only, a way in when the provider
    # is down) or "off" (nobody). Empty: "admins" when OIDC is configured, "on" otherwise.
    PASSWORD_LOGIN = ""

    # Webhooks: deliveries to loopback, private, link-local and other non-public addresses are refused
    # unless this is set (tests and a lab set it; a production server should not).
    WEBHOOK_ALLOW_PRIVATE = False
    WEBHOOK_TIMEOUT = 5  # seconds to connect and to read the answer

    def __init__(self) -> None:
        """Read the environment when the app is made, not when this module is imported."""
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY") or self.SECRET_KEY
        if env.get("DATABASE_URL"):
            self.SQLALCHEMY_DATABASE_URI = database_url(env["DATABASE_URL"])
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", self.RATELIMIT_STORAGE_URI)
        self.API_RATE_LIMIT = env.get("API_RATE_LIMIT", self.API_RATE_LIMIT)
        self.MAIL_SERVER = env.get("MAIL_SERVER", self.MAIL_SERVER)
        self.MAIL_PORT = int(env.get("MAIL_PORT", self.MAIL_PORT))
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", self.MAIL_USERNAME)
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", self.MAIL_PASSWORD)
        self.MAIL_USE_TLS = env.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"}
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", self.MAIL_DEFAULT_SENDER)
        self.ORGANIZATION_NAME = env.get("ORGANIZATION_NAME", self.ORGANIZATION_NAME)
        self.BASE_URL = env.get("BASE_URL", self.BASE_URL).rstrip("/")
        if "OFFER_APPROVAL" in env:
            self.OFFER_APPROVAL = env["OFFER_APPROVAL"].lower() not in {"0", "false", "no", "off"}
        public_host(self.BASE_URL)
        self.RESUME_DIR = env.get("RESUME_DIR", self.RESUME_DIR)
        self.CREDENTIAL_SCAN_DIR = env.get("CREDENTIAL_SCAN_DIR", self.CREDENTIAL_SCAN_DIR)
        self.CREDENTIAL_SCAN_MAX_BYTES = _env_int("CREDENTIAL_SCAN_MAX_BYTES", self.CREDENTIAL_SCAN_MAX_BYTES)
        self.CACHE_TYPE = env.get("CACHE_TYPE", self.CACHE_TYPE)
        self.PAGE_CACHE_COUNT_SEEN = env.get("BENCH_COUNT_SEEN", "") == "1"
        self.TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", self.TRUSTED_PROXIES)
        self.OIDC_ISSUER = env.get("OIDC_ISSUER", self.OIDC_ISSUER).strip().rstrip("/")
        self.OIDC_CLIENT_ID = env.get("OIDC_CLIENT_ID", self.OIDC_CLIENT_ID).strip()
        self.OIDC_CLIENT_SECRET = env.get("OIDC_CLIENT_SECRET", self.OIDC_CLIENT_SECRET)
        self.OIDC_PROVIDER_NAME = env.get("OIDC_PROVIDER_NAME", self.OIDC_PROVIDER_NAME)
        self.OIDC_CREATE_USERS = _env_flag("OIDC_CREATE_USERS", self.OIDC_CREATE_USERS)
        self.PASSWORD_LOGIN = password_login(env.get("PASSWORD_LOGIN", self.PASSWORD_LOGIN), self.OIDC_ISSUER)
        if self.OIDC_ISSUER and not (self.OIDC_CLIENT_ID and self.OIDC_CLIENT_SECRET):
            raise RuntimeError("OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are needed too")
        if self.OIDC_ISSUER and urlsplit(self.OIDC_ISSUER).scheme not in {"https", "http"}:
            raise RuntimeError(f"OIDC_ISSUER must be the provider's https:// address, not {self.OIDC_ISSUER!r}")
        self.WEBHOOK_ALLOW_PRIVATE = _env_flag("WEBHOOK_ALLOW_PRIVATE", self.WEBHOOK_ALLOW_PRIVATE)
        if self.TRUSTED_PROXIES < 0:
            raise RuntimeError(f"TRUSTED_PROXIES must be 0 or more, not {self.TRUSTED_PROXIES}")
        self.CANDIDATE_RETENTION_DAYS = _env_int("CANDIDATE_RETENTION_DAYS", self.CANDIDATE_RETENTION_DAYS)
        if self.CANDIDATE_RETENTION_DAYS < 1:
            raise RuntimeError(f"CANDIDATE_RETENTION_DAYS must be 1 or more, not {self.CANDIDATE_RETENTION_DAYS}")


def _development_secret_key() -> str:
    """A per-checkout key kept under instance/, so sessions survive restarts in development."""
    key_file = INSTANCE_DIR / "dev-secret-key"
    if not key_file.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip()


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, e-mail written to the log."""

    ENV_NAME = "development"
    DEBUG = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False

    def __init__(self) -> None:
        super().__init__()
        if not self.SECRET_KEY:
            self.SECRET_KEY = _development_secret_key()


class TestingConfig(Config):
    """The test suite: a throwaway database, CSRF off unless a test turns it on."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-secret-key"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SQLALCHEMY_RECORD_QUERIES = True
    BASE_URL = "http://localhost"  # the test client's host, so a test can follow a link from an e-mail
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # noqa: S105 (cheaper scrypt for test sign-ins)
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WEBHOOK_ALLOW_PRIVATE = True  # the tests' receivers listen on loopback; the refusal tests turn it off
    WEBHOOK_TIMEOUT = 2

    def __init__(self) -> None:
        """Tests use TEST_DATABASE_URL, never DATABASE_URL, so a suite cannot wipe real data."""
        super().__init__()
        self.SECRET_KEY = type(self).SECRET_KEY
        self.BASE_URL = type(self).BASE_URL
        self.SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
        self.RATELIMIT_STORAGE_URI = "memory://"


class ProductionConfig(Config):
    """Production: refuses to start without a secret key, a database URL, its public address and a
    place for rate-limit counters; answers only to the public host."""

    ENV_NAME = "production"
    REQUIRED = ("SECRET_KEY", "DATABASE_URL", "BASE_URL", "RATELIMIT_STORAGE_URI")

    def __init__(self) -> None:
        missing = [name for name in self.REQUIRED if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production configuration needs these environment variables: " + ", ".join(missing)
                + " (RATELIMIT_STORAGE_URI: redis://host:6379 when several workers serve the app)"
            )
        super().__init__()
        hosts = [host.strip() for host in os.environ.get("TRUSTED_HOSTS", "").split(",") if host.strip()]
        self.TRUSTED_HOSTS = hosts or [public_host(self.BASE_URL)]
        if self.RATELIMIT_STORAGE_URI.startswith("memory://"):
            logging.getLogger(__name__).warning(
                "RATELIMIT_STORAGE_URI is memory://: every worker counts sign-in failures on its own, so with "
                "N workers an attacker gets N times the limit. Use redis:// unless one worker serves the app.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    """The configuration APP_ENV names; production when unset, so a server is safe by default."""
    name = os.environ.get("APP_ENV", "production").lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
