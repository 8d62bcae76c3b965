"""Refuse request content no form can use, before any view or query sees it.

- PostgreSQL text cannot hold the NUL character: a NUL in any field, filter or path would
  reach the database and fail there as a server error (SQLite would store it). No one types a
  NUL, so a request carrying one is answered with a clear 400 and nothing is read or written.
- No form takes a file. Flask-WTF hands uploaded files to the form's fields with the text, so
  a file sent under a text field's name reached validators and services that expect a string
  (``len()`` of a file): another server error. A request with files is refused the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

NUL = "\x00"


def _has_nul(pairs: Iterable[tuple[str, str]]) -> bool:
    # A multipart part with an odd header can reach the form with no value at all.
    return any(NUL in (key or "") or NUL in (value or "") for key, value in pairs)


def refuse_unusable_input() -> ResponseReturnValue | None:
    """A 400 for a NUL character in the path, query string or form, or for uploaded files."""
    from referrals.errors import render_error

    if (
        NUL in request.path
        or _has_nul(request.args.items(multi=True))
        or (request.method == "POST" and _has_nul(request.form.items(multi=True)))
    ):
        return render_error(
            400,
            _("What you sent contains a character that cannot be saved. Remove it and try again."),
        )
    if request.method == "POST" and request.files:
        return render_error(
            400, _("This page takes no files. Go back and send the form without one.")
        )
    return None


def register(app: Flask) -> None:
    app.before_request(refuse_unusable_input)
