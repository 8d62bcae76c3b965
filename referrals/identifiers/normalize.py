"""Views of a note that undo the usual disguises, each mapped back to the text as written.

A recognizer reads a view and reports spans of it; ``View.original`` turns a span back into
the writer's own characters, so a refusal quotes what they typed ("eight one six ..."), not
our rewrite of it. The views, each built on the one before:

- ``unicode``: Unicode NFKC (full-width digits, non-breaking spaces), format characters such
  as zero-width spaces removed. Names are read here.
- ``clean``: number words turned into digits in English or Spanish (``text2num``), and
  "oh"/"o" read as zero inside digit runs ("816 555 o1o9").
- ``joined``: digit groups split by spaces, lines or punctuation joined ("816\\n555 - 01 34"
  becomes "8165550134"); only phone, Social Security and document numbers are read here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from text_to_num import alpha2digit

from referrals.identifiers.words import DIGIT_WORDS, ENGLISH_MARKERS, SPANISH_MARKERS

Edit = tuple[int, int, str]  # replace view[start:end] by the string

_WORD = re.compile(r"[^\W\d_]+")
_NON_ASCII = re.compile(r".?[^\x00-\x7f]+", re.DOTALL)
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
_WORD_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")  # "eight-one-six"
_ZERO_WORD = re.compile(r"(?<=\d)([ \t,.\-]*)\b(?:oh|o)\b(?=[ \t,.\-]*\d)", re.IGNORECASE)
# "o1o9", "555.o1o9": letters o among digits, the token ending with a digit ("10o" is tenth).
_ZERO_LETTER = re.compile(r"\b(?=[0-9oO]*[oO])(?=(?:[oO]*\d){2})[0-9oO]{2,}\d\b")
# Digit groups with at most four characters of spaces, line breaks or punctuation between.
_DIGIT_RUN = re.compile(r"\d+(?:[\s.\-\u2013\u2014/,;:()*_~|\u00b7\u2022]{1,4}\d+)+")
# Digit words glued to digits ("8one6-5five5"): text2num reads whole words only.
_GLUED = re.compile(rf"\b(?=\w*\d)(?:\d|{'|'.join(DIGIT_WORDS)})+(?<=[^\W\d_]|\d)\b", re.IGNORECASE)
_GLUED_WORD = re.compile("|".join(DIGIT_WORDS), re.IGNORECASE)


@dataclass(frozen=True)
class View:
    """A rewritten text; ``starts[i]``/``ends[i]`` are where its character ``i`` came from."""

    text: str
    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, text: str) -> View:
        return cls(text, list(range(len(text))), list(range(1, len(text) + 1)))

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the written text that ``text[start:end]`` came from."""
        return self.starts[start], self.ends[max(start, end - 1)]

    def rewrite(self, edits: Iterable[Edit]) -> View:
        """Apply sorted, non-overlapping edits; inserted text maps to what it replaced."""
        text, starts, ends = [], [], []
        position = 0
        for start, end, new in edits:
            text.append(self.text[position:start])
            starts += self.starts[position:start]
            ends += self.ends[position:start]
            if new:
                first, last = self.original(start, end) if start < end else (0, 0)
                text.append(new)
                starts += [first] * len(new)
                ends += [last] * len(new)
            position = end
        if position == 0:
            return self
        text.append(self.text[position:])
        starts += self.starts[position:]
        ends += self.ends[position:]
        return View("".join(text), starts, ends)


def languages(text: str) -> tuple[str, ...]:
    """``("es",)`` or ``("en",)`` by the commonest short words of each; both when even."""
    words = [word.casefold() for word in _WORD.findall(text)]
    spanish = sum(word in SPANISH_MARKERS for word in words)
    english = sum(word in ENGLISH_MARKERS for word in words)
    if spanish == english:
        return ("en", "es")
    return ("es",) if spanish > english else ("en",)


def _unicode_edits(text: str) -> Iterable[Edit]:
    """NFKC per character cluster (a letter and its combining marks); format characters go.

    Only the stretches with non-ASCII characters are looked at (with the letter before, which
    a combining mark may join): ASCII is its own NFKC.
    """
    for chunk in _NON_ASCII.finditer(text):
        for start, end, new in _cluster_edits(chunk.group()):
            yield chunk.start() + start, chunk.start() + end, new


