"""Referral tracking for organizations that serve survivors of human trafficking."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from config import config_from_env
from referrals.installation_keys import load_keys


def create_app(
    config: type | None = None, *, instance_path: str | None = None, **overrides: Any
) -> Flask:
    """Build the application: configuration, keys, extensions, blueprints, CLI, error pages.

    ``instance_path`` (absolute) moves the instance folder, as for a second installation.
    """
    app = Flask(__name__, template_folder="../templates", instance_path=instance_path)
    config_class = config or config_from_env()
    config_class.check()  # type: ignore[attr-defined]
    app.config.from_object(config_class)
    app.config.update(overrides)
    # The development SQLite file and keys live under instance/, which a fresh clone lacks.
    os.makedirs(app.instance_path, exist_ok=True)
    load_keys(app)

    from referrals.wiring import (
        register_blueprints,
        register_cli,
        register_error_handlers,
        register_extensions,
        register_logging,
        register_metrics,
        register_middleware,
        register_security_headers,
        register_template_helpers,
    )

    register_logging(app)
    register_extensions(app)
    register_metrics(app)
    register_middleware(app)
    register_security_headers(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app
