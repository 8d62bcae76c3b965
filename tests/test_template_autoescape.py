"""No template turns autoescaping off: every value a template prints is escaped unless it is
markup already (issue 17: a list printed without autoescaping was one forgotten filter away
from stored XSS)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import nodes

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRECTORIES = (ROOT / "templates", ROOT / "bench" / "templates")
TEMPLATES = sorted(path for directory in TEMPLATE_DIRECTORIES for path in directory.rglob("*.html"))
# ``autoescape(False)`` or ``autoescape=False`` in Python: an environment, a Markup-making
# helper or a render call without escaping.
PYTHON_SWITCH = re.compile(r"autoescape\s*[=(]\s*(False|0|None)\b")


def test_the_templates_are_found():
    assert len(TEMPLATES) > 30
    assert ROOT / "templates" / "lifecycle" / "_list.html" in TEMPLATES


def turns_autoescaping_off(app: Flask, source: str) -> bool:
    """Whether the template says ``{% autoescape %}`` with anything but a literal true."""
    tree = app.jinja_env.parse(source)
    modifiers = tree.find_all((nodes.ScopedEvalContextModifier, nodes.EvalContextModifier))
    return any(
        keyword.key == "autoescape"
        and not (isinstance(keyword.value, nodes.Const) and keyword.value.value is True)
        for node in modifiers
        for keyword in node.options
    )


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_turns_autoescaping_off(app: Flask, path: Path):
    assert not turns_autoescaping_off(app, path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("source", "off"),
    [
        ("{% autoescape false %}{{ x }}{% endautoescape %}", True),
        ("{%- autoescape False -%}{{ x }}{%- endautoescape %}", True),
        ("{% autoescape 0 %}{{ x }}{% endautoescape %}", True),
        ("{% autoescape x %}{{ x }}{% endautoescape %}", True),  # decided at render time
        ("{% autoescape true %}{{ x }}{% endautoescape %}", False),
        ("{{ x }}", False),
    ],
)
def test_the_check_sees_every_way_of_turning_it_off(app: Flask, source: str, off: bool):
    assert turns_autoescaping_off(app, source) is off


def test_html_templates_are_autoescaped(app: Flask):
    assert app.jinja_env.autoescape("lifecycle/_list.html")  # type: ignore[operator]
    assert app.jinja_env.autoescape("bench/fortunes.html")  # type: ignore[operator]


def test_no_python_code_renders_without_autoescaping():
    sources = [*(ROOT / "referrals").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sources
        for match in PYTHON_SWITCH.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
