"""The demo coalition from the seed article (filled in by the seed-demo work)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Write even if the database holds non-demo data.")
@with_appcontext
def seed_demo(force: bool) -> None:
    """Load the demo coalition (idempotent)."""
    raise click.ClickException("not implemented yet")
