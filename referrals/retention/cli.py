"""``flask purge``: blank the free text of long-closed intakes (for cron, e.g. nightly)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from referrals.extensions import db
from referrals.retention.services import RetentionError, purge

LABELS = {
    "intakes": "intakes purged",
    "situation_notes": "situation notes blanked",
    "referral_notes": "referral notes blanked",
    "event_notes": "timeline notes blanked",
    "messages": "thread messages blanked",
    "consent_details": "consent details blanked",
}
DRY_RUN_LABELS = {
    "intakes": "intakes to purge",
    "situation_notes": "situation notes to blank",
    "referral_notes": "referral notes to blank",
    "event_notes": "timeline notes to blank",
    "messages": "thread messages to blank",
    "consent_details": "consent details to blank",
}


@click.command("purge")
@click.option(
    "--older-than",
    "days",
    type=int,
    default=None,
    metavar="DAYS",
    help="Purge intakes closed more than DAYS ago (default: RETENTION_DAYS, 730).",
)
@click.option("--dry-run", is_flag=True, help="Report what would be purged; change nothing.")
@with_appcontext
def purge_command(days: int | None, dry_run: bool) -> None:
    """Blank the notes of intakes closed longer ago than the retention period.

    Codes, dates, statuses and reasons are kept, so dashboards still count them; the
    intake is marked purged and cannot be reopened. One transaction; safe to run again.
    """
    if days is None:
        days = int(current_app.config["RETENTION_DAYS"])
    try:
        report = purge(days=days, dry_run=dry_run)
    except RetentionError as error:
        db.session.rollback()
        raise click.BadParameter(str(error), param_hint="'--older-than'") from None
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was changed.")
    else:
        db.session.commit()
    cutoff = f"{report.cutoff:%Y-%m-%d %H:%M} UTC"
    click.echo(f"cut-off: closed before {cutoff} (older than {days} days)")
    labels = DRY_RUN_LABELS if dry_run else LABELS
    for name, count in vars(report.counts).items():
        click.echo(f"{labels[name]}: {count}")
