"""The guard measured on its labelled notes (``eval/notes.jsonl``, ``eval/heldout.jsonl``).

Each line is an invented caseworker note: ``id``, ``lang`` (en or es), ``kinds`` (the kinds
of identifier it carries; empty when it is clean) and ``text``. Recall in a language is the
share of its notes with identifiers that the guard refuses; recall of a kind is the share of
notes carrying it where the guard names that kind; false refusals are the share of clean
notes refused. Times are per note, after one warm-up pass.

``notes`` (488 notes) was written before the recognizers and used while tuning them;
``heldout`` (121 notes) was written after, committed before the guard first ran on it, and is
not tuned on: it shows how the guard does on notes it was not shaped by.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from referrals.identifiers import find_identifiers


@dataclass(frozen=True)
class Note:
    id: str
    lang: str
    kinds: frozenset[str]
    text: str


@dataclass
class Report:
    """Counts per language and kind, the clean notes refused, and the time per note."""

    found: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # [hits, total]
    refused: dict[str, list[int]] = field(default_factory=dict)  # by language: [hits, total]
    clean: list[int] = field(default_factory=lambda: [0, 0])  # [refused, total]
    missed: list[str] = field(default_factory=list)  # ids of notes not refused or mislabelled
    false_refusals: list[str] = field(default_factory=list)
    milliseconds: list[float] = field(default_factory=list)

    def recall(self, lang: str) -> float:
        hits, total = self.refused.get(lang, [0, 0])
        return hits / total if total else 1.0

    def false_refusal_rate(self) -> float:
        return self.clean[0] / self.clean[1] if self.clean[1] else 0.0

    def p95_ms(self) -> float:
        ordered = sorted(self.milliseconds)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else 0.0

    def figures(self) -> dict[str, float]:
        """What ``make bench`` records."""
        return {
            "guard_recall_en": round(self.recall("en"), 4),
            "guard_recall_es": round(self.recall("es"), 4),
            "guard_false_refusals": round(self.false_refusal_rate(), 4),
            "guard_p95_ms": round(self.p95_ms(), 3),
        }


SETS = ("notes", "heldout")


def load_notes(name: str = "notes") -> list[Note]:
    """One of the labelled sets shipped with the package."""
    path = resources.files("referrals.identifiers").joinpath("eval", f"{name}.jsonl")
    rows: list[dict[str, Any]] = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line
    ]
    return [Note(row["id"], row["lang"], frozenset(row["kinds"]), row["text"]) for row in rows]


def evaluate(notes: Iterable[Note]) -> Report:
    """Run the guard on every note and count."""
    notes = list(notes)
    for note in notes:  # warm-up: word lists and patterns load once
        find_identifiers(note.text)
    report = Report()
    for note in notes:
        started = time.perf_counter()
        findings = find_identifiers(note.text)
        report.milliseconds.append((time.perf_counter() - started) * 1000)
        kinds = {finding.kind for finding in findings}
        if not note.kinds:
            report.clean[1] += 1
            if findings:
                report.clean[0] += 1
                report.false_refusals.append(note.id)
            continue
        refused = report.refused.setdefault(note.lang, [0, 0])
        refused[0] += bool(findings)
        refused[1] += 1
        for kind in note.kinds:
            counts = report.found.setdefault((note.lang, kind), [0, 0])
            counts[0] += kind in kinds
            counts[1] += 1
        if not note.kinds <= kinds:
            report.missed.append(note.id)
    return report


def render(report: Report) -> list[str]:
    """The report as lines of text, for ``flask guard eval``."""
    lines = ["kind          en               es"]
    for kind in sorted({kind for _, kind in report.found}):
        cells = []
        for lang in ("en", "es"):
            hits, total = report.found.get((lang, kind), [0, 0])
            cells.append(f"{hits:>3}/{total:<3} {hits / total:7.1%}" if total else " " * 15)
        lines.append(f"{kind:<13} {cells[0]}  {cells[1]}")
    for lang in ("en", "es"):
        hits, total = report.refused.get(lang, [0, 0])
        lines.append(f"recall {lang}: {report.recall(lang):.1%} ({hits}/{total} notes refused)")
    refused, total = report.clean
    lines.append(f"false refusals: {report.false_refusal_rate():.1%} ({refused}/{total} clean)")
    lines.append(f"p95 per note: {report.p95_ms():.2f} ms")
    return lines
