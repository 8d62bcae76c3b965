"""The guard's labelled evaluation set, its targets, and ``flask guard check`` / ``eval``."""

from __future__ import annotations

import json
from collections import Counter

from referrals.identifiers import LABELS
from referrals.identifiers.evaluation import evaluate, load_notes

NOTE_LINES = [
    "Call her at eight one six five five five oh one three four.",
    "Gave her the hotline 1-888-373-7888 and the text line 233733.",
    "",
    "Su correo es yesi_lopez arroba hotmail punto com; se llama Yesenia Morales.",
]


def test_the_set_is_large_bilingual_and_mostly_realistic_clean_notes() -> None:
    notes = load_notes()
    assert len(notes) >= 400
    assert len({note.id for note in notes}) == len(notes)
    assert len({note.text for note in notes}) == len(notes)
    languages = Counter(note.lang for note in notes)
    assert set(languages) == {"en", "es"}
    assert 0.4 <= languages["es"] / len(notes) <= 0.6
    clean = [note for note in notes if not note.kinds]
    assert len(clean) / len(notes) >= 0.4
    labelled = {(note.lang, kind) for note in notes for kind in note.kinds}
    assert labelled == {(lang, kind) for lang in ("en", "es") for kind in LABELS}
    # The clean notes carry what fools a guard: hotlines, programs, money, times, ages.
    clean_text = " ".join(note.text for note in clean)
    for trap in ("1-888-373-7888", "233733", "Rended Heart", "Justice Project KC", "$", ":30"):
        assert trap in clean_text, trap


def test_targets_recall_97_per_language_and_at_most_3_percent_false_refusals() -> None:
    report = evaluate(load_notes())
    assert report.recall("en") >= 0.97, report.missed
    assert report.recall("es") >= 0.97, report.missed
    assert report.false_refusal_rate() <= 0.03, report.false_refusals
    assert len(report.milliseconds) == len(load_notes())


def test_flask_guard_check_reads_standard_input(app) -> None:
    result = app.test_cli_runner().invoke(args=["guard", "check", "-"], input="\n".join(NOTE_LINES))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows == [
        {
            "refused": True,
            "kinds": ["phone"],
            "found": ["eight one six five five five oh one three four"],
        },
        {"refused": False, "kinds": [], "found": []},
        {"refused": False, "kinds": [], "found": []},
        {
            "refused": True,
            "kinds": ["email", "name"],
            "found": ["yesi_lopez arroba hotmail punto com", "Yesenia Morales"],
        },
    ]


def test_flask_guard_check_reads_a_file(app, tmp_path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("placa ABC 1234\nNecesita cama esta noche.\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["guard", "check", str(notes)])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert first == {"refused": True, "kinds": ["plate"], "found": ["ABC 1234"]}
    assert second["refused"] is False


def test_flask_guard_eval_prints_recall_per_kind_and_language(app) -> None:
    result = app.test_cli_runner().invoke(args=["guard", "eval"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["kind", "en", "es"]
    for kind in LABELS:
        assert any(line.startswith(kind + " ") for line in lines), kind
    assert any(line.startswith("recall en: ") for line in lines)
    assert any(line.startswith("recall es: ") for line in lines)
    assert any(line.startswith("false refusals: ") for line in lines)
    assert any(line.startswith("p95 per note: ") for line in lines)