def _cluster_edits(text: str) -> Iterable[Edit]:
    i, size = 0, len(text)
    while i < size:
        end = i + 1
        while end < size and unicodedata.combining(text[end]):
            end += 1
        cluster = text[i:end]
        if unicodedata.category(cluster[0]) == "Cf":
            yield i, end, ""
        else:
            normal = unicodedata.normalize("NFKC", cluster)
            if normal != cluster:
                yield i, end, normal
        i = end


def _number_edits(text: str, lang: str) -> Iterable[Edit]:
    """Where ``alpha2digit`` rewrote number words, found by comparing the two texts' tokens."""
    spaced = _WORD_HYPHEN.sub(" ", text)  # same length: offsets still hold
    digits = alpha2digit(spaced, lang)
    if digits == spaced:
        return
    before, after = _TOKENS.findall(spaced), _TOKENS.findall(digits)
    offsets = [0]
    for token in before:
        offsets.append(offsets[-1] + len(token))
    for i1, i2, j1, j2 in _changes(before, after):
        yield offsets[i1], offsets[i2], "".join(after[j1:j2])


def _anchor(token: str) -> bool:
    return not any(char.isdigit() for char in token) and any(char.isalpha() for char in token)


def _changes(before: list[str], after: list[str]) -> Iterator[tuple[int, int, int, int]]:
    """The token ranges ``alpha2digit`` replaced, in one pass (difflib is quadratic).

    Outside its replacements the output repeats the input, and a replacement holds digits,
    so after a difference the next word without digits in the output is where both agree
    again. The rewritten text is exact whatever the alignment; only the span a refusal
    quotes depends on it.
    """
    i = j = 0
    while i < len(before) and j < len(after):
        if before[i] == after[j]:
            i, j = i + 1, j + 1
            continue
        j2 = j
        while j2 < len(after) and not _anchor(after[j2]):
            j2 += 1
        i2 = i
        while i2 < len(before) and j2 < len(after) and before[i2] != after[j2]:
            i2 += 1
        if j2 == len(after) or i2 == len(before):
            break
        yield _trimmed(before, after, i, i2, j, j2)
        i, j = i2, j2
    if i < len(before) or j < len(after):
        yield _trimmed(before, after, i, len(before), j, len(after))


def _trimmed(
    before: list[str], after: list[str], i1: int, i2: int, j1: int, j2: int
) -> tuple[int, int, int, int]:
    """Without the tokens both end with: "four!" became "4!", the "!" stays."""
    while i2 > i1 and j2 > j1 and before[i2 - 1] == after[j2 - 1]:
        i2, j2 = i2 - 1, j2 - 1
    return i1, i2, j1, j2


def _glued_edits(text: str) -> list[Edit]:
    edits = []
    for match in _GLUED.finditer(text):
        token = match.group()
        if not token.isdigit():
            digits = _GLUED_WORD.sub(lambda word: DIGIT_WORDS[word.group().casefold()], token)
            edits.append((match.start(), match.end(), digits))
    return edits


def _zero_edits(text: str) -> list[Edit]:
    edits = [(m.end(1), m.end(), "0") for m in _ZERO_WORD.finditer(text)]
    for match in _ZERO_LETTER.finditer(text):
        edits.append((match.start(), match.end(), re.sub("[oO]", "0", match.group())))
    return sorted(edits)


def unicode_view(text: str) -> View:
    """NFKC, no format characters: what names are read on ("Ma\u200bria" is "Maria")."""
    view = View.of(text)
    if text.isascii():
        return view
    return view.rewrite(list(_unicode_edits(text)))


def clean_view(unicode: View) -> View:
    """Number words as digits, "oh" as zero, on the ``unicode_view``."""
    view = unicode.rewrite(_glued_edits(unicode.text))
    for lang in languages(view.text):
        view = view.rewrite(list(_number_edits(view.text, lang)))
    if "o" in view.text.casefold():
        view = view.rewrite(_zero_edits(view.text))
    return view


def joined_view(clean: View) -> View:
    """Digit groups joined: "816 555 - 01 34" reads "8165550134"."""
    edits = [
        (match.start(), match.end(), re.sub(r"\D", "", match.group()))
        for match in _DIGIT_RUN.finditer(clean.text)
    ]
    return clean.rewrite(edits)
