"""Error pages: a clear message, never a traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import FileStorage, ImmutableMultiDict
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from referrals.extensions import db


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Go back, check the form and try again."),
        403: _("Your role does not allow this page."),
        404: _("There is nothing here, or it is not shared with your organization."),
        405: _("This address does not accept that kind of request."),
        409: _("This record changed while you were working on it. Reload and try again."),
        413: _("What you sent is too large, so nothing was saved. Shorten it and try again."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing was saved; please try again."),
    }


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or best == "application/json"


def render_error(
    code: int, message: str | None = None, *, reload_url: str | None = None
) -> ResponseReturnValue:
    """An error page (or a JSON error for API clients) with a clear message."""
    text = message or _messages().get(code, _("Something went wrong."))
    if _wants_json():
        return jsonify(error=text, status=code), code
    page = render_template("errors/error.html", code=code, message=text, reload_url=reload_url)
    return page, code


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
        return render_error(error.code)

    @app.errorhandler(InternalServerError)
    def internal_error(error: InternalServerError) -> ResponseReturnValue:
        # Whatever half-done work the request held must not be committed by anything later.
        db.session.rollback()
        return render_error(500)
