"""``flask sweep``: the periodic lifecycle work, for a timer (safe to run every few minutes)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from referrals.lifecycle.sweep import sweep
from referrals.lifecycle.sweep_runs import exclusive_run

LABELS = {
    "reminders": "overdue reminders",
    "escalations": "escalations to supervisors",
    "consent_cancellations": "cancelled (consent expired)",
    "expired_cancellations": "cancelled (unanswered)",
    "emails_sent": "e-mails sent",
    "webhooks_delivered": "webhook deliveries made",
    "intakes_purged": "closed intakes purged (retention)",
}
# EX_TEMPFAIL (sysexits.h): not a failure, try again later. The systemd unit counts it as a
# success (deploy/kc-referrals-sweep.service), so an overlap does not page anyone.
EXIT_ANOTHER_SWEEP_RUNNING = 75


@click.command("sweep")
@click.option(
    "--dry-run", is_flag=True, help="Report what would happen; change nothing, send nothing."
)
@with_appcontext
def sweep_command(dry_run: bool) -> None:
    """Send overdue reminders and escalations, cancel expired referrals, deliver e-mail,
    purge the free text of intakes closed longer than RETENTION_DAYS.

    One sweep runs at a time (on PostgreSQL): while one runs, another exits at once with
    status 75 and says so.
    """
    with exclusive_run() as ours:
        if not ours:
            click.echo(
                "Another sweep is running (it holds the sweep lock); this one did nothing.",
                err=True,
            )
            raise SystemExit(EXIT_ANOTHER_SWEEP_RUNNING)
        report = sweep(dry_run=dry_run)
    labels = LABELS
    if dry_run:
        click.echo("Dry run: nothing was saved and no e-mail was sent.")
        labels = LABELS | {
            "emails_sent": "e-mails to send",
            "webhooks_delivered": "webhook deliveries to try",
        }
    for name, count in report.counts().items():
        click.echo(f"{labels[name]}: {count}")
