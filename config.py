"""Configuration classes, read from the environment.

Choose one with ``REFERRALS_CONFIG`` (``development``, ``production`` or ``testing``);
every setting below can be overridden by an environment variable of the same name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# Keys that must never reach production: the app refuses to start with them there.
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"  # noqa: S105
DEV_AUDIT_KEY = "dev-only-audit-key-not-for-production"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver spelled out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", DEV_AUDIT_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'referrals.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    # Strict-Transport-Security: only where every address of the site is served over https.
    HSTS_ENABLED = _env_bool("HSTS_ENABLED", False)
    # No remember-me and no permanent cookie: the session cookie dies with the browser, and
    # the server-side session row (referrals/auth/sessions.py) enforces both timeouts.
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 15)
    SESSION_ABSOLUTE_HOURS = _env_int("SESSION_ABSOLUTE_HOURS", 12)
    # Flask also refuses a signed session cookie older than this.
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_HOURS * 3600
    # The warning that offers to extend the session shows this long before the idle timeout.
    SESSION_WARNING_SECONDS = _env_int("SESSION_WARNING_SECONDS", 120)

    # Sign-in throttling: per e-mail address in the database (holds across workers) ...
    LOGIN_LOCKOUT_THRESHOLD = _env_int("LOGIN_LOCKOUT_THRESHOLD", 5)
    LOGIN_LOCKOUT_WINDOW_MINUTES = _env_int("LOGIN_LOCKOUT_WINDOW_MINUTES", 15)
    LOGIN_LOCKOUT_MINUTES = _env_int("LOGIN_LOCKOUT_MINUTES", 15)
    # ... and per client address (Flask-Limiter). memory:// is per process; use
    # redis://host:6379 in production so every worker shares the count.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute;300 per hour")
    # Two-step sign-in: the issuer name shown in authenticator apps.
    TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "KC Coalition Referrals")

    # Forms and uploads
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 3600
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 1024 * 1024)

    # Passwords: argon2id parameters (RFC 9106 second recommended option)
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _env_int("ARGON2_MEMORY_COST", 64 * 1024)
    ARGON2_PARALLELISM = _env_int("ARGON2_PARALLELISM", 2)
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 15)
    PASSWORD_MAX_LENGTH = 128

    # Flask-Caching: small, short-lived facts per process (the demo banner's check).
    CACHE_TYPE = "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = 60

    # UI
    BOOTSTRAP_SERVE_LOCAL = True
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "referrals" / "translations")
    PAGE_SIZE = _env_int("PAGE_SIZE", 50)
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    # Shown in e-mails and links; set to the public https address in production.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Referrals
    DEFAULT_RESPONSE_HOURS = _env_int("DEFAULT_RESPONSE_HOURS", 72)
    CONSENT_DEFAULT_DAYS = _env_int("CONSENT_DEFAULT_DAYS", 90)
    CONSENT_MAX_DAYS = _env_int("CONSENT_MAX_DAYS", 365)
    SUPPRESSION_THRESHOLD = _env_int("SUPPRESSION_THRESHOLD", 5)
    # Cancel requested referrals nobody answered after this many days (0: never).
    REFERRAL_EXPIRE_DAYS = _env_int("REFERRAL_EXPIRE_DAYS", 0)
    # `flask purge` blanks the free text of intakes closed longer ago than this.
    RETENTION_DAYS = _env_int("RETENTION_DAYS", 730)

    # E-mail (no client details ever go into a message)
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "referrals@localhost")

    @classmethod
    def check(cls) -> None:
        """Refuse settings that would be unsafe in this environment."""


class DevelopmentConfig(Config):
    """Local pilot: SQLite under instance/, demo data."""

    ENV_NAME = "development"
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 2)
    ARGON2_MEMORY_COST = _env_int("ARGON2_MEMORY_COST", 19 * 1024)


class ProductionConfig(Config):
    """Behind a TLS proxy, on PostgreSQL."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    HSTS_ENABLED = _env_bool("HSTS_ENABLED", True)
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        """Production must not run on the development keys or a throwaway key."""
        secret = os.environ.get("SECRET_KEY", "")
        if not secret or secret == DEV_SECRET_KEY or len(secret) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                'in production (python -c "import secrets; print(secrets.token_hex(32))").'
            )
        audit = os.environ.get("AUDIT_HMAC_KEY", "")
        if not audit or audit == DEV_AUDIT_KEY or len(audit) < 32:
            raise RuntimeError(
                "AUDIT_HMAC_KEY must be set to a random value of at least 32 characters "
                "in production; keep it outside the database."
            )
        # Both decide whom the per-address sign-in limit counts; a wrong default is silent:
        # behind a proxy with TRUSTED_PROXIES=0 every client is the proxy's address (one
        # attacker then blocks everyone), and memory:// gives each worker its own count.
        for name, meaning in (
            ("TRUSTED_PROXIES", "how many reverse proxies sit in front (0 for none)"),
            ("RATELIMIT_STORAGE_URI", "redis://host:6379 shared by every worker (or memory://)"),
        ):
            if not os.environ.get(name, "").strip():
                raise RuntimeError(f"{name} must be set in production: {meaning}.")


class TestingConfig(Config):
    """Fast hashing, no CSRF unless a test turns it on, a database per test run."""

    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    AUDIT_HMAC_KEY = "testing-audit-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Tests sign in hundreds of times a minute from one address; tests/test_throttling.py
    # turns the limiter on where it is the subject.
    RATELIMIT_ENABLED = False
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    SERVER_NAME = None


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_from_env() -> type[Config]:
    """The configuration class named by REFERRALS_CONFIG (development by default)."""
    name = os.environ.get("REFERRALS_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"REFERRALS_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}"
        ) from None
