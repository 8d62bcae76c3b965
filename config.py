"""Configuration classes, read from the environment.

Choose one with ``REFERRALS_CONFIG`` (``development``, ``production`` or ``testing``); when it
is not set the production settings apply, so a server started without its settings refuses
to start instead of running on development defaults (``make`` sets ``development``). Every
setting below can be overridden by an environment variable of the same name.

No key is written here: production reads ``SECRET_KEY`` and ``AUDIT_HMAC_KEY`` from the
environment, a development installation generates its own into the instance folder
(``referrals/installation_keys.py``), and tests make new ones in every process.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEFAULT_CONFIG = "production"
# At least 256 bits, written as hex: what `secrets.token_hex(32)` gives.
MIN_KEY_LENGTH = 32


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
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
    # After AUDIT_HMAC_KEY is changed, the keys it had before, oldest first, comma-separated:
    # `flask audit verify` needs them to check the older segments of the chain.
    AUDIT_HMAC_OLD_KEYS = os.environ.get("AUDIT_HMAC_OLD_KEYS", "")
    # Keys the environment does not give are generated once per installation into the
    # instance folder (development only; elsewhere the app refuses to start without them).
    INSTANCE_KEYS = False
    # The demo coalition (published password and authenticator key) may be seeded and its
    # key accepted: development and tests only, never from the environment.
    DEMO_ALLOWED = False
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'referrals.sqlite'}")
    # hide_parameters: a database error's text never carries the values sent (notes, form
    # contents), wherever it ends up (operations/request_log.py keeps it out of the log too).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {
        "pool_pre_ping": True,
        "hide_parameters": True,
    }
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
    # API tokens: requests per token (Flask-Limiter syntax; the same storage as above).
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute;3000 per hour")
    # Webhooks: a delivery is tried again after 1, 2, 4, ... minutes, up to this many times;
    # an endpoint failing this many times in a row is switched off (its supervisors are told).
    WEBHOOK_TIMEOUT_SECONDS = _env_int("WEBHOOK_TIMEOUT_SECONDS", 5)
    WEBHOOK_RETRY_BASE_SECONDS = _env_int("WEBHOOK_RETRY_BASE_SECONDS", 60)
    WEBHOOK_MAX_ATTEMPTS = _env_int("WEBHOOK_MAX_ATTEMPTS", 10)
    WEBHOOK_DISABLE_AFTER = _env_int("WEBHOOK_DISABLE_AFTER", 20)
    # Receivers must be public https addresses; tests allow http://127.0.0.1 (below).
    WEBHOOK_ALLOW_LOOPBACK_HTTP = False
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
    # Every date and time people read is in the coalition's zone (stored values stay UTC);
    # a dashboard or audit "day" is a day in this zone (referrals/localtime.py).
    # Flask-Babel's BABEL_DEFAULT_TIMEZONE is set from it (wiring.py).
    COALITION_TIMEZONE = os.environ.get("COALITION_TIMEZONE", "America/Chicago")
    # Flask-WTF hands WTForms' own messages ("This field is required.") the request's locale.
    WTF_I18N_ENABLED = True
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "referrals" / "translations")
    # Rows per list page. 25: on a phone (390 px) each referral is a stacked block of about
    # five lines, so 25 is already several screens; the next page is one keyset link away.
    PAGE_SIZE = _env_int("PAGE_SIZE", 25)
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

    # Operations (docs/DEPLOY.md). Log lines: "json" (one object a line, for a log
    # collector) or "plain" (to read in a terminal); every request writes one line.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # /metrics answers only "Authorization: Bearer <METRICS_TOKEN>"; while unset it is a 404.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    # /readyz fails once an e-mail has waited longer than this (minutes; 0: not checked).
    READYZ_OUTBOX_MAX_MINUTES = _env_int("READYZ_OUTBOX_MAX_MINUTES", 30)

    @classmethod
    def check(cls) -> None:
        """Refuse settings that would be unsafe in this environment."""
        _check_timezone(cls.COALITION_TIMEZONE)


def _check_timezone(name: str) -> None:
    """A misspelt zone would otherwise fail on the first page that shows a time."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuntimeError(
            f"COALITION_TIMEZONE={name!r} is not a time zone; use an IANA name such as "
            "America/Chicago."
        ) from None


