"""``flask guard check`` and ``flask guard eval``: the identifier guard from a shell."""

from __future__ import annotations

import json
from typing import TextIO

import click
from flask.cli import AppGroup

from referrals.identifiers import find_identifiers
from referrals.identifiers.evaluation import SETS, evaluate, load_notes, render

guard_group = AppGroup("guard", help="The identifier guard on free text.")


@guard_group.command("check")
@click.argument("notes", type=click.File("r", encoding="utf-8"))
def check_command(notes: TextIO) -> None:
    """One note per line of NOTES ("-" for standard input); one JSON object per line out."""
    for line in notes:
        findings = find_identifiers(line.rstrip("\n"))
        kinds = list(dict.fromkeys(finding.kind for finding in findings))
        result = {
            "refused": bool(findings),
            "kinds": kinds,
            "found": [finding.excerpt for finding in findings],
        }
        click.echo(json.dumps(result, ensure_ascii=False))


@guard_group.command("eval")
@click.option(
    "--set",
    "name",
    type=click.Choice(SETS),
    default="notes",
    show_default=True,
    help="notes: the set the guard was tuned on; heldout: notes it was not tuned on.",
)
def eval_command(name: str) -> None:
    """Recall per kind and language, false refusals and time per note on a labelled set."""
    for line in render(evaluate(load_notes(name))):
        click.echo(line)
