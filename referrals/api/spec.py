"""The OpenAPI 3.1 document of /api/v1, generated from the code by flask-smorest (apispec).

flask-smorest over apiflask: apiflask documents only routes of an ``APIFlask`` app (our app
class is Flask's, and apiflask would turn every page's errors into JSON); flask-smorest
works on a plain Flask app and writes OpenAPI 3.1.0 when asked (``OPENAPI_VERSION``).
Errors are RFC 9457 problem details: the error responses it documents carry
``ProblemSchema`` (its documented ``ERROR_SCHEMA`` hook) as ``application/problem+json``
(an apispec plugin, apispec's extension point for response components).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from apispec import BasePlugin
from flask import Flask
from flask_smorest import Api

from referrals.problems import PROBLEM_JSON

SPEC_SETTINGS = {
    "API_TITLE": "KC Coalition Referrals API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # Swagger UI's files come from the swagger-ui-bundle-v2 package, served here (no CDN).
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
}
SECURITY = {
    "security": [{"bearerToken": []}],
    "components": {
        "securitySchemes": {
            "bearerToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token a supervisor made on /account/api-tokens.",
            }
        }
    },
    "info": {
        "description": "Referrals between the coalition's organizations, with the rules of "
        "the pages: only your organization's records, only while consent covers you. "
        "See docs/API.md.",
    },
}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(metadata={"description": "A URI naming the problem type."})
    title = ma.fields.String(metadata={"description": "The HTTP status's phrase."})
    status = ma.fields.Integer()
    detail = ma.fields.String(metadata={"description": "What went wrong, for a person."})
    instance = ma.fields.String(metadata={"description": "The path asked for."})
    errors = ma.fields.Dict(metadata={"description": "Invalid fields and why, by location."})


class ProblemContent(BasePlugin):  # type: ignore[misc]
    """Error responses are ``application/problem+json``, not ``application/json``."""

    def response_helper(self, response: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        content = response.get("content") or {}
        if "application/json" not in content:
            return {}
        return {"content": {PROBLEM_JSON: content["application/json"]}}


class ProblemApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, documenting errors as problem details."""

    ERROR_SCHEMA = ProblemSchema


def make_api(app: Flask) -> Api:
    """One Api (and one spec) per app: the Api object keeps its app and spec."""
    for name, value in SPEC_SETTINGS.items():
        app.config.setdefault(name, value)
    app.config.setdefault("API_SPEC_OPTIONS", SECURITY)
    return ProblemApi(app, spec_kwargs={"extra_plugins": [ProblemContent()]})
