"""The caseworker's journey in Spanish shows no English interface string.

The demo caseworker chooses Español on the sign-in page (the browser itself asks for
English), signs in, records an intake with consent, finds programs, refers, and opens the
sent list and the referral. On every page, every text node (hidden ones too: a warning may
show later) plus the title and the texts read aloud (aria-label, title, placeholder, alt, a
button's value) is checked two ways:

- against the English of every message the sources pass through gettext (extracted afresh,
  as tests/test_translations.py does) and of WTForms' own messages, unless its Spanish is the
  same words ("KC", "CSV", "12–13");
- for English words that no Spanish sentence has ("the", "and", "your", "referral", …),
  after taking out what is data (names of organizations, programs and people, e-mail
  addresses, counties): an English string built outside gettext shows up this way.

Every finding on every page is listed at the end, so one run says all that is left.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.catalog import PYTHON_FORMAT
from babel.messages.pofile import read_po
from wtforms.i18n import messages_path

from referrals.auth.models import User
from referrals.demo import DEMO_PASSWORD, seed_demo_data
from referrals.extensions import db
from referrals.geography import COUNTIES
from referrals.programs.models import Organization, Program
from tests.test_translations import CATALOG, extract_template

pytestmark = pytest.mark.browser

CASEWORKER = "caseworker@demo.example.org"
NOTE = "Prefiere citas por la mañana y necesita un cuarto tranquilo."
SITUATION = "Contacto en la calle; necesita un lugar seguro esta semana."

# English words no Spanish sentence uses (articles, pronouns, auxiliaries, prepositions, and
# the app's own nouns), lower case. Words both languages share ("a", "no", "me") are left out.
WORD = re.compile(r"[^\W\d_]+")  # letters, accented ones too
ENGLISH_ONLY = frozenset(
    WORD.findall(
        """the and of to your you is are this that with for was were has have will been from
        which their these those into what when who would should could than then it its an or
        on at by be not all any our we can there here how more only now if in out up yes
        referral referrals intake intakes caseworker consent needs program programs
        organization organizations partner sent inbox sign home matches find english spanish"""
    )
)
# E-mail addresses, links, and codes (client codes KC-7F3Q-X2M9, referral ids): not words.
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|\b[A-Z0-9]+(?:-[A-Z0-9]+)+\b")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")

# Every text node and every text read aloud, as shown (whitespace folded).
PAGE_TEXTS = """() => {
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('script, style, noscript, template')) continue;
    // Text marked as another language (the switch's "English") is meant to be in it.
    if (!node.parentElement.closest('[lang]').lang.startsWith('es')) continue;
    texts.push(node.textContent);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  for (const el of document.querySelectorAll('input[type=submit], input[type=button]')) {
    texts.push(el.value);
  }
  return texts.map(t => t.replace(/\\s+/g, ' ').trim()).filter(t => t);
}"""


def _fragments(english: str) -> list[str]:
    """The literal pieces of a message between its placeholders and tags."""
    pieces = PYTHON_FORMAT.split(TAG.sub("\x00", english))
    # split() returns the groups of each placeholder too: keep every fourth item only.
    literal = "\x00".join(pieces[::4])
    return [piece.strip(" .,:;·—–-…()“”\"'") for piece in literal.split("\x00")]


def english_interface() -> tuple[set[str], list[re.Pattern[str]]]:
    """What English would look like on a Spanish page: whole texts (single words and short
    labels, matched whole) and phrases of two words or more (matched inside a text)."""
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="es")
    with (Path(messages_path()) / "es" / "LC_MESSAGES" / "wtforms.po").open("rb") as po:
        wtforms = read_po(po, locale="es")
    spanish_texts = " ".join(
        " ".join(m.string) if isinstance(m.string, tuple) else m.string
        for m in [*catalog, *wtforms]
        if m.id
    )
    pairs = []
    for message in [*extract_template(), *wtforms]:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        found = catalog.get(message.id, message.context) or wtforms.get(message.id)
        strings = found.string if found is not None else ""
        strings = strings if isinstance(strings, tuple) else (strings,)
        pairs.extend((english, strings) for english in ids)
    whole: set[str] = set()
    phrases: set[str] = set()
    for english, strings in pairs:
        if english in strings:
            continue  # the Spanish is the same ("KC", "CSV", "12–13")
        for piece in _fragments(english):
            if not WORD.search(piece) or piece in spanish_texts:
                continue
            (phrases if len(piece.split()) > 1 else whole).add(piece)
    patterns = [re.compile(rf"(?<!\w){re.escape(p)}(?!\w)") for p in sorted(phrases)]
    return whole, patterns


def data_strings() -> list[str]:
    """Names the demo data holds: proper names, shown as they are in either language."""
    names: set[str] = set(COUNTIES)
    for column in (
        Organization.name,
        Organization.description,
        Program.name,
        Program.description,
        User.display_name,
    ):
        names.update(value for value in db.session.scalars(sa.select(column)) if value)
    return sorted(names, key=len, reverse=True)  # longest first: a name inside a name


class Checker:
    """Collects the English found on each page visited."""

    def __init__(self, data: list[str]) -> None:
        self.whole, self.phrases = english_interface()
        self.data = data
        self.findings: list[str] = []
        self.pages = 0

    def texts_with_english(self, texts: Iterable[str]) -> list[str]:
        found = []
        for text in texts:
            # Names and addresses first: a program called "Substance use treatment" is data.
            rest = NOT_WORDS.sub(" ", text)
            for name in self.data:
                rest = rest.replace(name, " ")
            rest = " ".join(rest.split())
            if rest.strip(" .,:;·—–-…()“”\"'→←") in self.whole:
                found.append(f"message {text!r}")
            elif any(phrase.search(rest) for phrase in self.phrases):
                found.append(f"message in {text!r}")
            elif words := {w.lower() for w in WORD.findall(rest)} & ENGLISH_ONLY:
                found.append(f"English words {sorted(words)} in {text!r}")
        return found

    def check(self, page) -> None:
        self.pages += 1
        assert page.evaluate("document.documentElement.lang") == "es", page.url
        for finding in self.texts_with_english(page.evaluate(PAGE_TEXTS)):
            self.findings.append(f"{page.url}: {finding}")


def test_the_checker_finds_english_and_spares_spanish_and_names(app) -> None:
    """The detector itself: English messages and stray English words, not names or Spanish."""
    with app.app_context():
        checker = Checker(["Rended Heart 30-day program", "Jackson County, MO"])
    assert checker.texts_with_english(["Sign out"])
    assert checker.texts_with_english(["Referral sent to Rended Heart 30-day program."])
    assert checker.texts_with_english(["covers 2 of 3 needs"])
    assert checker.texts_with_english(["Spoken: English"])
    assert not checker.texts_with_english(
        [
            "Cerrar sesión",
            "Remisión enviada a Rended Heart 30-day program.",
            "Jackson County, MO",
            "KC-7F3Q-X2M9",
            "KC-8FHF-BE9X",  # "BE" is no word
            "caseworker@demo.example.org",
        ]
    )


def _submit(page, form: str) -> None:
    """Press the submit button of the form in main that matches ``form``."""
    page.locator(f"main {form} [type=submit]").first.click()
    page.wait_for_load_state()


def test_the_caseworker_journey_in_spanish_shows_no_english(app, live_server, page) -> None:
    base = live_server
    with app.app_context():
        seed_demo_data()
        checker = Checker(data_strings())

    # The browser asks for English; the switch on the sign-in page chooses Spanish.
    page.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    page.goto(f"{base}/login")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator("[data-testid=language-switch] button[value=es]").click()
    page.wait_for_url(f"{base}/login")
    checker.check(page)

    page.fill("input[name=email]", CASEWORKER)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#submit")
    page.wait_for_url(f"{base}/")
    checker.check(page)

    page.goto(f"{base}/intakes/")  # the navigation's link (a collapsed menu on phones)
    checker.check(page)

    # A new intake: first sent empty (the form's errors), then filled in.
    page.click("main a[href='/intakes/new']")
    page.wait_for_url(f"{base}/intakes/new")
    checker.check(page)
    _submit(page, "form[method=post]")
    checker.check(page)
    page.select_option("select[name=age_band]", "25_34")
    page.select_option("select[name=gender]", "female")
    page.select_option("select[name=county]", "Jackson County, MO")
    page.check("input[name=urgency][value=urgent]")
    page.check("input[name=languages][value=Spanish]")
    page.check("input[name=needs][value=short_term_residential]")
    page.check("input[name=needs][value=counseling]")
    page.fill("textarea[name=situation_note]", SITUATION)
    _submit(page, "form[method=post]")
    code = page.locator("[data-testid=client-code]").inner_text().strip()
    checker.check(page)

    page.goto(f"{base}/intakes/{code}/consent")
    checker.check(page)
    page.check("label:has-text('Rended Heart') >> xpath=preceding-sibling::input")
    page.check("input[name=written_confirmed]")
    _submit(page, "form:has(input[name=written_confirmed])")
    checker.check(page)

    page.goto(f"{base}/intakes/{code}/matches")
    checker.check(page)
    first = page.locator("[data-testid=ranked] li").first
    first.locator("summary").click()
    first.locator("textarea[name=note]").fill(NOTE)
    first.locator("input[name=confirm]").check()
    first.locator("[type=submit]").click()
    page.wait_for_url(re.compile(r".*/referrals/[A-Z0-9-]+$"))
    public_id = page.url.rsplit("/", 1)[1]
    checker.check(page)  # with the flash saying it was sent

    page.goto(f"{base}/referrals/")
    checker.check(page)
    page.locator(f"main a:text-is('{public_id}')").first.click()
    page.wait_for_url(f"{base}/referrals/{public_id}")
    assert page.locator("[data-testid=note]").inner_text() == NOTE
    checker.check(page)

    print(f"pages checked in Spanish: {checker.pages}; findings: {len(checker.findings)}")
    assert checker.findings == [], "English on Spanish pages:\n" + "\n".join(checker.findings)
