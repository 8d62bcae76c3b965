"""Which language a request is answered in (Flask-Babel's locale selector).

The choice lives in a cookie of its own, not in the session: sign-in and sign-out clear the
session, and a signed-out visitor's choice must survive both. An account's saved choice is
written into that cookie at each sign-in. Reading the cookie needs no database, so even the
error page shown when the database is down comes out in the right language.
"""

from __future__ import annotations

from flask import Flask, after_this_request, current_app, has_request_context, request
from flask_login import user_logged_in
from werkzeug.wrappers import Response

from referrals.auth.models import User

# Code -> the language's name in that language (the switch shows each in its own language).
LANGUAGES = {"en": "English", "es": "Español"}
COOKIE = "locale"


def select_locale() -> str | None:
    """The cookie's language, else the best of Accept-Language, else None (the default, en)."""
    if not has_request_context():
        return None  # commands and the sweep: the default
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES)


def remember(response: Response, code: str) -> Response:
    """Keep ``code`` for this browser. A browser-session cookie, like the session's own."""
    response.set_cookie(
        COOKIE,
        code,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )
    return response


def _apply_saved_choice(app: Flask, user: User, **extra: object) -> None:
    """At sign-in, the account's saved language replaces whatever this browser had."""
    code = user.locale
    if code in LANGUAGES:
        after_this_request(lambda response: remember(response, str(code)))


def register(app: Flask) -> None:
    """Apply the saved language at every sign-in (Flask-Login's signal)."""
    user_logged_in.connect(_apply_saved_choice, app)
