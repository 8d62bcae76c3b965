"""The small ``register_*`` steps that ``create_app`` runs in order."""

from __future__ import annotations

from functools import partial
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from referrals.extensions import (
    babel,
    bootstrap,
    cache,
    csrf,
    db,
    limiter,
    login_manager,
    mail,
    migrate,
)
from referrals.streamed_bodies import StreamedBodyLimit


def register_logging(app: Flask) -> None:
    """Log lines in one format (JSON in production) and one line per request; first, so it
    times the whole request and nothing logs before it is set up."""
    from referrals.operations import request_log

    request_log.configure(app)


def register_metrics(app: Flask) -> None:
    """Prometheus metrics, served at /metrics only to a scraper holding METRICS_TOKEN."""
    from referrals.operations import metrics

    metrics.register(app)


def _give_sqlite_the_zone(engine: sa.Engine, zone_name: str) -> None:
    """SQLite knows no time zones: each connection gets ``coalition_local`` (the rollups'
    days and quarters are the coalition's, rollups/contributions.py)."""
    from referrals.localtime import wall_clock

    def add_function(connection: Any, _record: Any) -> None:
        local = partial(wall_clock, zone_name=zone_name)
        connection.create_function("coalition_local", 1, local, deterministic=True)

    sa.event.listen(engine, "connect", add_function)


def register_extensions(app: Flask) -> None:
    """Bind every extension to the app and import the models so the metadata is complete."""
    from referrals import (
        models,  # noqa: F401  (registers every table)
        postgresql,
    )
    from referrals.auth.loader import load_user
    from referrals.auth.views import signed_out
    from referrals.language import selection

    on_postgresql = str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql")
    if on_postgresql:
        # Server settings and which statements stay prepared: postgresql.py.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = postgresql.connect_args(dict(options.get("connect_args") or {}))
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}
    db.init_app(app)
    with app.app_context():
        if on_postgresql:
            postgresql.register(db.engine)
        else:
            _give_sqlite_the_zone(db.engine, app.config["COALITION_TIMEZONE"])
    migrate.init_app(app, db, directory=app.config.get("MIGRATIONS_DIR", "migrations"))
    csrf.init_app(app)
    # One setting for the zone people read times in; Flask-Babel formats them in it.
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["COALITION_TIMEZONE"]
    # The user's language (a cookie the switch and sign-in set), else Accept-Language.
    babel.init_app(app, locale_selector=selection.select_locale)
    selection.register(app)
    bootstrap.init_app(app)
    cache.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(signed_out)


def register_middleware(app: Flask) -> None:
    """The WSGI wrappers: chunked bodies held to the limit, then the proxy's headers."""
    app.wsgi_app = StreamedBodyLimit(app.wsgi_app, app.config)  # type: ignore[method-assign]
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops:
        # Behind the TLS proxy: take the client address and scheme from its headers only.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` limited to what an id column holds: a longer number is a 404, not a 500."""

    def __init__(self, map: Map, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)  # type: ignore[arg-type]


def register_blueprints(app: Flask) -> None:
    """One blueprint per area (ids in URLs bounded to what the database can hold)."""
    app.url_map.converters["int"] = DatabaseIdConverter
    from referrals import (
        admin,
        audit,
        auth,
        dashboard,
        hsds,
        intake,
        language,
        lifecycle,
        notifications,
        operations,
        programs,
        tokens,
        webhooks,
    )

    areas = (
        auth,
        dashboard,
        admin,
        programs,
        intake,
        lifecycle,
        notifications,
        audit,
        operations,
        tokens,
        webhooks,
        hsds,
        language,
    )
    for area in areas:
        app.register_blueprint(area.blueprint())
    from referrals import api, fhir

    api.register(app)
    fhir.register(app)
    app.add_url_rule("/favicon.ico", "favicon", favicon)


def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever a page's ``<link rel="icon">`` says (for a JSON
    answer, a download, the API's pages): the same file as static/favicon.ico, never a 404."""
    return current_app.send_static_file("favicon.ico")


def register_error_handlers(app: Flask) -> None:
    """Friendly pages for HTTP errors, never a traceback (nor for text no column can store)."""
    from referrals import input_guard
    from referrals.errors import register

    register(app)
    input_guard.register(app)


def register_security_headers(app: Flask) -> None:
    """Security headers on every response; registered first so it runs after every other
    ``after_request`` and sees the headers they set."""
    from referrals.security_headers import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Values every template may use (``_`` and ``gettext`` are Flask-Babel's, installed by
    ``babel.init_app`` through Jinja's i18n extension)."""
    from flask_babel import get_locale

    from referrals.templating import TEMPLATE_FILTERS, template_context

    app.context_processor(template_context)
    # A global, not a context value: <html lang> needs it in errors/plain.html too, which
    # renders without the context processors.
    app.jinja_env.globals["get_locale"] = get_locale
    for name, function in TEMPLATE_FILTERS.items():
        app.add_template_filter(function, name)


def register_cli(app: Flask) -> None:
    """The ``flask`` commands."""
    from referrals.cli import register

    register(app)
