"""Referral tracking for organizations that serve survivors of human trafficking."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from config import config_from_env


def create_app(config: type | None = None, **overrides: Any) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI, error pages."""
    app = Flask(__name__, template_folder="../templates")
    config_class = config or config_from_env()
    config_class.check()  # type: ignore[attr-defined]
    app.config.from_object(config_class)
    app.config.update(overrides)
    # The development SQLite file lives under instance/, which a fresh clone lacks.
    os.makedirs(app.instance_path, exist_ok=True)

    from referrals.wiring import (
        register_blueprints,
        register_cli,
        register_error_handlers,
        register_extensions,
        register_security_headers,
        register_template_helpers,
    )

    register_extensions(app)
    register_security_headers(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app
