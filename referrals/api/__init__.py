"""/api/v1: JSON for partner systems, with its OpenAPI 3.1 document and rendered docs."""

from __future__ import annotations

from flask import Blueprint, Flask
from swagger_ui_bundle import swagger_ui_path

from referrals.extensions import csrf


def register(app: Flask) -> None:
    """The API's blueprints on one flask-smorest Api, and Swagger UI's files (served here)."""
    from referrals.api import message_views, notification_views, program_views, referral_views
    from referrals.api.spec import make_api

    api = make_api(app)
    for area in (referral_views, message_views, program_views, notification_views):
        api.register_blueprint(area.blp)
    assets = Blueprint(
        "api_docs_assets",
        __name__,
        static_folder=swagger_ui_path,
        static_url_path="/api/v1/docs/assets",
    )
    app.register_blueprint(assets)
    # The document and the docs page take no token and change nothing.
    csrf.exempt("api-docs")
