"""The identifier guard on its labelled notes: recall per language, false refusals, p95 time.

No database: ``referrals/identifiers/eval/notes.jsonl`` is read and every note checked. The
time is the p95 per note of one pass, the median over a few passes (the machine is shared).
The held-out set (notes the guard was not tuned on) is reported beside it.
"""

from __future__ import annotations

import statistics

from referrals.identifiers.evaluation import evaluate, load_notes

PASSES = 5


def run() -> dict[str, float]:
    notes = load_notes()
    reports = [evaluate(notes) for _ in range(PASSES)]
    figures = reports[0].figures()
    figures["guard_p95_ms"] = round(statistics.median(r.p95_ms() for r in reports), 3)
    figures["guard_notes"] = float(len(notes))
    heldout = evaluate(load_notes("heldout")).figures()
    for name in ("guard_recall_en", "guard_recall_es", "guard_false_refusals"):
        figures[name.replace("guard_", "guard_heldout_")] = heldout[name]
    return figures