class DevelopmentConfig(Config):
    """Local pilot: SQLite under instance/, demo data."""

    ENV_NAME = "development"
    INSTANCE_KEYS = True
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
    DEMO_ALLOWED = True
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 2)
    ARGON2_MEMORY_COST = _env_int("ARGON2_MEMORY_COST", 19 * 1024)


_RANDOM_VALUE = 'python -c "import secrets; print(secrets.token_hex(32))"'
_PRODUCTION_SETTINGS = {
    "SECRET_KEY": f"a random value of at least {MIN_KEY_LENGTH} characters ({_RANDOM_VALUE}); "
    "it signs sessions and forms",
    "AUDIT_HMAC_KEY": f"another random value of at least {MIN_KEY_LENGTH} characters, kept "
    "outside the database; it links the audit chain",
    # Both decide whom the per-address sign-in limit counts; a wrong default is silent:
    # behind a proxy with TRUSTED_PROXIES=0 every client is the proxy's address (one
    # attacker then blocks everyone), and memory:// gives each worker its own count.
    "TRUSTED_PROXIES": "how many reverse proxies sit in front (0 for none)",
    "RATELIMIT_STORAGE_URI": "redis://host:6379, shared by every worker (memory:// counts "
    "per worker)",
}


_OPTIONAL_SETTINGS = {
    "METRICS_TOKEN": f"at least {MIN_KEY_LENGTH} random characters, or unset to keep /metrics off",
}


def _production_value_ok(name: str) -> bool:
    value = os.environ.get(name, "").strip()
    if name in {"SECRET_KEY", "AUDIT_HMAC_KEY"}:
        return len(value) >= MIN_KEY_LENGTH
    if name == "METRICS_TOKEN":
        return not value or len(value) >= MIN_KEY_LENGTH
    return bool(value)


class ProductionConfig(Config):
    """Behind a TLS proxy, on PostgreSQL."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    HSTS_ENABLED = _env_bool("HSTS_ENABLED", True)
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        """Refuse to start without real keys and the settings whose default would be silent.

        Every missing setting is named at once, with what to set it to.
        """
        super().check()
        missing = [
            f"  {name}: {meaning}"
            for name, meaning in (_PRODUCTION_SETTINGS | _OPTIONAL_SETTINGS).items()
            if not _production_value_ok(name)
        ]
        if not missing:
            return
        chosen = (
            "REFERRALS_CONFIG=production"
            if os.environ.get("REFERRALS_CONFIG")
            else "REFERRALS_CONFIG is not set, so the production settings apply"
        )
        raise RuntimeError(
            f"Refusing to start ({chosen}). Set in the environment:\n"
            + "\n".join(missing)
            + "\nFor a development server on this machine set REFERRALS_CONFIG=development "
            "instead (make run does)."
        )


class TestingConfig(Config):
    """Fast hashing, no CSRF unless a test turns it on, a database per test run."""

    ENV_NAME = "testing"
    TESTING = True
    LOG_FORMAT = "plain"
    WTF_CSRF_ENABLED = False
    # New keys in every test process: nothing a deployment could ever reuse.
    SECRET_KEY = secrets.token_hex(32)
    AUDIT_HMAC_KEY = secrets.token_hex(32)
    DEMO_ALLOWED = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    # Tests sign in hundreds of times a minute from one address; tests/test_throttling.py
    # turns the limiter on where it is the subject.
    RATELIMIT_ENABLED = False
    # A real receiver on loopback stands in for a partner system.
    WEBHOOK_ALLOW_LOOPBACK_HTTP = True
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
    """The configuration class named by REFERRALS_CONFIG (production when it is not set)."""
    name = os.environ.get("REFERRALS_CONFIG") or DEFAULT_CONFIG
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"REFERRALS_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}"
        ) from None
