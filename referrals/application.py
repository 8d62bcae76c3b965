"""The Flask class of the app, and the locale every request is served in."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from types import TracebackType
from typing import Any
from weakref import WeakSet

from babel import Locale
from flask import Flask, current_app, request

# A safety net: the functions asked about are the app's views and hooks, a fixed set.
_SYNC_FUNCTIONS_LIMIT = 10_000


class ReferralsApp(Flask):
    """Flask, remembering which of its views and hooks are plain functions.

    Flask asks ``ensure_sync`` of every request hook, context processor, view and teardown
    on every request (17 times for the inbox), and each answer went through
    ``inspect.iscoroutinefunction``; a function does not turn into a coroutine later.
    Held weakly: a callable made for one request (a bound method of a class-based view, an
    ``after_this_request`` closure) leaves the set with the request, and whatever it holds
    is not kept alive by it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync_functions: WeakSet[Callable[..., Any]] = WeakSet()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            if func in self._sync_functions:
                return func
        except TypeError:  # unhashable, or no weak reference: asked every time, as by Flask
            return super().ensure_sync(func)
        wrapped = super().ensure_sync(func)
        if wrapped is func and len(self._sync_functions) < _SYNC_FUNCTIONS_LIMIT:
            self._sync_functions.add(func)
        return wrapped

    def log_exception(
        self, exc_info: tuple[type, BaseException, TracebackType] | tuple[None, None, None]
    ) -> None:
        """Flask's documented hook, logging the route rule where Flask logs the path: the
        path of an intake holds its client code (operations/request_log.py)."""
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        self.logger.error("Exception on %s [%s]", rule, request.method, exc_info=exc_info)


@cache
def _parsed(identifier: str) -> Locale:
    return Locale.parse(identifier)


def request_locale() -> Locale:
    """Flask-Babel's locale selector: the configured default, parsed once per process.

    Without a selector Flask-Babel parses ``BABEL_DEFAULT_LOCALE`` again on every request
    (Babel's ``Locale.parse``); it keeps a ``Locale`` it is given as it is. One place to
    choose a user's language when the catalogs come."""
    return _parsed(str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en")))
