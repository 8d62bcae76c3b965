"""The door of every token route (/api/v1, /fhir, /hsds): a bearer token and nothing else.

A request is authenticated only by ``Authorization: Bearer <token>``; a session cookie is
refused (so no page's signed-in browser can be made to call the API: no CSRF to fear, and
the API is exempt from the CSRF check for that reason). Each token has its own rate
limit, and every authenticated call is audited with its outcome.
"""

from __future__ import annotations

import logging
from typing import TypeVar

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, g, request
from flask_babel import gettext as _
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized

from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import TokenScope
from referrals.extensions import csrf, db, limiter
from referrals.problems import machine_error
from referrals.tokens.models import ApiToken
from referrals.tokens.principal import TokenPrincipal
from referrals.tokens.services import digest, live_token

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


B = TypeVar("B", bound=Blueprint)


def protect(blueprint: B) -> B:
    """Require a token on every route of ``blueprint``, limit its rate, audit its calls."""
    csrf.exempt(blueprint)
    limiter.limit(_rate_limit, key_func=_limit_key)(blueprint)
    blueprint.before_request(_authenticate)
    blueprint.after_request(_audit_call)
    return blueprint


def _rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def _limit_key() -> str:
    """Per token (its digest), or per address for a request that carries none."""
    header = request.headers.get("Authorization", "")
    return f"token:{digest(header)}" if header else f"address:{request.remote_addr}"


def _refuse(description: str, error: str = "invalid_token") -> Unauthorized:
    challenge = WWWAuthenticate("bearer", {"realm": "api", "error": error})
    return Unauthorized(description=description, www_authenticate=challenge)


def _authenticate() -> None:
    session_cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
    if session_cookie in request.cookies:
        raise _refuse(
            _(
                "This address takes an API token in the Authorization header, never a "
                "signed-in browser's cookie."
            ),
            error="invalid_request",
        )
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _refuse(_("Send an API token: Authorization: Bearer <token>."), "invalid_request")
    token = live_token(secret.strip(), utcnow())
    if token is None:
        raise _refuse(_("This token is unknown, expired or revoked."))
    principal = TokenPrincipal.of(token)
    g.api_principal = principal
    if request.method not in SAFE_METHODS and principal.scope != TokenScope.ACT:
        raise Forbidden(description=_("This token may only read."))


def current_principal() -> TokenPrincipal:
    """The principal of this token-authenticated request (inside a protected route)."""
    principal: TokenPrincipal = g.api_principal
    return principal


def acting_user() -> User:
    """The principal where access.py and the services expect a user."""
    return current_principal().as_user()


def _audit_call(response: Response) -> Response:
    """Audit the call (token, method, route, outcome) and note the token's last use.

    The one write every token call makes, GET included, as read_only.record_read is for pages:
    committed on its own, after whatever the view committed or rolled back.
    """
    principal: TokenPrincipal | None = g.get("api_principal")
    if principal is None:
        return response
    try:
        audit.record(
            "api.call",
            actor=principal,
            object_type="api_token",
            object_id=principal.token_id,
            detail={
                "method": request.method,
                "route": request.url_rule.rule if request.url_rule else request.path,
                "status": response.status_code,
            },
        )
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.id == principal.token_id)
            .values(last_used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except Exception:
        # Nothing leaves unaudited: the answer becomes a 503 (what the view committed
        # stays; the client reads the record again before it retries).
        log.exception("auditing an API call failed")
        db.session.rollback()
        return machine_error(503)
    return response
