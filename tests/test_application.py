"""The app is Flask's own class, with Flask-Babel's own locale selection."""

from __future__ import annotations

from typing import Any

import pytest
from babel import Locale
from flask import Flask
from flask_babel import get_locale


def test_the_app_is_a_plain_flask_app(app: Flask):
    assert type(app) is Flask  # no subclass overriding Flask's methods


def test_the_locale_is_the_configured_default(app: Flask):
    with app.test_request_context("/"):
        assert get_locale() == Locale.parse(app.config["BABEL_DEFAULT_LOCALE"])


@pytest.mark.parametrize("path", ["/login", "/healthz"])
def test_pages_still_answer(client: Any, path: str):
    assert client.get(path).status_code == 200
