"""``flask match CLIENT_CODE``: an intake's matches, for support staff with shell access."""

from __future__ import annotations

import json
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from referrals.audit import services as audit
from referrals.extensions import db
from referrals.intake.models import Intake
from referrals.matching.engine import MatchResult
from referrals.matching.queries import match_intake


def as_dict(client_code: str, result: MatchResult) -> dict[str, Any]:
    """The result as plain data, for ``--json``."""
    return {
        "client_code": client_code,
        "ranked": [
            {
                "rank": rank,
                "program_id": row.program.id,
                "program": row.program.name,
                "organization_id": row.program.organization_id,
                "organization": row.program.organization_name,
                "score": round(row.score, 2),
                "needs_covered": list(row.needs_covered),
                "reasons": list(row.reasons),
                "explanation": row.explanation,
            }
            for rank, row in enumerate(result.ranked, start=1)
        ],
        "excluded": [
            {
                "program_id": row.program.id,
                "program": row.program.name,
                "organization_id": row.program.organization_id,
                "organization": row.program.organization_name,
                "reason_code": row.reason_code,
                "reason": row.reason,
            }
            for row in result.excluded
        ],
    }


def echo_table(client_code: str, result: MatchResult) -> None:
    """The ranked list, then the excluded list, one program per line."""
    click.echo(f"Matches for {client_code}: {len(result.ranked)} ranked")
    for rank, row in enumerate(result.ranked, start=1):
        program = row.program
        click.echo(
            f"{rank:>3}. {program.name} ({program.organization_name})  "
            f"score {row.score:.2f}  {row.explanation}"
        )
    click.echo(f"Excluded: {len(result.excluded)}")
    for excluded in result.excluded:
        program = excluded.program
        click.echo(f"   - {program.name} ({program.organization_name}): {excluded.reason}")


@click.command("match")
@click.argument("client_code")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_appcontext
def match_command(client_code: str, as_json: bool) -> None:
    """Rank the programs for an intake and list the excluded ones with their reason."""
    code = client_code.strip().upper()
    intake = db.session.scalar(sa.select(Intake).where(Intake.client_code == code))
    if intake is None:
        raise click.ClickException(f"no intake with client code {client_code}")
    result = match_intake(intake)
    # Viewing an intake's matches is a view of the intake: recorded before anything is shown.
    audit.record("intake.matched_cli", object_type="intake", object_id=intake.id)
    db.session.commit()
    if as_json:
        click.echo(json.dumps(as_dict(code, result), ensure_ascii=False, indent=2))
    else:
        echo_table(code, result)
