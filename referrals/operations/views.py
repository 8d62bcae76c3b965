"""Probes and metrics for the machines that watch the app: no sign-in, no client data."""

from __future__ import annotations

import hmac

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from referrals.extensions import db
from referrals.operations import metrics, readiness

bp = Blueprint("operations", __name__)


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness and database reachability; no data, no login."""
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz() -> ResponseReturnValue:
    """Ready for traffic: the database answers, migrations are at head, e-mail is moving."""
    problem = readiness.first_problem()
    if problem is None:
        return jsonify(status="ready")
    return jsonify(status="not ready", check=problem.check, reason=problem.reason), 503


@bp.route("/metrics")
def prometheus() -> ResponseReturnValue:
    """Prometheus metrics, for a scraper holding METRICS_TOKEN; 404 while it is not set."""
    token = str(current_app.config.get("METRICS_TOKEN") or "")
    if not token:
        abort(404)
    offered = request.headers.get("Authorization", "")
    if not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        response = jsonify(error=_("A bearer token is required."), status=401)
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body = generate_latest(metrics.exposition_registry())
    return body, 200, {"Content-Type": CONTENT_TYPE_LATEST}
