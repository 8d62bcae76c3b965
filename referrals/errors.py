"""Error pages: a clear message, never a traceback; and the errors services raise.

Services raise a ``DomainError`` when they refuse (the input, the user, the record, the
moment); one handler turns it into the matching page. Views catch the ones they answer
on the form itself.
"""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import FileStorage, ImmutableMultiDict
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from referrals import problems
from referrals.extensions import db
from referrals.operations.request_log import request_id

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A service refused. ``status`` is the HTTP answer; the message is shown only when the
    error is ``public`` (written for the person, through gettext)."""

    status = 400
    public = False


class InvalidInput(DomainError, ValueError):
    """What was sent cannot be saved now; the message says why."""

    public = True


class NotAllowed(DomainError, PermissionError):
    """The user's role or organization does not allow this (the message is for the log)."""

    status = 403


class NotFound(DomainError, LookupError):
    """No such record, or not one this user may see."""

    status = 404


class Conflict(DomainError):
    """Someone else changed the record first."""

    status = 409


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Go back, check the form and try again."),
        403: _("Your role does not allow this page."),
        404: _("There is nothing here, or it is not shared with your organization."),
        405: _("This address does not accept that kind of request."),
        409: _("This record changed while you were working on it. Reload and try again."),
        412: _("The record changed since you read it: read it again, then retry."),
        413: _("What you sent is too large, so nothing was saved. Shorten it and try again."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing was saved; please try again."),
        503: _("The database did not answer. Nothing was saved; please try again in a moment."),
    }


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or best == "application/json"


def render_error(
    code: int, message: str | None = None, *, reload_url: str | None = None
) -> ResponseReturnValue:
    """An error page (or a JSON error for API clients) with a clear message."""
    text = message or _messages().get(code, _("Something went wrong."))
    # The same id as this request's log line: an administrator finds the line from it.
    reference = request_id()
    if problems.for_machines():
        return problems.machine_error(code, text)
    if _wants_json():
        return jsonify(error=text, status=code, request_id=reference), code
    try:
        page = render_template(
            "errors/error.html",
            code=code,
            message=text,
            reload_url=reload_url,
            request_id=reference,
        )
    except Exception:
        # The layout reads the signed-in user and counts from the database; when that is
        # what failed (a restart, a dropped connection), a page without them still answers.
        # Rendered without the context processors: Flask-Login's loads the user.
        log.exception("the %s page could not render in full", code)
        _rollback_quietly()
        plain = current_app.jinja_env.get_template("errors/plain.html")
        page = plain.render(code=code, message=text, request_id=reference)
    return page, code


def _rollback_quietly() -> None:
    """Drop whatever the request held; on a dead connection the rollback itself may fail."""
    with contextlib.suppress(Exception):
        db.session.rollback()


def register(app: Flask) -> None:
    """Install handlers for every HTTP error and for unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400, _("The form expired or was sent from elsewhere. Reload the page and try again.")
        )

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
        # The body was refused unread, and reading the form again raises again: whatever
        # reads it while the page renders (the sign-out form in the navigation) must find it
        # empty, or a signed-in user's oversize post would end in a 500.
        request.form = ImmutableMultiDict[str, str]()
        request.files = ImmutableMultiDict[str, FileStorage]()
        return render_error(413)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        if problems.for_machines():
            # A description given where the error was raised says more than the default.
            given = error.description != type(error).description
            detail = error.description if given else _messages().get(error.code)
            return problems.from_http_exception(error, detail)
        return render_error(error.code)

    @app.teardown_appcontext
    def end_session_quietly(error: BaseException | None) -> None:
        # Registered after Flask-SQLAlchemy's own teardown, so it runs first: closing a
        # session whose connection died mid-request can raise, and an exception here
        # would escape the app (gunicorn's bare 500) after its page was already chosen.
        try:
            db.session.remove()
        except Exception:
            log.warning("closing the request's session failed", exc_info=True)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> ResponseReturnValue:
        # A refusal leaves nothing half-written behind.
        _rollback_quietly()
        return render_error(error.status, str(error) if error.public and str(error) else None)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError) -> ResponseReturnValue:
        # A restart, a dropped connection, a failed transaction: the pool replaces dead
        # connections at the next checkout, so the next request may well succeed.
        log.warning("database error: %s", type(error.orig).__name__)
        _rollback_quietly()
        response = make_response(render_error(503))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError) -> ResponseReturnValue:
        # Whatever half-done work the request held must not be committed by anything later.
        _rollback_quietly()
        return render_error(500)
