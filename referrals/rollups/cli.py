"""``flask rollups rebuild`` and ``flask rollups check``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from referrals.extensions import db
from referrals.rollups.upkeep import differences, rebuild

rollups_group = AppGroup("rollups", help="The dashboard's stored counts.")


@rollups_group.command("rebuild")
def rebuild_command() -> None:
    """Fill the rollups from the referrals (after a bulk load or a restore)."""
    with db.engine.begin() as connection:
        rebuild(connection)
    click.echo("Rollups rebuilt from the referrals.")


@rollups_group.command("check")
def check_command() -> None:
    """Compare the rollups with the referrals; exit 1 on any difference, listing them."""
    with db.engine.connect() as connection:
        found = differences(connection, limit=0)
    if not found:
        click.echo("Rollups agree with the referrals.")
        return
    for line in found[:50]:
        click.echo(line)
    if len(found) > 50:
        click.echo(f"... and {len(found) - 50} more")
    click.echo(f"{len(found)} difference(s) between the rollups and the referrals.", err=True)
    sys.exit(1)
