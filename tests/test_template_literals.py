"""Template literals folded at compile time render exactly what ``_()`` rendered."""

from __future__ import annotations

import pytest
from flask import Flask
from jinja2 import Environment

from referrals.template_literals import LiteralTranslations, has_catalogs, register

TEMPLATES = {
    "plain": "<b>{{ _('Sign out') }}</b>",
    "markup": "{{ _('<em>Trusted</em> & kept') }}",
    "percent": "{{ _('100%% sure') }}",
    "choice": "{{ _('From') if inbox else _('To') }}",
    "set": "{% set a, b = _('new'), gettext('overdue') %}{{ a }}/{{ b }}",
    "variables": "{{ _('%(n)d waiting', n=count) }}",
    "attribute": "{{ helpers._('kept as a call') }}",
    "unescaped block": "{% autoescape false %}{{ _('a & b') }}{% endautoescape %}",
    "unescaped, formatted": "{% autoescape false %}{{ _('Hi {}').format(tag) }}{% endautoescape %}",
    "unescaped, joined": "{% autoescape false %}{{ _('Hi ') + tag }}{% endautoescape %}",
    "escaped, joined": "{{ _('Hi ') + tag }}",
    "concatenated": "{{ _('Page') ~ ' ' ~ number }}",
}


class Helpers:
    @staticmethod
    def _(text: str) -> str:
        return f"[{text}]"


def _environment(app: Flask, *, folding: bool) -> Environment:
    """An environment with the app's own ``_`` (templating.template_gettext)."""
    from referrals.templating import TEMPLATE_GLOBALS

    env = Environment(autoescape=True, extensions=[LiteralTranslations] if folding else [])
    env.globals.update(TEMPLATE_GLOBALS)
    return env


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_folded_templates_render_what_the_calls_rendered(app: Flask, name):
    values = {"inbox": False, "count": 3, "helpers": Helpers(), "number": 2, "tag": "<b>"}
    with app.test_request_context("/"):
        folded = _environment(app, folding=True).from_string(TEMPLATES[name]).render(values)
        called = _environment(app, folding=False).from_string(TEMPLATES[name]).render(values)
    assert folded == called


def test_a_literal_is_written_into_the_template_and_a_call_with_variables_is_not(app: Flask):
    env = _environment(app, folding=True)
    source = env.compile(
        "{{ _('Sign out') }}{{ _('%(n)d waiting', n=2) }}{{ helpers._('x') }}", raw=True
    )
    assert "yield 'Sign out'" in source  # static output, like the text around it
    assert source.count("context.call(") == 2  # the call with variables, and helpers._


def test_the_app_folds_while_it_has_no_catalog(app: Flask, tmp_path):
    assert not has_catalogs(app)
    assert LiteralTranslations in [type(e) for e in app.jinja_env.extensions.values()]
    (tmp_path / "es" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "es" / "LC_MESSAGES" / "messages.mo").write_bytes(b"")
    other = Flask("catalogued")
    other.config["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path)
    assert has_catalogs(other)
    register(other)  # every _() stays a call, translated at render time
    assert LiteralTranslations not in [type(e) for e in other.jinja_env.extensions.values()]


def test_every_template_of_the_app_compiles_with_folding(app: Flask):
    names = [n for n in app.jinja_env.list_templates() if n.endswith(".html")]
    assert len(names) > 20
    for name in names:
        app.jinja_env.get_template(name)


def test_path_for_remembers_only_what_a_template_can_write(app: Flask):
    from referrals.templating import path_for

    with app.test_request_context("/"):
        assert path_for("static", filename="app.css") == "/static/app.css"
        assert path_for("static", filename="app.css") == "/static/app.css"  # remembered
        with pytest.raises(ValueError, match="cannot remember"):
            path_for(".inbox")  # depends on the blueprint asking
        with pytest.raises(ValueError, match="cannot remember"):
            path_for("lifecycle.inbox", _external=True)  # would keep one client's Host
