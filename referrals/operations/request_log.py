"""One log line per request, and every log line in one format (JSON in production).

What a line may hold is decided here, once: the request id, the method, the *route rule*
(``/intakes/<client_code>``, never the path: the path of an intake holds its client code),
the endpoint, the status, the duration, and the user's and organization's ids. Never a
query string, a form field, a header value or a path. An exception's message is left out
too (its type and stack are kept): a database error quotes the value it refused.

python-json-logger, not structlog: it is a ``logging.Formatter``, so the lines of every
library (SQLAlchemy, Flask-Limiter, gunicorn's workers) and of the app's own ``logging``
calls come out in the same format, with no second logging API to learn.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
import traceback
from types import TracebackType
from typing import Any

from flask import Flask, Response, current_app, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

HANDLER_NAME = "referrals"
REQUEST_LOGGER = "referrals.requests"
REQUEST_ID_HEADER = "X-Request-ID"
# What the proxy may hand on (nginx's $request_id is 32 hex digits); anything else is
# replaced, so a client cannot write arbitrary text into the logs through it.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Kept in the WSGI environ, not ``g``: a test or a CLI command may share one app context
# between several requests; the environ is this request's alone.
_ID_KEY = "referrals.request_id"
_START_KEY = "referrals.request_started"
_WHO_KEY = "referrals.request_user"

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ("asctime", "levelname", "name", "message")


def request_id() -> str:
    """This request's id (from the trusted proxy, or made here); empty outside a request."""
    if not has_request_context():
        return ""
    found = request.environ.get(_ID_KEY)
    if found is None:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        trusted = int(current_app.config.get("TRUSTED_PROXIES") or 0) > 0
        found = offered if trusted and _SANE_REQUEST_ID.fullmatch(offered) else _new_id()
        request.environ[_ID_KEY] = found
    return str(found)


def _new_id() -> str:
    return secrets.token_hex(16)


def identify(user_id: int, organization_id: int) -> None:
    """Name the signed-in user on this request's line (called by the user loader)."""
    if has_request_context():
        request.environ[_WHO_KEY] = (user_id, organization_id)


# How Flask's log_exception starts the line it logs for an unhandled exception.
_FLASK_EXCEPTION_LINE = "Exception on "


class RequestContext(logging.Filter):
    """Adds the request id to every line; replaces an exception's text by its type and stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() or "-"  # "-": not during a request (a command)
        if has_request_context() and str(record.msg).startswith(_FLASK_EXCEPTION_LINE):
            # Flask's own line names the path, and an intake's path holds its client code.
            record.msg, record.args = f"{_FLASK_EXCEPTION_LINE}{route()} [{request.method}]", ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redacted_traceback(*record.exc_info)
            record.exc_info = None
        return True


def redacted_traceback(
    kind: type[BaseException], error: BaseException | None, stack: TracebackType | None
) -> str:
    """The stack and the type of an exception (and of those it came from), not the message."""
    lines = ["Traceback (most recent call last):\n", *traceback.format_tb(stack)]
    lines.append(f"{kind.__module__}.{kind.__qualname__} (message left out of the log)")
    cause = (error.__cause__ or error.__context__) if error is not None else None
    for _ in range(5):  # a bounded walk down the chain
        if cause is None:
            break
        lines.append(f"\n  from {type(cause).__module__}.{type(cause).__qualname__}")
        cause = cause.__cause__ or cause.__context__
    return "".join(lines)


def formatter(kind: str) -> logging.Formatter:
    """The formatter for LOG_FORMAT ``json`` or ``plain``."""
    if kind == "plain":
        return logging.Formatter(PLAIN_FORMAT)
    if kind != "json":
        raise RuntimeError(f"LOG_FORMAT must be json or plain, not {kind!r}")
    return JsonFormatter(
        list(JSON_FIELDS),
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )


def configure(app: Flask) -> None:
    """Send every log line to stderr in the configured format (replacing an earlier set-up
    of this app's, so a second ``create_app`` in one process does not double the lines)."""
    handler = logging.StreamHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter(str(app.config["LOG_FORMAT"])))
    handler.addFilter(RequestContext())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    level = str(app.config["LOG_LEVEL"]).upper()
    root.setLevel(level)
    # The app's own loggers too: `flask db` (migrations/alembic.ini) sets the root level to
    # WARN, and in a process that also runs migrations (the tests) the request lines would go.
    logging.getLogger(app.import_name).setLevel(level)
    # Flask's own handler on app.logger would write every app error a second time.
    app.logger.removeHandler(default_handler)
    # The development server logs each request line with its path (client codes); the
    # line below replaces it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # /readyz reads the schema's revision through alembic, which says so at INFO each time
    # (`flask db` sets its own levels from migrations/alembic.ini).
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    app.before_request(_start)
    app.after_request(_log_request)


def _start() -> None:
    request.environ[_START_KEY] = time.perf_counter()
    request_id()


def route() -> str:
    """The matched URL rule (its placeholders, never their values), or ``unmatched``."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def elapsed_seconds() -> float:
    """Since the request started (0 if it never reached the app's first hook)."""
    started = request.environ.get(_START_KEY)
    return time.perf_counter() - started if started is not None else 0.0


def _log_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    user_id, organization_id = request.environ.get(_WHO_KEY, (None, None))
    fields: dict[str, Any] = {
        "request_id": request_id(),
        "method": request.method,
        "route": route(),
        "endpoint": request.endpoint or "",
        "status": response.status_code,
        "duration_ms": round(elapsed_seconds() * 1000, 2),
        "user_id": user_id,
        "organization_id": organization_id,
    }
    logging.getLogger(REQUEST_LOGGER).info(
        "%s %s %s %.1f ms",
        fields["method"],
        fields["route"],
        fields["status"],
        fields["duration_ms"],
        extra=fields,
    )
    return response
