"""E-mail addresses spelled out or spaced: "jessica dot smith at gmail dot com",
"yesi_lopez arroba hotmail punto com", "destiny2009 @ yahoo . com", "l i l y @ gmail.com".

A view of the ``clean`` text reads "at"/"arroba" as "@" (an English "at" only before a mail
provider or a domain) and "dot"/"punto" as "."; the e-mail pattern then runs on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from referrals.identifiers.normalize import View

Hit = tuple[int, int, str]

_TLD = r"(?:com|net|org|edu|gov|us|mx|io|me|info|co)\b"
_PROVIDER = r"(?:gmail|yahoo|hotmail|outlook|icloud|aol|protonmail|proton|live|msn|ymail)\b"
_DOT_WORD = r"(?:\.|\(dot\)|\[dot\]|\bdot\b|\(punto\)|\[punto\]|\bpunto\b)"
_AT = re.compile(
    r"[ \t]*(?:\(at\)|\[at\]|\(arroba\)|\[arroba\]|\barroba\b"
    rf"|(?<=\w)[ \t]+at(?=[ \t]+(?:[\w-]+[ \t]*{_DOT_WORD}[ \t]*{_TLD}|{_PROVIDER})))[ \t]*",
    re.IGNORECASE,
)
_DOT = re.compile(r"[ \t]*(?:\(dot\)|\[dot\]|\(punto\)|\[punto\]|\bdot\b|\bpunto\b)[ \t]*", re.I)
_SPACED_AT = re.compile(r"(?<=\w)[ \t]*@[ \t]+(?=\w)")  # "destiny2009 @ yahoo", not "on @lil"
_SPACED_DOT = re.compile(rf"(?<=\w)(?:[ \t]+\.[ \t]*|\.[ \t]+)(?={_TLD})", re.IGNORECASE)
_SPACED_LETTERS = re.compile(r"(?<![\w.])(?:\w[ \t]){2,}\w(?=@)")
_EMAIL = re.compile(
    rf"[\w.%+\-]+@(?:[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{{2,}}|{_PROVIDER})",
    re.IGNORECASE,
)
_CUES = ("@", " at ", "(at)", "[at]", "arroba", " dot ", "punto", "(dot)")


def _rewrite(view: View, pattern: re.Pattern[str], new: str | None) -> View:
    edits = [
        (m.start(), m.end(), re.sub(r"[ \t]", "", m.group()) if new is None else new)
        for m in pattern.finditer(view.text)
    ]
    return view.rewrite(edits)


def spelled_view(clean: View) -> View | None:
    """The clean view with "at"/"arroba" as "@" and "dot"/"punto" as "."; None if no cue."""
    lowered = clean.text.casefold()
    if not any(cue in lowered for cue in _CUES):
        return None
    view = _rewrite(clean, _AT, "@")
    if "@" not in view.text:
        return None
    view = _rewrite(view, _SPACED_AT, "@")
    view = _rewrite(view, _DOT, ".")
    view = _rewrite(view, _SPACED_DOT, ".")
    return _rewrite(view, _SPACED_LETTERS, None)


def emails(text: str) -> Iterator[Hit]:
    for match in _EMAIL.finditer(text):
        yield match.start(), match.end(), "email"
