"""Refuse request text that no column can store, before any view or query sees it.

PostgreSQL text cannot hold the NUL character: a NUL in any field, filter or path would reach
the database and fail there as a server error (SQLite would store it). No one types a NUL, so
a request carrying one is answered with a clear 400 and nothing is read or written.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

NUL = "\x00"


def _has_nul(pairs: Iterable[tuple[str, str]]) -> bool:
    return any(NUL in key or NUL in value for key, value in pairs)


def refuse_nul_characters() -> ResponseReturnValue | None:
    """A 400 for a NUL character in the path, the query string or the form."""
    if (
        NUL in request.path
        or _has_nul(request.args.items(multi=True))
        or (request.method == "POST" and _has_nul(request.form.items(multi=True)))
    ):
        from referrals.errors import render_error

        return render_error(
            400,
            _("What you sent contains a character that cannot be saved. Remove it and try again."),
        )
    return None


def register(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
