"""The Spanish catalog covers every string of the code and templates, as they are now.

The strings are extracted afresh from the sources with Babel's own API (babel.cfg and the
keywords of ``make messages``), so a string added without its translation fails here, before
anyone sees English on a Spanish page. Each must be in the catalog, translated (every plural
form), not fuzzy, and keep the placeholders and HTML tags of its English.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "referrals" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
# The Makefile's BABEL_KEYWORDS, on top of Babel's defaults (_, gettext, ngettext, ...).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
SHOWN = 20  # problems listed in a failure message; the count says how many in all


def extract_template() -> Catalog:
    """What ``make messages`` writes to messages.pot, built in memory."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    template = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


@pytest.fixture(scope="module")
def template() -> Catalog:
    return extract_template()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with CATALOG.open("rb") as po:
        return read_po(po, locale="es")


def placeholders(text: str) -> list[tuple[str, str]]:
    """The ``%(name)s`` / ``%d`` placeholders of a string (``%%`` is a literal percent)."""
    return sorted(
        (name or "", conversion)
        for name, _flags, conversion in PYTHON_FORMAT.findall(text)
        if conversion != "%"
    )


def forms(message: Message) -> tuple[list[str], list[str]]:
    """The English forms and the Spanish ones, singular or plural alike."""
    ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
    strings = message.string
    translated = list(strings) if isinstance(strings, tuple | list) else [strings]
    return ids, translated


def shown(problems: list[str]) -> str:
    more = f"\n… and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    return f"{len(problems)} problems:\n" + "\n".join(problems[:SHOWN]) + more


def used(template: Catalog, catalog: Catalog) -> Iterator[tuple[Message, Message]]:
    """Each extracted message with its catalog entry (messages missing from it skipped)."""
    for wanted in template:
        if not wanted.id:
            continue
        found = catalog.get(wanted.id, wanted.context)
        if found is not None:
            yield wanted, found


def where(message: Message) -> str:
    first = message.locations[0] if message.locations else ("?", 0)
    return f"{first[0]}:{first[1]}: {forms(message)[0][0]!r}"


def test_every_coded_value_has_a_label_to_translate() -> None:
    """A member without a label would show its code, in English, in every language."""
    from referrals import enums

    coded = [
        member
        for value in vars(enums).values()
        if isinstance(value, type) and issubclass(value, enums.CodedEnum)
        for member in value
    ]
    assert [member for member in coded if member not in enums.LABELS] == []


def test_the_sources_have_strings_to_translate(template: Catalog) -> None:
    assert len(template) > 500  # the extraction found the code and the templates


def test_the_catalog_can_be_compiled(catalog: Catalog) -> None:
    # A fuzzy header makes `pybabel compile` skip the whole catalog.
    assert not catalog.fuzzy
    assert catalog.num_plurals == 2
    assert catalog.plural_expr == "(n != 1)"


def test_every_string_is_in_the_catalog(template: Catalog, catalog: Catalog) -> None:
    missing = [
        where(message)
        for message in template
        if message.id and catalog.get(message.id, message.context) is None
    ]
    assert not missing, "not in the catalog (run make messages, then translate): " + shown(missing)


def test_every_string_is_translated(template: Catalog, catalog: Catalog) -> None:
    untranslated = []
    for wanted, found in used(template, catalog):
        ids, strings = forms(found)
        if len(ids) != len(forms(wanted)[0]):
            untranslated.append(where(wanted) + " (singular in one, plural in the other)")
        elif not all(text.strip() for text in strings):
            untranslated.append(where(wanted))
    assert not untranslated, "untranslated: " + shown(untranslated)


def test_no_translation_is_fuzzy(template: Catalog, catalog: Catalog) -> None:
    fuzzy = [where(wanted) for wanted, found in used(template, catalog) if found.fuzzy]
    assert not fuzzy, "fuzzy (check the translation, then remove the flag): " + shown(fuzzy)


def test_translations_keep_the_placeholders(template: Catalog, catalog: Catalog) -> None:
    """The same %(name)s as the English, or the interpolation raises or drops a value.

    A plural's singular form may leave the number out ("Una remisión"); it may not bring
    in a placeholder the English does not have.
    """
    wrong = []
    for wanted, found in used(template, catalog):
        ids, strings = forms(found)
        if not any(strings):
            continue  # reported as untranslated
        english = [placeholders(text) for text in ids]
        for index, text in enumerate(strings):
            spanish = placeholders(text)
            last = index == len(strings) - 1
            if len(ids) == 1 or last:
                expected = english[0] if len(ids) == 1 else english[-1]
                ok = spanish == expected
            else:
                ok = set(spanish) <= set(english[0]) | set(english[-1])
            if not ok:
                wrong.append(f"{where(wanted)} → {text!r}: {spanish} instead of {english}")
    assert not wrong, "placeholders differ: " + shown(wrong)


def test_translations_keep_the_html_tags(template: Catalog, catalog: Catalog) -> None:
    wrong = []
    for wanted, found in used(template, catalog):
        ids, strings = forms(found)
        tags = sorted(TAG.findall(ids[-1]))
        for text in strings:
            if text and sorted(TAG.findall(text)) != tags:
                wrong.append(f"{where(wanted)} → {text!r}")
    assert not wrong, "HTML tags differ: " + shown(wrong)


def test_the_placeholder_check_sees_a_renamed_or_dropped_placeholder() -> None:
    english = placeholders("Referral sent to %(org)s, %(n)d%% done.")
    assert english == [("n", "d"), ("org", "s")]
    assert placeholders("Remisión enviada a %(organizacion)s, %(n)d%% hecho.") != english
    assert placeholders("Remisión enviada.") != english
