"""Template literals put in place when a template is compiled, while there is nothing to
translate them with.

``{{ _('Sign out') }}`` called the translation function at every render: through Jinja's
``Context.call``, our memo (templating.template_gettext) and an escape, about 3 µs each,
and a page has dozens (46 on the inbox). The app ships no message catalog yet, so every
``_()`` of a literal returns the literal itself, whatever the locale: this extension writes
that text into the compiled template instead, as what ``_()`` returned: trusted markup
where autoescaping is on (a template literal is the template author's own text), plain
text where it is off.

Only calls of ``_`` or ``gettext`` with one string literal are folded; a call with
variables, or any call once the translation directories hold a catalog (``*.mo``), stays a
call at render time, translated for the request's locale as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from jinja2 import Environment, pass_eval_context
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.nodes import EvalContext

from referrals.templating import format_translation

_TRANSLATING = frozenset({"_", "gettext"})


def _foldable(string: str) -> bool:
    """Whether newstyle gettext can format the untranslated literal (always a format
    string: ``%%`` is a percent sign); one that fails is left to fail at render time."""
    try:
        string % {}  # only whether it formats
    except (TypeError, ValueError, KeyError):
        return False
    return True


# The filter a folded literal goes through; Jinja applies it while compiling.
_FILTER = "folded_literal"


@pass_eval_context
def folded_literal(eval_ctx: EvalContext, text: str) -> str:
    """What templating.template_gettext returns for an untranslated literal."""
    return format_translation(text, bool(eval_ctx.autoescape), {})


class LiteralTranslations(Extension):
    """Replace ``_('text')`` by ``('text'|folded_literal)`` in the token stream."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters[_FILTER] = folded_literal

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        window: list[Token] = []
        previous: Token | None = None
        for token in stream:
            window.append(token)
            if len(window) < 4:
                continue
            folded = self._folded(window, previous)
            if folded is not None:
                yield from folded
                previous = window[-1]
                window.clear()
                continue
            previous = window.pop(0)
            yield previous
        yield from window

    @staticmethod
    def _folded(window: list[Token], previous: Token | None) -> list[Token] | None:
        name, opening, literal, closing = window
        if (
            name.type != "name"
            or name.value not in _TRANSLATING
            or (previous is not None and previous.type == "dot")  # x._('...') is not ours
            or opening.type != "lparen"
            or literal.type != "string"
            or closing.type != "rparen"
        ):
            return None
        if not _foldable(literal.value):
            return None
        line = name.lineno
        return [
            Token(line, "lparen", "("),
            Token(line, "string", literal.value),
            Token(line, "pipe", "|"),
            Token(line, "name", _FILTER),
            Token(line, "rparen", ")"),
        ]


def has_catalogs(app: Flask) -> bool:
    """Whether any translation directory holds a compiled catalog."""
    directories = str(app.config.get("BABEL_TRANSLATION_DIRECTORIES") or "translations")
    for directory in directories.split(";"):
        root = Path(directory)
        if not root.is_absolute():
            root = Path(app.root_path) / root
        if any(root.glob("*/LC_MESSAGES/*.mo")):
            return True
    return False


def register(app: Flask) -> None:
    """Fold template literals while the app has no catalog (before any template compiles)."""
    if not has_catalogs(app):
        app.jinja_env.add_extension(LiteralTranslations)
