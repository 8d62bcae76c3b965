"""Identifiers that only a nearby word gives away: handles, plates, documents, cases, schools.

As in Microsoft Presidio's context-aware recognizers, a weak pattern (a short mixed token, a
run of digits) counts only when a context word stands just before it: "IG: kaykay.x",
"placa ABC 1234", "passport number 545123987", "expediente 1234/2023". The context words are
English and Spanish; the window is a few words, never across a line or a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from referrals.identifiers.words import PLATE_FILLER

Hit = tuple[int, int, str]

# A few words between the context word and the value ("number", "no.", "is", "de Kansas"),
# but not a line or a sentence's end, nor another number.
_GAP = r"(?:[^\n.;!?\d]|\.(?![ \t]+[A-Z]))" + "{0,30}?"

_PLATFORMS = (
    r"instagram|insta|ig|snapchat|snap|tik[ \t]?tok|cash[ \t]?app|facebook|fb|face|whats[ \t]?app"
    r"|telegram|twitter|kik|discord|threads|only[ \t]?fans|venmo|messenger"
)
# "IG: kaykay.x", "her snap is jazzyboo22", "cashapp $JMoney816": a token with a digit, an
# underscore, an inner dot or a sign, that is not a time, an ordinal or a plain number.
_HANDLE = re.compile(
    rf"\b(?:{_PLATFORMS})\b(?![.-]\w)[^\n.;!?]{{0,30}}?(?<![\w@$.])"
    r"(?P<v>[@$][A-Za-z]\w{1,29}|(?=[\w.]*[A-Za-z][\w.]*[A-Za-z])(?![\d.]+(?:am|pm|st|nd|rd|th|s)\b)"
    r"(?:[A-Za-z0-9]+(?:[._][A-Za-z0-9]+)+|[A-Za-z]+\d[A-Za-z0-9]*|\d+[A-Za-z][A-Za-z0-9]*)"
    r"_?)(?![\w@])",
    re.IGNORECASE,
)
# "Facebook name on the account is Tay Tay Bby", "su face es Lupita Bella Rosa".
_DISPLAY_NAME = re.compile(
    rf"\b(?:{_PLATFORMS})\b[^\n.;!?]{{0,25}}?\b(?:is|es|:)[ \t]+"
    r"(?P<v>[A-Z][\w'\u2019]+(?:[ \t]+[A-Z][\w'\u2019]+)+)",
    re.IGNORECASE,
)
_PLATE_CUE = re.compile(
    r"\b(?:plates?|tag|placas?|matr[ií]cula|tablilla)\b(?![ \t]+consular)", re.IGNORECASE
)
# "ABC 1234", "KCV-482", "7XYZ123": one or two groups of letters and digits.
_PLATE_VALUE = re.compile(r"(?<![\w-])[A-Za-z0-9]{1,4}(?:[ -][A-Za-z0-9]{1,4})?(?![\w-])|\w+")
_DOCUMENT_CUE = (
    r"driver'?s?[ \t]+licen[cs]e|\bDL\b|licen[cs]e[ \t]+(?:number|no\b|\#)|licencia"
    r"|state[ \t]+ID|\bID\b|identificaci[oó]n|passport|pasaporte|A-?[ \t]?(?:number|no\b|\#)"
    r"|n[uú]mero[ \t]+A\b|alien[ \t]+(?:number|registration)|extranjero|USCIS|receipt"
    r"|matr[ií]cula[ \t]+consular|green[ \t]+card|tarjeta[ \t]+de[ \t]+residencia|work[ \t]+permit"
    r"|permiso[ \t]+de[ \t]+trabajo|\bEAD\b|visa[ \t]+(?:number|no\b|\#)"
)
_DOCUMENT = re.compile(
    rf"(?:{_DOCUMENT_CUE})" + _GAP + r"(?<![\w-])"
    r"(?P<v>[A-Za-z]{0,3}[ \t-]?\d(?:[ \t-]?\d){5,14})(?![\w-])",
    re.IGNORECASE,
)
_A_NUMBER = re.compile(r"\bA[ \t-]?\d{3}[ \t-]?\d{3}[ \t-]?\d{3}\b")
_CASE_CUE = (
    r"\bcase|\bcaso|docket|expediente|cause[ \t]+(?:number|no\b|\#)|petition|citation"
    r"|police[ \t]+report|report[ \t]+(?:number|no\b|\#)|reporte|boleta|ticket[ \t]+(?:number|\#)"
)
# Four digits or more, with letters, dashes or a slash: 1916-CV23456, 22JU-0456, 1234/2023.
_CASE = re.compile(
    rf"(?:{_CASE_CUE})" + _GAP + r"(?<![\w/-])(?P<v>(?!(?:19|20)\d\d(?![\w/-]))"
    r"(?=(?:[A-Za-z/-]*\d){4})[A-Za-z0-9]+(?:[/-][A-Za-z0-9]+)*)(?![\w/-])",
    re.IGNORECASE,
)
_MISSOURI_CASE = re.compile(r"\b\d{2,4}[A-Z]{2}-[A-Z]{2}\d{5}\b|\b\d{4}-[A-Z]{2}\d{5}\b")
_SCHOOL = re.compile(
    r"\b(?:[A-Z][\w.'\u2019-]*[ \t]+){1,4}(?:High|Middle|Elementary|Academy|Prep|Charter)"
    r"(?:[ \t]+School)?\b|\b(?:[A-Z][\w.'\u2019-]*[ \t]+){1,4}School\b"
    r"|(?i:\b(?:escuela|colegio|secundaria|preparatoria|primaria)[ \t]+)"
    r"(?:[A-Z][\w.'\u2019-]*)(?:[ \t]+[A-Z][\w.'\u2019-]*){0,3}"
)
_GRADE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th|[ºo°])?[ \t]*(?:grade|grader|grado)\b|\bgrad[eo][ \t]*\d{1,2}\b"
    r"|\b(?:freshman|sophomore|junior|senior)\b(?![ \t]+(?:citizens?|center|college))"
    r"|\b(?:primer|segundo|tercer|cuarto|quinto|sexto|s[eé]ptimo|octavo|noveno|d[eé]cimo"
    r"|und[eé]cimo|duod[eé]cimo)[ \t]+grado\b",
    re.IGNORECASE,
)
_PUBLIC_SCHOOL_WORDS = re.compile(r"\b(?:summer|high|middle|the|this|her|his|su|la)\b", re.I)


# The words that let each pattern run (lower case; a pattern may need more around them).
_WORDS = re.compile(r"[^\W\d_]+")
_PLATFORM_WORDS = frozenset(
    {"instagram", "insta", "ig", "snapchat", "snap", "tiktok", "tik", "cash", "cashapp"}
    | {"facebook", "fb", "face", "whatsapp", "whats", "telegram", "twitter", "kik", "discord"}
    | {"threads", "onlyfans", "only", "venmo", "messenger"}
)
_DOCUMENT_WORDS = frozenset(
    {"license", "licence", "licencia", "dl", "id", "identificación", "identificacion"}
    | {"passport", "pasaporte", "alien", "extranjero", "uscis", "receipt", "matrícula"}
    | {"matricula", "card", "residencia", "permit", "permiso", "ead", "visa"}
)
_A_NUMBER_CUE = re.compile(r"\bA-?[ \t]?(?:number|no\b|\#)|\bn[uú]mero[ \t]+A\b", re.IGNORECASE)
_CASE_WORDS = frozenset(
    {"case", "caso", "docket", "expediente", "cause", "petition", "citation", "police"}
    | {"report", "reporte", "boleta", "ticket"}
)
_PLATE_WORDS = frozenset(
    {"plate", "plates", "tag", "placa", "placas", "tablilla", "matrícula", "matricula"}
)
_GRADE_WORDS = frozenset({"grade", "grader", "grado", "freshman", "sophomore", "junior", "senior"})


def _values(pattern: re.Pattern[str], label: str, text: str) -> Iterator[Hit]:
    for match in pattern.finditer(text):
        yield match.start("v"), match.end("v"), label


def _plates(text: str) -> Iterator[Hit]:
    """The first token with letters and digits within a few words after "plate"/"placa"."""
    for cue in _PLATE_CUE.finditer(text):
        for value in _PLATE_VALUE.finditer(text, cue.end(), min(len(text), cue.end() + 30)):
            token = value.group()
            between = text[cue.end() : value.start()]
            if any(mark in between for mark in ".;\n") or "\n" in token:
                break
            if token.casefold() in PLATE_FILLER:
                continue
            compact = token.replace(" ", "").replace("-", "")
            mixed = any(c.isdigit() for c in compact) and any(c.isalpha() for c in compact)
            if mixed and 4 <= len(compact) <= 8:
                yield value.start(), value.end(), "plate"
            break


def _schools(text: str) -> Iterator[Hit]:
    """A named school refused only when the note also gives the grade."""
    if not _GRADE.search(text):
        return
    for match in _SCHOOL.finditer(text):
        first = match.group().split()[0]
        if _PUBLIC_SCHOOL_WORDS.fullmatch(first) and len(match.group().split()) <= 2:
            continue  # "Summer School", "High School": no school named
        yield match.start(), match.end(), "school"


def contextual(text: str) -> Iterator[Hit]:
    """Handles, plates, document and case numbers, named schools with a grade.

    Each pattern runs only when one of its context words is among the note's words: a long
    clean note costs one pass to list its words.
    """
    words = frozenset(_WORDS.findall(text.casefold()))
    if words & _PLATFORM_WORDS:
        yield from _values(_HANDLE, "handle", text)
        yield from _values(_DISPLAY_NAME, "handle", text)
    if any(char.isdigit() for char in text):
        if words & _DOCUMENT_WORDS or _A_NUMBER_CUE.search(text):
            yield from _values(_DOCUMENT, "id_number", text)
        yield from _matches(_A_NUMBER, "id_number", text)
        if words & _CASE_WORDS:
            yield from _values(_CASE, "case_number", text)
        yield from _matches(_MISSOURI_CASE, "case_number", text)
        if words & _PLATE_WORDS:
            yield from _plates(text)
    if words & _GRADE_WORDS:
        yield from _schools(text)


def _matches(pattern: re.Pattern[str], label: str, text: str) -> Iterator[Hit]:
    for match in pattern.finditer(text):
        yield match.start(), match.end(), label
