"""referrals/application.py: the Flask class and the locale selector."""

from __future__ import annotations

from typing import Any

import pytest
from babel import Locale
from flask import Flask
from flask_babel import get_locale

from referrals.application import ReferralsApp, request_locale


def test_the_app_is_a_referrals_app(app: Flask):
    assert isinstance(app, ReferralsApp)


def test_a_plain_function_is_returned_as_is_and_remembered(app: Flask):
    def view() -> str:
        return "ok"

    assert app.ensure_sync(view) is view
    assert view in app._sync_functions  # type: ignore[attr-defined]
    assert app.ensure_sync(view) is view


def test_a_coroutine_function_is_never_taken_for_a_plain_one(app: Flask):
    async def view() -> str:
        return "ok"

    # Flask refuses it without asgiref (not installed: the app has no async views), and
    # goes on refusing it: no answer is remembered.
    for _ in range(2):
        with pytest.raises(RuntimeError, match="async"):
            app.ensure_sync(view)
    assert view not in app._sync_functions  # type: ignore[attr-defined]


def test_a_callable_made_for_one_request_is_not_kept(app: Flask):
    import gc

    class View:
        def get(self) -> str:
            return "ok"

    view = View()
    held = len(app._sync_functions)  # type: ignore[attr-defined]
    bound = view.get  # a new bound method each time, as a class-based view makes per request
    assert app.ensure_sync(bound) is bound
    assert len(app._sync_functions) == held + 1  # type: ignore[attr-defined]
    del bound, view
    gc.collect()
    assert len(app._sync_functions) == held  # type: ignore[attr-defined]


def test_an_unhashable_callable_is_asked_every_time(app: Flask):
    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

        def __call__(self) -> str:
            return "ok"

    handler: Any = Unhashable()
    assert app.ensure_sync(handler) is handler
    assert app.ensure_sync(handler) is handler


def test_the_locale_is_the_configured_default_parsed_once(app: Flask):
    with app.test_request_context("/"):
        locale = get_locale()
        assert locale == Locale.parse(app.config["BABEL_DEFAULT_LOCALE"])
        assert request_locale() is request_locale()
        assert locale is request_locale()


@pytest.mark.parametrize("path", ["/login", "/healthz"])
def test_pages_still_answer(client: Any, path: str):
    assert client.get(path).status_code == 200
